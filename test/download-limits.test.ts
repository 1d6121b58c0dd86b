import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../src/task-service/engine/define';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { byteCap, DEFAULT_MAX_BYTES } from '../src/task-service/tasks/download/byte-cap';
import { DownloadRoots } from '../src/task-service/tasks/download/roots';
import { DEFAULT_STALL_RULE } from '../src/task-service/tasks/download/stall-watch';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { cleanup, startService, waitFor, waitState } from './support/engine-harness';
import { createTaskHarness } from './support/task-context';
import { tmpDirManual } from './support/tmp';
import { generatedSha256 } from './support/generated-content';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

/**
 * Regressions: a chunked response with no size streamed until the disk was full, and a server
 * dripping one byte every 29 s (under the 30 s idle timeout) held a download slot forever.
 * Every download now has a byte ceiling, and under 1 KiB/s for 60 s is a retryable STALLED
 * (tests shrink the window; the rule is the same).
 */

const MiB = 1024 * 1024;
let server: LoopbackServer;
let tmp: { dir: string; dispose: () => void };
let dir: string;

beforeEach(async () => {
  server = await startLoopbackServer();
  tmp = tmpDirManual('dl-limits-');
  dir = tmp.dir;
});
afterEach(async () => {
  await cleanup();
  await server.close();
  tmp.dispose();
});

const roots = (): DownloadRoots => new DownloadRoots([dir]);

