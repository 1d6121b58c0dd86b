import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * Serves the built renderer for the browser dev host: GET/HEAD only, files confined to one
 * folder, the app's CSP on every response, no directory listings. Any web page the user visits
 * can make the browser request any path here (`<img src="http://127.0.0.1:5174/%00">` once
 * killed the host: fs.stat throws synchronously on a NUL), so nothing on this path may throw:
 * the request path is checked by a pure function that refuses rather than guesses, and every
 * file-system call's failure becomes a status code.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** Longest request path we look at; the renderer's own paths are a few dozen characters. */
const MAX_PATH_CHARS = 1_024;

/**
 * The file under `base` that a request target names, or null when it is not a plain path that
 * stays inside `base` (absolute-form targets, bad percent-encoding, NUL, backslash, `.`/`..`
 * segments, overlong paths). Never throws.
 */
export function resolveRequestPath(base: string, target: string | undefined): string | null {
  const raw = target ?? '/';
  if (raw.length > MAX_PATH_CHARS || !raw.startsWith('/') || raw.startsWith('//')) return null;
  const end = raw.search(/[?#]/);
  let decoded: string;
  try {
    decoded = decodeURIComponent(end === -1 ? raw : raw.slice(0, end));
  } catch {
    return null;
  }
  if (/[\0\\]/.test(decoded)) return null;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  const file = path.resolve(base, decoded === '/' ? 'index.html' : `.${decoded}`);
  return file.startsWith(base + path.sep) ? file : null;
}

export function staticHandler(root: string, csp: string): (req: IncomingMessage, res: ServerResponse) => void {
  const base = path.resolve(root);
  const fail = (res: ServerResponse, status: number, text: string) => {
    if (res.headersSent) res.destroy();
    else res.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
  };
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveRequestPath(base, req.url);
    if (file === null) {
      fail(res, 400, 'bad path');
      return;
    }
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) {
        fail(res, 404, 'not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': stat.size });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      // The file may vanish or turn unreadable after the stat: an unhandled stream error would
      // crash the host, so it only ends this response.
      const stream = fs.createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    });
  };
  return (req, res) => {
    try {
      serve(req, res);
    } catch {
      fail(res, 500, 'internal error');
    }
  };
}
