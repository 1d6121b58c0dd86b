/**
 * The minimal port every transport is reduced to. Node `worker_threads` ports, DOM
 * MessagePorts, Electron's MessagePortMain and the Node host's virtual ports all become one of
 * these, so the RPC adapter and link never know which one they are talking over.
 */

/** A bidirectional message channel end; `onMessage`/`onClose` return an unsubscribe function. */
export interface RpcPort {
  /** Sends a structured-cloneable value; throws when the value cannot be cloned. */
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** Fires once, when either side closes; a listener added after the close runs at once. */
  onClose(listener: () => void): () => void;
  /** Idempotent; tells the peer (protocol-level "bye") and fires onClose locally. */
  close(): void;
  readonly closed: boolean;
}

/**
 * The protocol-level goodbye. Not every DOM MessagePort fires `close` when its peer goes away,
 * so a port closed on purpose says so in-band; shaped like tRPC's `{id: null, method}`
 * notifications so it cannot be mistaken for a request or a response.
 */
export const BYE_MESSAGE = Object.freeze({ id: null, method: 'port.bye' } as const);

export function isByeMessage(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { method?: unknown }).method === 'port.bye' &&
    (message as { id?: unknown }).id === null
  );
}
