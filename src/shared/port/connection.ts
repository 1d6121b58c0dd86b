import { AckBatcher } from './acks';
import { overflowResumeId } from './errors';
import { isResponseMessage, type AckMessage, type CallMessage, type ProcedureKind, type ResponseMessage, type ResultBody } from './protocol';
import type { RpcPort } from './types';

/**
 * The client side of the wire: numbers requests, routes responses, and survives a port swap.
 * A supervisor that restarts the service hands the connection a new port with `setPort`; every
 * live subscription is sent again on it with the last tracked id it saw, so the server replays
 * from there. Queries and mutations in flight when a port closes fail at once: re-sending a
 * mutation could apply it twice.
 *
 * Subscriptions are flow-controlled (protocol.ts): data handed to the owner is acknowledged, so
 * the server pulls only as fast as this side consumes. A subscription the service ends for
 * falling behind anyway (CONFLICT `watch-overflow`) is re-sent from the lastEventId it names;
 * the journal replay fills the gap, and the owner never sees the hiccup.
 */

/** Why a call failed without a server answer: the port closed or there was none. */
export class PortClosedError extends Error {
  override readonly name = 'PortClosedError';
}

/** What a request's owner hears; `error` receives either a server error shape or a PortClosedError. */
export interface RequestCallbacks {
  result(result: ResultBody): void;
  error(error: PortClosedError | ResponseMessage & { error: unknown }): void;
  complete(): void;
  /** Subscriptions only: the port dropped (`connecting`) or a new one took over (`pending`). */
  state?(state: 'connecting' | 'pending', error: PortClosedError | null): void;
}

export interface RequestSpec {
  type: ProcedureKind;
  path: string;
  input: unknown;
  lastEventId?: string;
}

interface Pending {
  message: CallMessage;
  callbacks: RequestCallbacks;
  /** A resumed subscription starts again on the new port; its owner hears `started` once. */
  started?: boolean;
  /** The lastEventId of the last overflow resume: a second overflow at the same point means no progress. */
  overflowFrom?: string;
}

export interface PortConnectionOptions {
  port?: RpcPort | null;
  /** Keep subscriptions across a closed port until `setPort` (default false: they fail). */
  resubscribe?: boolean;
}

export class PortConnection {
  private port: RpcPort | null = null;
  private detach: Array<() => void> = [];
  private lastId = 0;
  /** Keyed by the id on the wire, which changes when a subscription is re-sent. */
  private readonly pending = new Map<number, Pending>();
  /** Subscriptions waiting for a new port. */
  private readonly parked = new Set<Pending>();
  private readonly resubscribe: boolean;
  /** Keyed by wire id: a re-sent subscription is a new server-side one with a window of its own. */
  private readonly acks = new AckBatcher<number>((id, count) => this.postAck(id, count));

  constructor(opts: PortConnectionOptions = {}) {
    this.resubscribe = opts.resubscribe ?? false;
    if (opts.port) this.setPort(opts.port);
  }

  /** Requests awaiting an answer or parked for a new port, plus subscriptions owing an ack (for leak tests). */
  get size(): number {
    return this.pending.size + this.parked.size + this.acks.size;
  }

  get connected(): boolean {
    return this.port !== null && !this.port.closed;
  }

  /** Attaches a new port (closing any old one) and re-sends parked subscriptions on it. */
  setPort(port: RpcPort): void {
    if (this.port && !this.port.closed) {
      const old = this.port;
      this.dropPort(new PortClosedError('The port was replaced'));
      old.close();
    }
    this.port = port;
    this.detach = [port.onMessage((m) => this.onMessage(m)), port.onClose(() => this.dropPort(new PortClosedError('The service port closed')))];
    if (port.closed) return;
    const resumed = [...this.parked];
    this.parked.clear();
    for (const request of resumed) {
      request.callbacks.state?.('pending', null);
      this.send(request);
    }
  }

