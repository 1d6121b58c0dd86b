import {
  callTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  TRPCError,
  type AnyTRPCRouter,
  type inferRouterContext,
  type TRPCProcedureType,
} from '@trpc/server';
import { parseTRPCMessage, type TRPCErrorShape, type TRPCRequestMessage, type TRPCResponseMessage } from '@trpc/server/rpc';
import { parseAck, SUBSCRIPTION_WINDOW } from '../../shared/port/protocol';
import type { RpcPort } from '../../shared/port/types';
import { MAX_SUBSCRIPTIONS_PER_PORT, tooManySubscriptions, wireRefusal } from './adapter-admission';
import { SendCredit } from './adapter-credit';
import { isIterableResult, pumpSubscription } from './adapter-subscription';

/**
 * Serves a tRPC router on one RpcPort, speaking tRPC's WebSocket JSON-RPC shapes (learned from
 * @trpc/server's `adapters/ws`, rewritten small). One call of serveOnPort per connected client;
 * the router never learns it is behind a port.
 */

type RequestId = string | number;

/** What onError receives: never thrown back, so a failing handler cannot crash the server. */
export interface PortErrorInfo<TCtx> {
  error: TRPCError;
  type: TRPCProcedureType | 'unknown';
  path: string | undefined;
  input: unknown;
  ctx: TCtx | undefined;
}

export interface ServeOnPortOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  port: RpcPort;
  /** Called once per port, lazily, before the first call. */
  createContext?: () => inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  onError?: (info: PortErrorInfo<inferRouterContext<TRouter>>) => void;
  /** Data messages per subscription posted ahead of the client's acks (default SUBSCRIPTION_WINDOW). */
  subscriptionWindow?: number;
  /** Open subscriptions one port may hold (default MAX_SUBSCRIPTIONS_PER_PORT); more are refused. */
  maxSubscriptions?: number;
}

export { MAX_SUBSCRIPTIONS_PER_PORT };

/** A router being served on one port. */
export interface PortServer {
  /** Subscriptions registered and not yet fully disposed. */
  activeSubscriptions(): number;
  /** Queries and mutations still running. */
  activeCalls(): number;
  /** Subscription data messages posted and not yet acknowledged by the client, over all subscriptions. */
  unackedMessages(): number;
  /** Stops serving: aborts every subscription and call; leaves the port to its owner. */
  close(): void;
}

/** Sent when even the error could not be formatted or cloned; says nothing it should not. */
const FALLBACK_SHAPE: TRPCErrorShape = {
  code: -32603,
  message: 'Internal server error',
  data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, serviceCode: 'INTERNAL' },
};

/** The abort reason for a client's stop or a closed port, told apart from a failure's abort. */
const STOPPED = new Error('Subscription stopped by the client or the port closed');

function isAnswerableId(id: unknown): id is RequestId {
  return (typeof id === 'number' && Number.isFinite(id)) || typeof id === 'string';
}

