import { leadingId, rejectionResponse, textProblem, WIRE_LIMITS } from '../shared/port/guard';
import type { RpcPort } from '../shared/port/types';

/**
 * Pipes one browser WebSocket to one service port for the browser dev host: JSON text on the
 * socket, structured clones on the port. Either side closing closes the other, so a service
 * restart reaches the page as a dropped socket and the page reconnects for a fresh port.
 */

/** The parts of a `ws` WebSocket we use. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const OPEN = 1;
/** Close codes the page sees: the service is restarting / not up yet; try again. */
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_TRY_AGAIN = 1013;
/** The service will not come back (the supervisor gave up); the close reason says why. */
export const CLOSE_GAVE_UP = 4000;

/** A WebSocket close reason is at most 123 bytes of UTF-8: `text` cut to fit, whole characters. */
export function closeReason(text: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > 123) break;
    out += ch;
  }
  return out;
}
/** The socket's own frame limit (ws closes with 1009 beyond it): the wire guard's size. */
export const MAX_FRAME_BYTES = WIRE_LIMITS.bytes;

export function bridgeSocket(socket: SocketLike, port: RpcPort): void {
  const offMessage = port.onMessage((message) => {
    if (socket.readyState !== OPEN) return;
    // Runs inside the port's dispatch (and so inside the IPC reader): a throw here would take
    // the whole host down, so a reply that cannot be JSON is dropped instead.
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch {
      return;
    }
    socket.send(text);
  });
  const offClose = port.onClose(() => {
    offMessage();
    if (socket.readyState === OPEN) socket.close(CLOSE_SERVICE_RESTART, 'service port closed');
  });
  socket.on('message', (data, isBinary) => {
    if (isBinary || port.closed) return;
    const text = String(data);
    // The wire guard before JSON.parse: a deep message parses fine here but overflows the stack
    // of whoever walks it next. Refused with the BAD_INPUT the service would give, when the
    // request's id can be read without parsing; the socket stays open either way.
    const problem = textProblem(text);
    if (problem !== null) {
      const id = leadingId(text);
      if (id !== null) socket.send(JSON.stringify(rejectionResponse(id, problem)));
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      socket.close(1007, 'not JSON');
      return;
    }
    try {
      port.postMessage(message);
    } catch {
      socket.close(CLOSE_SERVICE_RESTART, 'service port closed');
    }
  });
  const closePort = () => {
    offClose();
    offMessage();
    port.close();
  };
  socket.on('close', closePort);
  socket.on('error', closePort);
}