  request(spec: RequestSpec, callbacks: RequestCallbacks): () => void {
    const params: CallMessage['params'] = { path: spec.path, input: spec.input };
    if (spec.lastEventId !== undefined) params.lastEventId = spec.lastEventId;
    const request: Pending = { message: { id: 0, method: spec.type, params }, callbacks };
    if (!this.connected && !(spec.type === 'subscription' && this.resubscribe)) {
      callbacks.error(new PortClosedError('Not connected to the service'));
      return () => {};
    }
    if (this.connected) this.send(request);
    else this.parked.add(request);
    return () => this.cancel(request);
  }

  /** Fails everything and closes the port; the connection stays usable with a new setPort. */
  close(): void {
    const port = this.port;
    const parked = [...this.parked];
    this.parked.clear();
    const error = new PortClosedError('The client closed the connection');
    for (const request of parked) request.callbacks.error(error);
    this.dropPort(error, false);
    port?.close();
  }

  private send(request: Pending): void {
    const id = ++this.lastId;
    request.message.id = id;
    this.pending.set(id, request);
    try {
      this.port!.postMessage(request.message);
    } catch (cause) {
      this.pending.delete(id);
      request.callbacks.error(new PortClosedError(`Could not send the request: ${(cause as Error)?.message ?? String(cause)}`));
    }
  }

  private cancel(request: Pending): void {
    this.parked.delete(request);
    const id = request.message.id as number;
    if (this.pending.get(id) !== request) return;
    this.pending.delete(id);
    this.acks.forget(id);
    if (request.message.method === 'subscription' && this.connected) {
      try {
        this.port!.postMessage({ id, method: 'subscription.stop' });
      } catch {
        // the port is going away; the server aborts everything on close anyway
      }
    }
  }

  private dropPort(error: PortClosedError, park = this.resubscribe): void {
    for (const off of this.detach) off();
    this.detach = [];
    this.port = null;
    const requests = [...this.pending.values()];
    this.pending.clear();
    this.acks.clear();
    for (const request of requests) {
      if (park && request.message.method === 'subscription') {
        this.parked.add(request);
        request.callbacks.state?.('connecting', error);
      } else {
        request.callbacks.error(error);
      }
    }
  }

  private onMessage(raw: unknown): void {
    if (!isResponseMessage(raw) || typeof raw.id !== 'number') return;
    const request = this.pending.get(raw.id);
    if (!request) return;
    if ('error' in raw) {
      this.pending.delete(raw.id);
      this.acks.forget(raw.id);
      if (request.message.method === 'subscription' && this.resumeAfterOverflow(request, raw.error)) return;
      request.callbacks.error(raw);
      return;
    }
    const result = raw.result;
    if (request.message.method !== 'subscription') {
      this.pending.delete(raw.id);
      request.callbacks.result(result);
      request.callbacks.complete();
      return;
    }
    // Remembered so a re-sent subscription resumes after the last event it delivered.
    if (result.type === 'data' && result.id !== undefined) request.message.params.lastEventId = String(result.id);
    if (result.type === 'started') {
      if (request.started) return;
      request.started = true;
    }
    if (result.type === 'stopped') {
      this.pending.delete(raw.id);
      this.acks.forget(raw.id);
      request.callbacks.complete();
      return;
    }
    try {
      request.callbacks.result(result);
    } finally {
      // Acknowledged once the owner has had it (its onData returned), unless it stopped meanwhile.
      if (result.type === 'data' && this.pending.get(raw.id) === request) this.acks.received(raw.id);
    }
  }

  /** Re-sends a subscription the service ended with watch-overflow; false when it is not that, or it made no progress. */
  private resumeAfterOverflow(request: Pending, shape: unknown): boolean {
    const from = overflowResumeId(shape);
    if (from === null || !this.connected || from === request.overflowFrom) return false;
    request.overflowFrom = from;
    request.message.params.lastEventId = from;
    this.send(request);
    return true;
  }

  private postAck(id: number, count: number): void {
    if (!this.pending.has(id) || !this.connected) return;
    const ack: AckMessage = { id, method: 'subscription.ack', params: { count } };
    try {
      this.port!.postMessage(ack);
    } catch {
      // the port is going away; its close parks or fails the subscription
    }
  }
}
