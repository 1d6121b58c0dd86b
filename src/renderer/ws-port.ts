import { createPort } from '../shared/port/create-port';
import type { RpcPort } from '../shared/port/types';

/**
 * An RpcPort over a WebSocket, for the browser dev host: the same wire messages as a
 * MessagePort, as JSON text (task data is plain JSON by contract). Messages posted before the
 * socket opens are queued, so the caller can use the port at once. The dev host only accepts
 * sockets that present its per-run secret, which it hands the page in the URL's fragment.
 */

/** `url` with the page's `#token=...` (if any) as its `?token=` query parameter. */
export function withPageToken(url: string, pageHash: string): string {
  const token = new URLSearchParams(pageHash.replace(/^#/, '')).get('token');
  if (!token) return url;
  const target = new URL(url);
  target.searchParams.set('token', token);
  return target.toString();
}
/** The dev host's close code for "the service will not come back" (src/main/web-bridge.ts). */
export const CLOSE_GAVE_UP = 4000;

/** `onGaveUp` hears the host's reason when it closes the socket with CLOSE_GAVE_UP. */
export function webSocketPort(url: string, onGaveUp?: (reason: string) => void): RpcPort {
  const ws = new WebSocket(withPageToken(url, typeof location === 'undefined' ? '' : location.hash));
  ws.addEventListener('close', (event: CloseEvent) => {
    if (event.code === CLOSE_GAVE_UP) onGaveUp?.(event.reason);
  });
  const queue: string[] = [];
  ws.addEventListener('open', () => {
    for (const text of queue.splice(0)) ws.send(text);
  });
  return createPort({
    send(message) {
      const text = JSON.stringify(message);
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
      else if (ws.readyState === WebSocket.CONNECTING) queue.push(text);
      else throw new Error('The WebSocket is closed');
    },
    listen(onMessage) {
      const listener = (event: MessageEvent) => {
        if (typeof event.data !== 'string') return;
        try {
          onMessage(JSON.parse(event.data));
        } catch {
          // not ours: a malformed frame is dropped, the protocol ignores unknown messages
        }
      };
      ws.addEventListener('message', listener);
      return () => ws.removeEventListener('message', listener);
    },
    listenClose(onClose) {
      ws.addEventListener('close', onClose);
      return () => ws.removeEventListener('close', onClose);
    },
    close: () => ws.close(),
  });
}
