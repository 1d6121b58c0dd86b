import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny video site on 127.0.0.1 that yt-dlp's generic extractor understands offline: an RSS
 * feed with <enclosure>s, HTML pages with a <video> (and one without), media files with
 * Range/If-Range/HEAD, and signed media URLs that answer 403 once revoked, as a CDN's do when
 * they expire (revoked by the test, not by a clock, so a slow yt-dlp on a loaded machine does
 * not expire them early).
 * Stats count media body bytes per request and method, so tests can prove "fetched nothing".
 */

export interface Media {
  bytes: Buffer;
  /** Bumped by `replace`; part of the ETag. */
  version: number;
  /** Cut the connection after this many body bytes, on the first `cutTimes` GETs. */
  cutAfter?: number;
  cutTimes?: number;
  bytesPerSecond?: number;
  /** GETs served (not refused), for cutTimes. */
  served?: number;
}

export interface MediaHit {
  method: string;
  status: number;
  range: string | undefined;
  bodyBytes: number;
}

export interface MediaSite {
  readonly origin: string;
  url(path: string): string;
  /** Adds or replaces media `name` (served at /media/<name> and /signed/<name>). */
  media(name: string, bytes: Buffer, opts?: Omit<Media, 'bytes' | 'version'>): void;
  /** New content for `name` (new ETag), as when the uploader replaces a video. */
  replace(name: string, bytes: Buffer): void;
  /** /page/<page>: an HTML page whose <video> points at `name`; `signed`: a URL `expire` can revoke ('dead': born revoked). */
  page(page: string, title: string, name: string, signed?: 'signed' | 'dead'): void;
  /** Every signed URL handed out so far now answers 403. */
  expire(): void;
  /** /feed.xml: an RSS feed; items without guid get none. */
  feed(title: string, items: Array<{ title: string; name: string; guid?: string; href?: string }>): void;
  /** Serves `value` as application/json at `path` (a playlist manifest). */
  json(path: string, value: unknown): void;
  hits(name: string): MediaHit[];
  /** GETs of /page/<page> (one per resolve by yt-dlp). */
  pageHits(page: string): number;
  close(): Promise<void>;
}

export function bytesOf(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(String(seed)).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startMediaSite(): Promise<MediaSite> {
  const media = new Map<string, Media>();
  const pages = new Map<string, { title: string; name: string; signed?: 'signed' | 'dead' }>();
  let nextSig = 1;
  let validFrom = 1;
  const hits = new Map<string, MediaHit[]>();
  const pageHits = new Map<string, number>();
  let feedXml = '';
  const jsons = new Map<string, string>();
  let origin = '';

  async function serveMedia(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = media.get(name);
    const log = hits.get(name) ?? [];
    hits.set(name, log);
    const hit: MediaHit = { method: req.method ?? 'GET', status: 404, range: req.headers.range, bodyBytes: 0 };
    log.push(hit);
    if (!m) return void res.writeHead(404).end();
    const etag = `"${name}-v${m.version}"`;
    const size = m.bytes.length;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (ifRange === undefined || ifRange === etag)) start = Number(range[1]);
    if (start > size) return void ((hit.status = 416), res.writeHead(416, { 'content-range': `bytes */${size}` }).end());
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'video/mp4', etag, 'accept-ranges': 'bytes', 'content-length': size - start };
    if (start > 0 || range) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    hit.status = range && start === Number(range[1]) && (ifRange === undefined || ifRange === etag) ? 206 : 200;
    if (hit.status === 200) delete headers['content-range'];
    res.writeHead(hit.status, headers);
    if (req.method === 'HEAD') return void res.end();
    const getIndex = (m.served = (m.served ?? 0) + 1);
    const cut = m.cutAfter !== undefined && getIndex <= (m.cutTimes ?? 1) ? m.cutAfter : Infinity;
    for (let off = start; off < size; ) {
      const piece = m.bytes.subarray(off, Math.min(size, off + 16 * 1024, start + cut));
      if (piece.length === 0) break;
      if (m.bytesPerSecond) await sleep((piece.length / m.bytesPerSecond) * 1000);
      if (res.destroyed) return;
      off += piece.length;
      hit.bodyBytes += piece.length;
      if (!res.write(piece)) await once(res, 'drain');
    }
    if (hit.bodyBytes >= cut) return void res.write('', () => req.socket.destroy());
    res.end();
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, kind, name = ''] = url.pathname.split('/');
    const json = jsons.get(url.pathname);
    if (json !== undefined) return void res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    if (url.pathname === '/feed.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedXml);
    if (url.pathname === '/empty') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>No video here</title></head><body><p>Just text.</p></body></html>');
    if (kind === 'page') {
      const p = pages.get(name);
      if (!p) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<html>gone</html>');
      pageHits.set(name, (pageHits.get(name) ?? 0) + 1);
      const src = p.signed === undefined ? `/media/${p.name}` : `/signed/${p.name}?sig=${p.signed === 'dead' ? 0 : nextSig++}`;
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><head><title>${p.title}</title></head><body><video src="${src}"></video></body></html>`);
    }
    if (kind === 'signed') {
      if (!(Number(url.searchParams.get('sig')) >= validFrom)) {
        const log = hits.get(name) ?? [];
        hits.set(name, log);
        log.push({ method: req.method ?? 'GET', status: 403, range: req.headers.range, bodyBytes: 0 });
        return void res.writeHead(403, { 'content-type': 'text/plain' }).end('expired');
      }
    }
    if (kind === 'media' || kind === 'signed') {
      serveMedia(name, req, res).catch(() => res.destroy());
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (p) => origin + p,
    media: (name, bytes, opts = {}) => void media.set(name, { bytes, version: 1, ...opts }),
    replace: (name, bytes) => {
      const m = media.get(name)!;
      Object.assign(m, { bytes, version: m.version + 1, cutAfter: undefined });
    },
    page: (page, title, name, signed) => void pages.set(page, signed === undefined ? { title, name } : { title, name, signed }),
    expire: () => void (validFrom = nextSig),
    feed: (title, items) => {
      const entries = items.map((i) => `<item><title>${xml(i.title)}</title>${i.guid ? `<guid>${xml(i.guid)}</guid>` : ''}<enclosure url="${i.href ?? `${origin}/media/${i.name}`}" type="video/mp4" length="${media.get(i.name)?.bytes.length ?? 0}"/></item>`);
      feedXml = `<?xml version="1.0"?><rss version="2.0"><channel><title>${xml(title)}</title><link>${origin}/</link>${entries.join('')}</channel></rss>`;
    },
    json: (p, value) => void jsons.set(p, JSON.stringify(value)),
    hits: (name) => hits.get(name) ?? [],
    pageHits: (page) => pageHits.get(page) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
