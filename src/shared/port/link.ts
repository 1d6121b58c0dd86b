import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { PortConnection, PortClosedError } from './connection';
import type { RpcPort } from './types';

/**
 * A terminating tRPC v11 link over an RpcPort. Give it a port for a fixed connection, or a
 * PortConnection (with `resubscribe: true`) that a supervisor feeds new ports after a restart.
 * Values travel as structured clones, so no transformer is needed (nor supported).
 */

export type PortLinkOptions = { port: RpcPort } | { connection: PortConnection };

export function portLink<TRouter extends AnyTRPCRouter>(opts: PortLinkOptions): TRPCLink<TRouter> {
  const connection = 'connection' in opts ? opts.connection : new PortConnection({ port: opts.port });
  return () =>
    ({ op }) =>
      observable((observer) => {
        const input = op.input as { lastEventId?: unknown } | undefined;
        // A caller resuming by hand (`{lastEventId}` in the input) also gets it on the wire.
        const lastEventId =
          op.type === 'subscription' && typeof input?.lastEventId === 'string' ? input.lastEventId : undefined;
        const cancel = connection.request(
          { type: op.type, path: op.path, input: op.input, lastEventId },
          {
            result(result) {
              if (result.type === 'started' || result.type === 'stopped') observer.next({ result, context: op.context });
              else observer.next({ result: { type: 'data', data: result.data, id: result.id }, context: op.context });
            },
            error(error) {
              observer.error(
                error instanceof PortClosedError
                  ? TRPCClientError.from(error, { cause: error })
                  : TRPCClientError.from(error as Parameters<typeof TRPCClientError.from>[0]),
              );
            },
            complete() {
              observer.complete();
            },
            state(state, error) {
              const clientError = error ? TRPCClientError.from(error, { cause: error }) : null;
              observer.next({
                result: state === 'connecting' ? { type: 'state', state, error: clientError } : { type: 'state', state, error: null },
                context: op.context,
              });
            },
          },
        );
        const onAbort = () => observer.complete();
        op.signal?.addEventListener('abort', onAbort, { once: true });
        return () => {
          op.signal?.removeEventListener('abort', onAbort);
          cancel();
        };
      });
}

/** True when a client call failed because the port closed (not because the server said no). */
export function isPortClosedError(error: unknown): boolean {
  return error instanceof PortClosedError || (error instanceof TRPCClientError && error.cause instanceof PortClosedError);
}