export function serveOnPort<TRouter extends AnyTRPCRouter>(opts: ServeOnPortOptions<TRouter>): PortServer {
  type Ctx = inferRouterContext<TRouter>;
  const { router, port } = opts;
  const config = router._def._config;
  const subscriptions = new Map<RequestId, { controller: AbortController; credit: SendCredit }>();
  const sendWindow = Math.max(1, Math.floor(opts.subscriptionWindow ?? SUBSCRIPTION_WINDOW));
  const maxSubscriptions = Math.max(1, Math.floor(opts.maxSubscriptions ?? MAX_SUBSCRIPTIONS_PER_PORT));
  // One controller per query/mutation, not a shared one: a procedure that adds an abort
  // listener and never removes it would otherwise pile listeners onto the connection's signal.
  const calls = new Set<AbortController>();
  const connection = new AbortController();
  let ctx: Ctx | undefined;
  let ctxPromise: Promise<Ctx> | null = null;

  const offMessage = port.onMessage(onMessage);
  const offClose = port.onClose(close);

  function close(): void {
    offMessage();
    offClose();
    for (const { controller } of subscriptions.values()) controller.abort(STOPPED);
    for (const controller of calls) controller.abort(STOPPED);
    connection.abort(STOPPED);
  }

  function report(info: Omit<PortErrorInfo<Ctx>, 'ctx'>): void {
    try {
      opts.onError?.({ ...info, ctx });
    } catch {
      // onError runs in listeners and unawaited promises: a throw here would crash the service
    }
  }

  /** Posts one response; throws when the value cannot be cloned so the caller can answer with an error. */
  function send(message: TRPCResponseMessage): void {
    if (port.closed || connection.signal.aborted) return;
    port.postMessage(transformTRPCResponse(config, message));
  }

  function sendError(id: RequestId | null, cause: unknown, call: { type: PortErrorInfo<Ctx>['type']; path?: string; input?: unknown }): void {
    const error = getTRPCErrorFromUnknown(cause);
    report({ error, type: call.type, path: call.path, input: call.input });
    let shape: TRPCErrorShape = FALLBACK_SHAPE;
    try {
      shape = getErrorShape({ config, error, type: call.type, path: call.path, input: call.input, ctx });
    } catch (formatError) {
      report({ error: getTRPCErrorFromUnknown(formatError), type: call.type, path: call.path, input: call.input });
    }
    try {
      send({ id, error: shape });
    } catch {
      try {
        send({ id, error: FALLBACK_SHAPE });
      } catch {
        // the port itself is failing; its close will clean up
      }
    }
  }

  function getContext(): Promise<Ctx> {
    ctxPromise ??= Promise.resolve()
      .then(() => opts.createContext?.() as Ctx)
      .then((value) => (ctx = value));
    return ctxPromise;
  }

  function onMessage(raw: unknown): void {
    // The wire guard, straight after the transport: before an ack, a parse or a procedure sees it.
    const refused = wireRefusal(raw);
    if (refused) {
      if (refused.id !== null) sendError(refused.id, refused.error, { type: 'unknown' });
      else report({ error: getTRPCErrorFromUnknown(refused.error), type: 'unknown', path: undefined, input: undefined });
      return;
    }
    const ack = parseAck(raw);
    if (ack === 'malformed') {
      const id = (raw as { id?: unknown }).id;
      const error = new TRPCError({ code: 'BAD_REQUEST', message: '`subscription.ack` needs an id and params.count, a positive integer' });
      if (isAnswerableId(id)) sendError(id, error, { type: 'unknown' });
      else report({ error, type: 'unknown', path: undefined, input: undefined });
      return;
    }
    if (ack) {
      // An ack for a subscription that just ended (or never existed) has nothing left to release.
      subscriptions.get(ack.id)?.credit.ack(ack.params.count);
      return;
    }
    let message: ReturnType<typeof parseTRPCMessage>;
    try {
      message = parseTRPCMessage(raw, config.transformer);
    } catch (cause) {
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      const error = new TRPCError({ code: 'PARSE_ERROR', message: 'Not a tRPC request message', cause });
      if (isAnswerableId(id)) sendError(id, error, { type: 'unknown' });
      else report({ error, type: 'unknown', path: undefined, input: undefined });
      return;
    }
    if (!isAnswerableId(message.id)) {
      // Nothing to answer to: a stop or request without an id can only be reported.
      report({ error: new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }), type: 'unknown', path: undefined, input: undefined });
      return;
    }
    if (message.method === 'subscription.stop') {
      subscriptions.get(message.id)?.controller.abort(STOPPED);
      return;
    }
    handleRequest(message as TRPCRequestMessage & { id: RequestId }).catch((cause: unknown) =>
      report({ error: getTRPCErrorFromUnknown(cause), type: 'unknown', path: undefined, input: undefined }),
    );
  }

  async function handleRequest(message: TRPCRequestMessage & { id: RequestId }): Promise<void> {
    const { id, jsonrpc } = message;
    const type = message.method;
    const { path, lastEventId } = message.params;
    let input = message.params.input;
    if (lastEventId !== undefined) {
      // Same merge as tRPC's ws adapter: the procedure sees lastEventId as part of its input.
      input = typeof input === 'object' && input !== null ? { ...input, lastEventId } : (input ?? { lastEventId });
    }
    const call = { type, path, input };

    if (type !== 'subscription') {
      const controller = new AbortController();
      calls.add(controller);
      if (connection.signal.aborted) controller.abort(STOPPED);
      try {
        const result = await callTRPCProcedure({
          router, path, type, ctx: await getContext(), getRawInput: async () => input, signal: controller.signal, batchIndex: 0,
        });
        if (isIterableResult(result)) {
          throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `A ${type} cannot return a stream over a port; use a subscription` });
        }
        send({ id, jsonrpc, result: { type: 'data', data: result } });
      } catch (cause) {
        sendError(id, cause, call);
      } finally {
        calls.delete(controller);
      }
      return;
    }

    if (subscriptions.has(id)) {
      sendError(id, new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate subscription id ${id}` }), call);
      return;
    }
    if (subscriptions.size >= maxSubscriptions) {
      sendError(id, tooManySubscriptions(maxSubscriptions), call);
      return;
    }
    // Registered before any await so a stop or a close during setup aborts it too.
    const controller = new AbortController();
    const credit = new SendCredit(sendWindow);
    subscriptions.set(id, { controller, credit });
    try {
      const result = await callTRPCProcedure({
        router, path, type, ctx: await getContext(), getRawInput: async () => input, signal: controller.signal, batchIndex: 0,
      });
      if (!isIterableResult(result)) {
        throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `Subscription ${path} did not return an async iterable` });
      }
      if (controller.signal.aborted) {
        await pumpSubscription(result, controller, () => {});
      } else {
        send({ id, jsonrpc, result: { type: 'started' } });
        await pumpSubscription(result, controller, (event) => send({ id, jsonrpc, result: event }), credit);
      }
      send({ id, jsonrpc, result: { type: 'stopped' } });
    } catch (cause) {
      // A procedure that gives up because the client stopped it is a stop, not a failure.
      if (controller.signal.reason === STOPPED) send({ id, jsonrpc, result: { type: 'stopped' } });
      else sendError(id, cause, call);
      controller.abort();
    } finally {
      subscriptions.delete(id);
    }
  }

  return {
    activeSubscriptions: () => subscriptions.size,
    activeCalls: () => calls.size,
    unackedMessages: () => {
      let n = 0;
      for (const { credit } of subscriptions.values()) n += credit.pending;
      return n;
    },
    close,
  };
}
