import { BYE_MESSAGE, isByeMessage, type RpcPort } from './types';

/**
 * Turns a raw endpoint into an RpcPort. The raw endpoint gets exactly one message listener and
 * one close listener for its whole life, however many RpcPort listeners come and go, so
 * subscribe/unsubscribe churn can never grow the listener list of the underlying port.
 */

/** What an adapter must supply about the raw endpoint it wraps. */
export interface RawEndpoint {
  send(message: unknown): void;
  /** Attach the single message listener; returns its detach function. */
  listen(onMessage: (message: unknown) => void): () => void;
  /** Attach the close listener when the endpoint has a close signal; returns its detach. */
  listenClose?(onClose: () => void): () => void;
  /** Close the raw endpoint (after the bye was sent). */
  close(): void;
}

/** An RpcPort that also reports how many listeners it holds (for leak tests). */
export interface CountedPort extends RpcPort {
  listenerCount(): number;
}

/** Messages held for a port nobody listens to yet; past this the peer is misbehaving. */
const MAX_EARLY_MESSAGES = 10_000;

export function createPort(raw: RawEndpoint): CountedPort {
  const messageListeners = new Set<(message: unknown) => void>();
  const closeListeners = new Set<() => void>();
  let closed = false;
  // Like a MessagePort before start(): what arrives before the first listener waits for it, so
  // a client that calls at once is not lost while the service is still booting.
  let early: unknown[] | null = [];

  const detachMessage = raw.listen((message) => {
    if (closed) return;
    if (isByeMessage(message)) {
      finish(false);
      return;
    }
    if (early) {
      if (early.length < MAX_EARLY_MESSAGES) early.push(message);
      return;
    }
    // Copy: a listener may unsubscribe (or subscribe) while we dispatch.
    for (const listener of [...messageListeners]) listener(message);
  });
  const detachClose = raw.listenClose?.(() => finish(false)) ?? (() => {});

  function finish(sayBye: boolean): void {
    if (closed) return;
    closed = true;
    if (sayBye) {
      try {
        raw.send(BYE_MESSAGE);
      } catch {
        // the peer is already gone; the close below is all that is left to do
      }
    }
    early = null;
    detachMessage();
    detachClose();
    try {
      raw.close();
    } catch {
      // closing a dead endpoint is not an error worth surfacing
    }
    messageListeners.clear();
    const listeners = [...closeListeners];
    closeListeners.clear();
    for (const listener of listeners) listener();
  }

  return {
    get closed() {
      return closed;
    },
    postMessage(message) {
      if (closed) throw new Error('Cannot post on a closed port');
      raw.send(message);
    },
    onMessage(listener) {
      if (closed) return () => {};
      // Wrap so the same function registered twice counts twice, like addEventListener would not.
      const entry = (m: unknown) => listener(m);
      messageListeners.add(entry);
      if (early) {
        const held = early;
        early = null;
        for (const m of held) if (!closed) entry(m);
      }
      return () => messageListeners.delete(entry);
    },
    onClose(listener) {
      if (closed) {
        listener();
        return () => {};
      }
      const entry = () => listener();
      closeListeners.add(entry);
      return () => closeListeners.delete(entry);
    },
    close() {
      finish(true);
    },
    listenerCount() {
      return messageListeners.size + closeListeners.size;
    },
  };
}
