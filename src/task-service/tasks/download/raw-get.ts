import net from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { RetryableError } from '../../engine/define';
import { abortedOr } from '../http-get';
import { parseHead } from './raw-head';
import { giveRing, RING, takeRing } from './ring-pool';

/**
 * A plain-http GET whose body is read straight into a reusable shared ring, for downloads.
 * node:http hands out a fresh 64 KiB buffer per socket read; at loopback speed that churn of
 * external memory made V8 run a full GC every few dozen MiB, and the parser and stream hops per
 * read cost as much again (bench/download.ts: about 4x curl's CPU time). Here the socket reads
 * into a SharedArrayBuffer ring (`onread`), each filled region is written to the .part (on this
 * thread while the disk keeps up, see inline-write.ts) and hashed on the hashing thread from the
 * same memory, and reused once both are done: no allocation per read and no copy besides the
 * kernel's. Only identity bodies with a Content-Length take this path (media servers send
 * that); anything else is answered by `fallback: true` and the caller asks again through
 * node:http. https always goes there too.
 */

/** A response whose body is pumped into the ring. */
export interface RawResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /**
   * Reads the body, calling `write` with each filled region in order (resolving once it is on
   * disk) and `hash` with the same bytes as soon as they are read (resolving once the hashing
   * thread is done with them). The two run side by side; a region is reused once both are done.
   * Resolves at the end of the body or of the connection (the caller checks the byte count),
   * after every write and hash has finished.
   */
  pump(write: (region: Buffer) => Promise<void>, hash: (region: Uint8Array) => Promise<void>): Promise<void>;
  /** Drops the connection (the body is not wanted). */
  close(): void;
}

/** Reading pauses when less than this is free (the flusher frees space as it goes). */
const MIN_READ = 256 * 1024;
const HEAD_LIMIT = 64 * 1024;
/** The largest single write. It bounds what a crash can lose past a checkpoint, and how long a
 * write on the main thread holds it (inline-write.ts: ~0.3 ms a MiB into the page cache). */
const MAX_WRITE = 1024 * 1024;
/** Read bytes are posted to the hashing thread once this many wait (or the ring is nearly full,
 * or the body is all in): one message per read cost the thread about as much as it hashed. */
const HASH_BATCH = 1024 * 1024;

