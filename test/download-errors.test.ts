import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError, TaskAbort } from '../src/task-service/engine/define';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { openPartFile, type OpenPart } from '../src/task-service/tasks/download/part-file';
import { createVideoDownload, videoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness, type TaskHarness } from './support/task-context';
import { generatedSha256 } from './support/generated-content';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

let server: LoopbackServer;
let dir: string;
const MiB = 1024 * 1024;

serverAndDirPerTest('dl-errors-', (s, d) => ((server = s), (dir = d)));

const input = (): { url: string; dir: string; filename: string } => ({ url: server.url('/v'), dir, filename: 'v.mp4' });
const part = (): string => path.join(dir, 'v.mp4.part');

/** A disk that fills up after `capacity` bytes: the real file, with ENOSPC injected at the edge. */
function fillingDisk(capacity: number): OpenPart {
  return async (p) => {
    const real = await openPartFile(p);
    const check = (bufs: Uint8Array[], position: number): void => {
      const end = position + bufs.reduce((n, b) => n + b.byteLength, 0);
      if (end > capacity) throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    };
    return { ...real, write: async (b, pos) => (check([b], pos), real.write(b, pos)), writev: async (bs, pos) => (check(bs, pos), real.writev(bs, pos)) };
  };
}

describe('video-download: HTTP and network failures', () => {
  it('a 500 is retryable (HTTP_ERROR) and the next attempt succeeds', async () => {
    server.route('/v', { content: { size: 50_000, seed: 21 }, fail500Times: 1 });
    const h = createTaskHarness();
    const err = await h.runExpectingError(videoDownload, input());
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'HTTP_ERROR', message: expect.stringContaining('500') });
    expect(await h.run(videoDownload, input())).toMatchObject({ sha256: generatedSha256(21, 50_000) });
  });

  it.each([404, 403, 410])('a %i is permanent (HTTP_ERROR) and leaves nothing behind', async (status) => {
    server.route('/v', { status });
    const err = await createTaskHarness().runExpectingError(videoDownload, input());
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'HTTP_ERROR', message: expect.stringContaining(String(status)) });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('slow headers hit the idle timeout: retryable NETWORK', async () => {
    server.route('/v', { content: { size: 10, seed: 22 }, headerDelayMs: 5_000 });
    const err = await createTaskHarness().runExpectingError(createVideoDownload({ idleTimeoutMs: 150 }), input());
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'NETWORK', message: expect.stringContaining('stalled') });
  });

  it('a stall mid-body hits the idle timeout, keeps the .part and checkpoints what arrived', async () => {
    server.route('/v', { content: { size: 4 * MiB, seed: 23 }, stallAfterBytes: 1.5 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    const err = await h.runExpectingError(createVideoDownload({ idleTimeoutMs: 150 }), input());
    expect(err).toMatchObject({ code: 'NETWORK' });
    expect(h.checkpoint!.bytes).toBe(1.5 * MiB);
    expect(fs.statSync(part()).size).toBe(1.5 * MiB);
    server.patch('/v', { stallAfterBytes: undefined });
    expect(await h.run(videoDownload, input())).toMatchObject({ sha256: generatedSha256(23, 4 * MiB) });
  });

  it('a refused connection is retryable NETWORK', async () => {
    const url = server.url('/v');
    await server.close();
    const err = await createTaskHarness().runExpectingError(videoDownload, { ...input(), url });
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'NETWORK', message: expect.stringContaining('ECONNREFUSED') });
    server = await startLoopbackServer(); // for afterEach
  });
});

describe('video-download: disk full', () => {
  it('ENOSPC fails permanently with DISK_FULL and a message saying what to do', async () => {
    server.route('/v', { content: { size: 5 * MiB, seed: 24 } });
    const h = createTaskHarness<DownloadCheckpoint>();
    const err = await h.runExpectingError(createVideoDownload({ openPart: fillingDisk(2 * MiB) }), input());
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/disk is full.*Free some space/s) });
    // What did reach the disk is kept and checkpointed, so a retry after freeing space resumes.
    expect(h.checkpoint!.bytes).toBeLessThanOrEqual(2 * MiB);
    const kept = h.checkpoint!.bytes;
    expect(kept).toBeGreaterThan(0);
    expect(fs.statSync(part()).size).toBeGreaterThanOrEqual(kept);
    expect(await h.run(videoDownload, input())).toMatchObject({ sha256: generatedSha256(24, 5 * MiB) });
    expect(server.stats('/v').ranges[1]).toBe(`bytes=${kept}-`);
  });
});

describe('video-download: cancel, pause, shutdown', () => {
  const SIZE = 8 * MiB;
  const abortAt = (h: TaskHarness<DownloadCheckpoint>, kind: 'cancel' | 'pause' | 'shutdown' | 'timeout', bytes: number): void => {
    h.onProgress = (p) => {
      if ((p.current ?? 0) >= bytes) h.abort(kind);
    };
  };

  it('cancel removes the .part and rethrows the TaskAbort', async () => {
    server.route('/v', { content: { size: SIZE, seed: 25 }, bytesPerSecond: 16 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    abortAt(h, 'cancel', 2 * MiB);
    const err = await h.runExpectingError(videoDownload, input());
    expect(err).toBeInstanceOf(TaskAbort);
    expect(err).toMatchObject({ kind: 'cancel' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it.each(['pause', 'shutdown', 'timeout'] as const)('%s keeps the .part with a final checkpoint, and resume finishes it', async (kind) => {
    server.route('/v', { content: { size: SIZE, seed: 26 }, bytesPerSecond: 16 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    abortAt(h, kind, 3 * MiB);
    const err = await h.runExpectingError(videoDownload, input());
    expect(err).toMatchObject({ kind });
    const cp = h.checkpoint!;
    expect(cp.bytes).toBeGreaterThanOrEqual(3 * MiB); // the final checkpoint, not the last periodic one
    expect(fs.statSync(part()).size).toBe(cp.bytes);
    h.onProgress = null;
    server.patch('/v', { bytesPerSecond: undefined });
    expect(await h.run(videoDownload, input())).toMatchObject({ sha256: generatedSha256(26, SIZE) });
    expect(server.stats('/v').ranges[1]).toBe(`bytes=${cp.bytes}-`);
  });

  it('an abort before the response arrives still honours cancel', async () => {
    server.route('/v', { content: { size: 100, seed: 27 }, headerDelayMs: 5_000 });
    fs.writeFileSync(part(), 'stale');
    const h = createTaskHarness();
    setTimeout(() => h.abort('cancel'), 50);
    const err = await h.runExpectingError(videoDownload, input());
    expect(err).toMatchObject({ kind: 'cancel' });
    expect(fs.existsSync(part())).toBe(false);
  });
});
