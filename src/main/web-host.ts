import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RpcPort } from '../shared/port/types';
import { contentSecurityPolicy } from './security';
import { staticHandler } from './static-server';
import { CLOSE_TRY_AGAIN, MAX_FRAME_BYTES, bridgeSocket } from './web-bridge';

/**
 * The browser dev host's HTTP side (plain Node, never Electron): serves the built renderer on
 * 127.0.0.1 and upgrades `/service` to a WebSocket piped to a fresh service port. Only pages
 * from this very origin may connect, so another site open in the browser cannot drive the
 * loopback service (cross-site WebSocket hijacking, DNS rebinding).
 */

export interface WebHostOptions {
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** A new service port for a client, or null while the service is not ready. */
  connect(clientId: string): RpcPort | null;
}

export interface WebHost {
  url: string;
  close(): Promise<void>;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  let origin = '';
  // The page may be opened as 127.0.0.1 or as localhost; either way the socket must come from
  // the very origin the page was served from (Origin = http://<Host>), and only these two hosts.
  let allowed = new Set<string>();
  const server = http.createServer();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => serve(req, res);
  let serve: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  server.on('request', handler);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let seq = 0;
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const from = `http://${req.headers.host}`;
    if (url.pathname !== '/service' || !allowed.has(from) || req.headers.origin !== from) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const port = opts.connect(`web-${++seq}`);
      if (port === null) {
        ws.close(CLOSE_TRY_AGAIN, 'service not ready');
        return;
      }
      bridgeSocket(ws, port);
    });
  });
  server.listen(opts.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  allowed = new Set([origin, `http://localhost:${port}`]);
  serve = staticHandler(opts.rendererDir, contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]));
  return {
    url: `${origin}/`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
