import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RpcPort } from '../shared/port/types';
import { contentSecurityPolicy } from './security';
import { staticHandler } from './static-server';
import { CLOSE_GAVE_UP, CLOSE_TRY_AGAIN, MAX_FRAME_BYTES, bridgeSocket, closeReason } from './web-bridge';

/**
 * The browser dev host's HTTP side (plain Node, never Electron): serves the built renderer on
 * 127.0.0.1 and upgrades `/service` to a WebSocket piped to a fresh service port. Only pages
 * from this very origin may connect, so another site open in the browser cannot drive the
 * loopback service (cross-site WebSocket hijacking, DNS rebinding). The Origin header only
 * binds browsers, though: any local process can set it. So the socket also needs a per-run
 * secret, handed to the page in the fragment of the URL the host prints or opens
 * (`/#token=...`: a fragment is never sent in a request nor a Referer) and presented by the
 * page as `/service?token=...` (renderer/ws-port.ts). The page itself is not secret.
 */

export interface WebHostOptions {
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** A new service port for a client, or null while the service is not ready. */
  connect(clientId: string): RpcPort | null;
  /**
   * Why the service will not come back (the supervisor gave up, e.g. SERVICE_LOCKED: another
   * instance holds the data folder), or null. While set, a socket is closed with
   * CLOSE_GAVE_UP and this text, so the page can say it instead of "restarting" forever.
   */
  gaveUp?(): string | null;
  /** The per-run secret (tests); default 32 random bytes. */
  token?: string;
}

export interface WebHost {
  /** The page to open: the origin plus `/#token=<secret>`. */
  url: string;
  /** `http://127.0.0.1:<port>`, what a page from here sends as Origin. */
  origin: string;
  /** The per-run secret the WebSocket must present. */
  token: string;
  close(): Promise<void>;
}

/** True when the upgrade request presents `token` in `?token=`; constant-time, never throws. */
function presentsToken(target: string | undefined, token: Buffer): boolean {
  const query = target?.split('?')[1];
  if (!query) return false;
  let given: string | null;
  try {
    given = new URLSearchParams(query.split('#')[0]).get('token');
  } catch {
    return false;
  }
  const bytes = Buffer.from(given ?? '', 'utf8');
  return bytes.length === token.length && timingSafeEqual(bytes, token);
}

function requestPath(target: string | undefined): string {
  return (target ?? '').split('?')[0]!;
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
  const token = opts.token ?? randomBytes(32).toString('base64url');
  if (token.length < 16) throw new Error('The web host token must be at least 16 characters: it is what keeps other local processes out');
  const tokenBytes = Buffer.from(token, 'utf8');
  // Runs on raw bytes from anyone who can reach the port (`GET http://[` once crashed it: a URL
  // was parsed before any check). Nothing here may throw, and the socket needs its own error
  // listener until ws takes it over: a reset during our 403 would otherwise be uncaught.
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const from = `http://${req.headers.host ?? ''}`;
      const ok = requestPath(req.url) === '/service' && allowed.has(from) && req.headers.origin === from && presentsToken(req.url, tokenBytes);
      if (!ok) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        // A callback of ws's, outside the try above: a failing connect must not escape either.
        let port: RpcPort | null = null;
        try {
          port = opts.connect(`web-${++seq}`);
        } catch {
          port = null;
        }
        if (port === null) {
          const why = opts.gaveUp?.() ?? null;
          if (why !== null) ws.close(CLOSE_GAVE_UP, closeReason(why));
          else ws.close(CLOSE_TRY_AGAIN, 'service not ready');
          return;
        }
        bridgeSocket(ws, port);
      });
    } catch {
      socket.destroy();
    }
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
    url: `${origin}/#token=${token}`,
    origin,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
