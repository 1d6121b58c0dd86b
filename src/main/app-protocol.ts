import path from 'node:path';

/**
 * The renderer is served from `app://playlistify/` (Electron's protocol.handle) instead of
 * file://: the page gets a real origin to post its port to, file:// privileges stay off (see the
 * GrantFileProtocolExtraPrivileges fuse), and every response carries our CSP header.
 * Electron-free: the handler is a plain `(Request) => Promise<Response>` over an injected
 * readFile, so tests drive it under Node with the same Request/Response classes Electron uses.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'playlistify';
/** The page's origin; the preload posts the port to it and main checks frames against it. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Where a request for our scheme leads: a file under the root, or a refusal with its status. */
export type AppPathResult = { ok: true; file: string; contentType: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps `app://playlistify/<path>` to a file under `root`. Refuses other hosts, encoded
 * separators and NULs, and anything that resolves outside the root (`..` in any spelling: the
 * URL parser folds plain and %2e dots, decoding may reveal more, so the final check is on the
 * resolved path, not on the text).
 */
export function resolveAppPath(url: string, root: string): AppPathResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { ok: false, status: 404, reason: 'unknown host' };
  if (/%2f|%5c|%00/i.test(parsed.pathname)) return { ok: false, status: 400, reason: 'encoded separator or NUL' };
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  const inside = path.relative(base, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return { ok: false, status: 403, reason: 'outside the app folder' };
  const contentType = MIME[path.extname(file).toLowerCase()];
  if (!contentType) return { ok: false, status: 404, reason: 'not an app asset' };
  return { ok: true, file, contentType };
}

export interface AppProtocolDeps {
  /** The built renderer folder (out/renderer, inside the asar when packaged). */
  root: string;
  readFile(file: string): Promise<Uint8Array>;
  /** The Content-Security-Policy header every page response carries. */
  csp: string;
}

/** The handler given to protocol.handle(APP_SCHEME, ...). */
export function createAppProtocolHandler(deps: AppProtocolDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    const target = resolveAppPath(request.url, deps.root);
    if (!target.ok) return refuse(target.status, target.reason);
    let body: Uint8Array;
    try {
      body = await deps.readFile(target.file);
    } catch {
      return refuse(404, 'not found');
    }
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: {
        'Content-Type': target.contentType,
        'Content-Security-Policy': deps.csp,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      },
    });
  };
}

function refuse(status: number, reason: string): Response {
  return new Response(reason, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * True when a frame's URL belongs to our page: the app origin, or in development the dev
 * server's origin. Checked on every port and diagnostics request, so a frame that somehow
 * navigated elsewhere (or a subframe) gets no capability.
 */
export function isTrustedPageUrl(url: string, allowedOrigins: readonly string[]): boolean {
  let origin: string;
  try {
    const parsed = new URL(url);
    // Custom schemes have an opaque URL.origin in Node; compare scheme://host ourselves.
    origin = `${parsed.protocol}//${parsed.host}`;
  } catch {
    return false;
  }
  return allowedOrigins.includes(origin);
}

/** The parts of an IPC event the sender check reads (Electron's IpcMainEvent has them). */
export interface IpcSenderLike<F extends { url: string }> {
  senderFrame: F | null;
  sender: { mainFrame: F };
}

/**
 * An IPC request comes from our page only if it is the top frame of its webContents and that
 * frame's current URL has a trusted origin. Checked on every port, diagnostics and logs request.
 */
export function isTrustedSender<F extends { url: string }>(event: IpcSenderLike<F>, allowedOrigins: readonly string[]): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame === event.sender.mainFrame && isTrustedPageUrl(frame.url, allowedOrigins);
}
