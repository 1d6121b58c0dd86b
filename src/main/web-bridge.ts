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
/** Larger frames are refused: no legitimate request is near this size. */
const MAX_FRAME_CHARS = 4 * 1024 * 1024;

export function bridgeSocket(socket: SocketLike, port: RpcPort): void {
  const offMessage = port.onMessage((message) => {
    if (socket.readyState !== OPEN) return;
    socket.send(JSON.stringify(message));
  });
  const offClose = port.onClose(() => {
    offMessage();
    if (socket.readyState === OPEN) socket.close(CLOSE_SERVICE_RESTART, 'service port closed');
  });
  socket.on('message', (data, isBinary) => {
    if (isBinary || port.closed) return;
    const text = String(data);
    if (text.length > MAX_FRAME_CHARS) {
      socket.close(1009, 'frame too large');
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