describe('the byte cap', () => {
  it('defaults: a known size plus a small margin, else 64 GiB', () => {
    expect(byteCap(null, DEFAULT_MAX_BYTES)).toBe(64 * 1024 ** 3);
    expect(byteCap(1000, DEFAULT_MAX_BYTES)).toBe(1000 + 64 * 1024);
    expect(byteCap(100 * MiB, DEFAULT_MAX_BYTES)).toBe(101 * MiB);
  });

  it('a chunked response with no size stops at the maximum: permanent TOO_LARGE, the .part deleted', async () => {
    server.route('/endless', { content: { size: 64 * MiB, seed: 41 }, omitContentLength: true, bytesPerSecond: 32 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    const err = await h.runExpectingError(createVideoDownload({ roots: roots(), maxBytes: 1 * MiB }), { url: server.url('/endless'), dir, filename: 'e.bin' });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'TOO_LARGE', message: expect.stringContaining('without announcing its size') });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(h.checkpoint?.bytes).toBe(0); // a retry starts over instead of trusting a deleted file
    expect(server.stats('/endless').bytesSent).toBeLessThan(64 * MiB); // stopped, not streamed to the end
  });

  it('a chunked response longer than the expected size is an INTEGRITY failure, the .part deleted', async () => {
    server.route('/longer', { content: { size: 4 * MiB, seed: 42 }, omitContentLength: true });
    const err = await createTaskHarness().runExpectingError(createVideoDownload({ roots: roots() }), { url: server.url('/longer'), dir, filename: 'l.bin', expectedSize: 1 * MiB });
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'INTEGRITY', message: expect.stringContaining(`more than ${1 * MiB} bytes`) });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('the raw ring reader is capped too: a 206 whose body outruns its Content-Range total is an INTEGRITY failure, stopped early', async () => {
    // Plain http with a Content-Length takes the raw ring path (media-get.ts), which reads
    // Content-Length bytes: here 4 MiB for a range that claims a 1000-byte file.
    let sent = 0;
    const liar = http.createServer((_req, res) => {
      res.writeHead(206, { 'content-type': 'video/mp4', 'content-range': 'bytes 0-999/1000', 'content-length': String(4 * MiB) });
      const chunk = Buffer.alloc(64 * 1024, 7);
      const more = (): void => {
        while (sent < 4 * MiB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    try {
      const { port } = liar.address() as AddressInfo;
      const err = await createTaskHarness().runExpectingError(createVideoDownload({ roots: roots() }), { url: `http://127.0.0.1:${port}/v.mp4`, dir, filename: 'r.bin' });
      expect(err).toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({ code: 'INTEGRITY', message: expect.stringContaining('more than 1000 bytes') });
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      liar.closeAllConnections();
      await new Promise((r) => liar.close(r));
    }
  });

  it('a chunked download under the maximum completes', async () => {
    server.route('/fine', { content: { size: 300_000, seed: 43 }, omitContentLength: true });
    const result = await createTaskHarness().run(createVideoDownload({ roots: roots(), maxBytes: 1 * MiB }), { url: server.url('/fine'), dir, filename: 'f.bin' });
    expect(result).toMatchObject({ bytes: 300_000, sha256: generatedSha256(43, 300_000) });
  });
});

describe('the minimum-speed rule', () => {
  const rule = { minBytesPerSecond: 1024, windowMs: 400 };

  it('defaults to under 1 KiB/s for 60 s', () => {
    expect(DEFAULT_STALL_RULE).toEqual({ minBytesPerSecond: 1024, windowMs: 60_000 });
  });

  it('a dripping server (a byte at a time, never silent long enough for the idle timeout) is a retryable STALLED; the bytes are kept', async () => {
    server.route('/drip', { content: { size: 10_000, seed: 44 }, bytesPerSecond: 20 });
    const h = createTaskHarness<DownloadCheckpoint>();
    const err = await h.runExpectingError(createVideoDownload({ roots: roots(), stall: rule, idleTimeoutMs: 30_000 }), { url: server.url('/drip'), dir, filename: 'd.bin' });
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'STALLED', message: expect.stringContaining('under the minimum of 1024 bytes/s') });
    const received = server.stats('/drip').bytesSent;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(10_000);
    expect(h.checkpoint?.bytes ?? 0).toBeLessThanOrEqual(received);
  });

  it('headers that never come within the window are STALLED too', async () => {
    server.route('/late', { content: { size: 10, seed: 45 }, headerDelayMs: 20_000 });
    const err = await createTaskHarness().runExpectingError(createVideoDownload({ roots: roots(), stall: rule, idleTimeoutMs: 30_000 }), { url: server.url('/late'), dir, filename: 'l.bin' });
    expect(err).toMatchObject({ code: 'STALLED' });
  });

  it('a steady transfer above the minimum is not stalled', async () => {
    server.route('/steady', { content: { size: 64 * 1024, seed: 46 }, bytesPerSecond: 64 * 1024 });
    const result = await createTaskHarness().run(createVideoDownload({ roots: roots(), stall: { minBytesPerSecond: 1024, windowMs: 500 } }), { url: server.url('/steady'), dir, filename: 's.bin' });
    expect(result).toMatchObject({ sha256: generatedSha256(46, 64 * 1024) });
  });

  it('a dripping server does not hold the only download slot: the next download runs while it backs off', async () => {
    server.route('/drip', { content: { size: 10_000, seed: 47 }, bytesPerSecond: 20 });
    server.route('/ok', { content: { size: 50_000, seed: 48 } });
    const svc = await startService({ tasks: [createVideoDownload({ roots: roots(), stall: rule })], concurrency: { global: 1 } });
    const drip = svc.create({ type: 'video-download', input: { url: server.url('/drip'), dir, filename: 'd.bin' } });
    await waitFor(() => server.stats('/drip').bytesSent > 0, 'the drip to start');
    const ok = svc.create({ type: 'video-download', input: { url: server.url('/ok'), dir, filename: 'ok.bin' } });
    await waitState(svc, ok.id, 'completed');
    const events = svc.events({ id: drip.id }).items;
    expect(JSON.stringify(events)).toContain('STALLED');
    expect(svc.get({ id: drip.id }).state).not.toBe('failed'); // retryable: it will try again later
    expect(fs.existsSync(path.join(dir, 'ok.bin'))).toBe(true);
    svc.cancel({ id: drip.id });
  });
});
