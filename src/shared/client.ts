import { createTRPCClient, type TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import type { AppRouter } from '../task-service/rpc/router';
import { PortConnection } from './port/connection';
import { portLink } from './port/link';
import type { RpcPort } from './port/types';

/**
 * The client entry point: a typed tRPC client over the service's MessagePort wire, with
 * reconnection and resubscription wired in. Ports come and go beneath it (a service restart,
 * a dropped WebSocket); live subscriptions are re-sent on the next port with the last event id
 * they saw, so the journal replays the gap. Queries and mutations in flight when a port closes
 * fail at once (re-sending a mutation could apply it twice).
 *
 * Two ways to get ports: pass `open` and the client opens one now and again each time it
 * closes (with backoff); or push them with `setPort` (Electron: the preload forwards a new port
 * after every restart). Runs anywhere: no node: or electron imports; only the router's type.
 */

export interface ServiceClientOptions {
  /** A port to start on. */
  port?: RpcPort;
  /** Opens a port to the service; called at once and again, with backoff, whenever it closes. */
  open?: () => RpcPort;
  /** Reopen delay: starts at initialMs, doubles up to maxMs; a port that carried a message resets it. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** The port closed; subscriptions wait for the next one, other calls fail until it comes. */
  onDisconnect?: () => void;
}

export interface TaskServiceClient<TRouter extends AnyTRPCRouter = AppRouter> {
  /** The typed client: `client.trpc.tasks.create.mutate(...)`, `client.trpc.tasks.watch.subscribe(...)`. */
  readonly trpc: TRPCClient<TRouter>;
  /** Hands the client a new port (the old one, if open, is closed); subscriptions resume on it. */
  setPort(port: RpcPort): void;
  readonly connected: boolean;
  /** Fails everything in flight, closes the port and stops reopening. */
  close(): void;
}

export function createServiceClient<TRouter extends AnyTRPCRouter = AppRouter>(opts: ServiceClientOptions = {}): TaskServiceClient<TRouter> {
  const connection = new PortConnection({ resubscribe: true });
  const trpc = createTRPCClient<TRouter>({ links: [portLink<TRouter>({ connection })] });
  const initialMs = opts.backoff?.initialMs ?? 250;
  const maxMs = opts.backoff?.maxMs ?? 5_000;
  let delay = initialMs;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: RpcPort | null = null;

  const reopen = (): void => {
    timer = undefined;
    if (closed || !opts.open) return;
    let port: RpcPort;
    try {
      port = opts.open();
    } catch {
      schedule(); // the host is not there yet: try again later
      return;
    }
    use(port);
  };
  const schedule = (): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(reopen, delay);
    delay = Math.min(delay * 2, maxMs);
  };
  const use = (port: RpcPort): void => {
    current = port;
    // A port that carried traffic was a working connection: the next reopen is quick again.
    const offMessage = port.onMessage(() => {
      delay = initialMs;
      offMessage();
    });
    port.onClose(() => {
      offMessage();
      if (closed || current !== port) return; // replaced on purpose, or we are closing
      opts.onDisconnect?.();
      if (opts.open) schedule();
    });
    connection.setPort(port);
  };

  if (opts.port) use(opts.port);
  else if (opts.open) reopen();

  return {
    trpc,
    setPort: use,
    get connected() {
      return connection.connected;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      connection.close();
    },
  };
}