/** GET over a fresh connection; resolves once the status line and headers are in. */
export function rawGet(url: URL, headers: Record<string, string>, signal: AbortSignal, idleTimeoutMs: number): Promise<RawResponse | { fallback: true }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    // Allocated once a body is wanted: a 403 or 416 needs no ring.
    let view: Buffer = Buffer.alloc(0);
    const head = Buffer.allocUnsafe(HEAD_LIMIT);
    const spill = Buffer.allocUnsafeSlow(64 * 1024);
    let headLen = 0;
    let inHead = true;
    let readPos = 0; // bytes of body read into the ring so far
    let releasedPos = 0; // bytes whose region is written and hashed: free again
    let flushedPos = 0; // bytes handed to `write`
    let writtenPos = 0; // bytes `write` is done with
    let postedPos = 0; // bytes handed to `hash`
    let hashedPos = 0; // bytes `hash` is done with
    /** The pump's hash feed; null until the caller pumps. */
    let hashRegion: ((region: Uint8Array) => Promise<void>) | null = null;
    /** Resolves once every posted hash is done (they finish in order). */
    let lastHash: Promise<void> = Promise.resolve();
    let remaining = 0;
    let ended = false;
    let failure: unknown = null;
    /** Ours, not the stream's: net.Socket restarts reads from read(0)/_read (stream bookkeeping)
     * even after pause(), so those two are gated on this flag below. */
    let paused = false;
    let wake: (() => void) | null = null;
    const poke = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const free = (): number => RING - (readPos - releasedPos);

    const socket = net.connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: {
        // Never a zero-length region: reading pauses while less than MIN_READ is free, and bytes
        // past the declared length (none, from an honest server) land in the scratch buffer.
        buffer: (): Uint8Array => {
          if (inHead) return head.subarray(headLen);
          if (remaining <= 0) return head;
          // net.Socket asks for the next buffer right after each read, even one that paused: a
          // paused reader gets the spill buffer, copied into the ring when the read happens
          // (after a resume, with at least MIN_READ free, so it always fits).
          if (paused || free() < MIN_READ) return spill;
          const off = readPos % RING;
          return view.subarray(off, off + Math.min(free(), RING - off, remaining));
        },
        callback: (n: number, buf: Uint8Array): boolean => {
          if (inHead) {
            onHead(n);
            return !paused;
          }
          if (remaining <= 0) return true;
          if (buf.buffer === spill.buffer) {
            const off = readPos % RING;
            const first = Math.min(n, RING - off);
            spill.copy(view, off, 0, first);
            spill.copy(view, 0, first, n);
          }
          readPos += n;
          remaining -= n;
          if (remaining <= 0) ended = true;
          else if (free() < MIN_READ) paused = true;
          feedHash();
          if (ended || paused) socket.setTimeout(0); // see `idle` below
          poke();
          return !paused; // false: net.Socket stops reading (readStop)
        },
      },
    });
    const gate = (fn: (this: net.Socket, n: number) => unknown) =>
      function (this: net.Socket, n: number): unknown {
        return paused ? Object.getPrototypeOf(net.Socket.prototype).read.call(this, n) : fn.call(this, n);
      };
    socket.read = gate(net.Socket.prototype.read) as typeof socket.read;
    socket._read = function (n: number): void {
      if (!paused) net.Socket.prototype._read.call(this, n);
    };
    const resume = (): void => {
      paused = false;
      if (!ended) socket.setTimeout(idleTimeoutMs);
      socket.resume();
    };
    const release = (): void => {
      releasedPos = Math.min(writtenPos, hashedPos);
      if (!ended && paused && free() >= MIN_READ) resume();
    };
    /**
     * Hands read bytes to the hashing thread straight from the read callback, so hashing runs
     * beside the disk write instead of after it (after it, a write slowed by a busy CPU left the
     * hashing thread idle and the ring full). The hash may thus run ahead of the .part by what
     * the ring holds; a write that fails ends the run, and its hash is discarded with it.
     */
    function feedHash(): void {
      if (hashRegion === null) return;
      const waiting = readPos - postedPos;
      if (waiting === 0 || (waiting < HASH_BATCH && !ended && !paused && free() >= HASH_BATCH)) return;
      while (postedPos < readPos) {
        const off = postedPos % RING;
        const len = Math.min(readPos - postedPos, RING - off);
        postedPos += len;
        const end = postedPos;
        // A hashing failure surfaces at digest time; here it only frees the region.
        const done = hashRegion(view.subarray(off, off + len)).catch(() => undefined);
        lastHash = lastHash.then(() => done).then(() => {
          hashedPos = end;
          release();
        });
      }
    }
    const stop = (e: unknown): void => {
      failure ??= e;
      socket.destroy();
      poke();
    };
    const onAbort = (): void => stop(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // The idle timer measures the server's silence, so it runs only while we are reading: not
    // while the body waits for the caller's pump or a full ring waits for the disk and the
    // hashing thread (our slowness, not the server's), nor once the whole body is in.
    socket.setTimeout(idleTimeoutMs, () => stop(new RetryableError('NETWORK', `No data from ${url.host} for ${idleTimeoutMs} ms; the server stalled.`)));
    socket.once('error', (e) => stop(abortedOr(signal, e)));
    socket.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      ended = true;
      if (inHead) reject(failure ?? new RetryableError('NETWORK', `${url.host} closed the connection before answering.`));
      poke();
    });
    const path = `${url.pathname}${url.search}`;
    const lines = [`GET ${path} HTTP/1.1`, `Host: ${url.host}`, 'Accept-Encoding: identity', 'Connection: close', ...Object.entries(headers).filter(([k]) => !/^(host|connection|accept-encoding)$/i.test(k)).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);

    function onHead(n: number): void {
      headLen += n;
      const end = head.subarray(0, headLen).indexOf('\r\n\r\n');
      if (end < 0) {
        if (headLen >= HEAD_LIMIT) stop(new RetryableError('NETWORK', `${url.host} sent more than ${HEAD_LIMIT} bytes of headers.`));
        return;
      }
      const parsed = parseHead(head.subarray(0, end).toString('latin1'));
      if (!parsed) return stop(new RetryableError('NETWORK', `${url.host} did not answer with HTTP/1.x.`));
      inHead = false;
      const length = parsed.headers['content-length'];
      const identity = parsed.headers['transfer-encoding'] === undefined && length !== undefined && /^\d+$/.test(length);
      // Only a body we will keep needs the ring; any other answer (416, 5xx, 403...) is read for its headers alone.
      const wanted = parsed.status === 200 || parsed.status === 206;
      if (wanted && !identity) {
        socket.destroy();
        return resolve({ fallback: true });
      }
      remaining = wanted ? Number(length) : 0;
      if (wanted) view = takeRing();
      // Body bytes that came with the headers go to the ring first.
      const early = head.subarray(end + 4, headLen);
      const take = Math.min(early.length, remaining);
      early.copy(view, 0, 0, take);
      readPos = take;
      remaining -= take;
      if (remaining <= 0) ended = true;
      paused = true; // until the caller pumps (or closes)
      socket.setTimeout(0);
      socket.pause();
      resolve({
        statusCode: parsed.status,
        headers: parsed.headers,
        close: () => socket.destroy(),
        pump: async (write, hash) => {
          hashRegion = hash;
          feedHash(); // body bytes that came with the headers
          resume();
          for (;;) {
            if (failure !== null) throw failure;
            if (readPos > flushedPos) {
              const off = flushedPos % RING;
              const len = Math.min(readPos - flushedPos, RING - off, MAX_WRITE);
              flushedPos += len;
              try {
                await write(view.subarray(off, off + len));
              } catch (e) {
                socket.destroy();
                throw e;
              }
              writtenPos += len;
              release();
              continue;
            }
            if (ended) break;
            await new Promise<void>((r) => (wake = r));
          }
          feedHash(); // the tail of a body cut short
          await lastHash;
          socket.destroy();
          if (failure !== null) throw failure;
          // Every write and hash of the ring is done and the socket reads no more: the next
          // download may have it (ring-pool.ts). A pump that failed leaves its ring to the GC.
          if (view.byteLength === RING) giveRing(view); // not the empty stand-in of an unwanted body
          view = Buffer.alloc(0);
        },
      });
    }
  });
}
