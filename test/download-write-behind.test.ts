import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../src/task-service/engine/define';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { Checkpointer, FLUSH_BYTES } from '../src/task-service/tasks/download/checkpointer';
import { openPartFile, type OpenPart } from '../src/task-service/tasks/download/part-file';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { generatedSha256 } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

/**
 * Write-behind (checkpointer.ts): between checkpoints a fast download fsyncs its .part alone
 * every `flushBytes`, so the fsync before "complete" no longer writes back a whole interval
 * while the download waits. It must claim nothing, never make the stream wait, keep one fsync
 * in flight at most, and fail the download like a checkpoint's fsync would.
 */

const MiB = 1024 * 1024;
/** Checkpoints that never come due on their own: only write-behind fsyncs happen mid-stream. */
const rare = { checkpointBytes: Number.MAX_SAFE_INTEGER, checkpointMinMs: 0, checkpointMs: Number.MAX_SAFE_INTEGER, now: () => 0 };

/** A fsync that lands when the test says so; `calls` records `at()` (the bytes written) at each start. */
function manualSync(at: () => number = () => 0): { fn: () => Promise<void>; calls: number[]; land: (e?: Error) => void } {
  let settle: ((e?: Error) => void) | null = null;
  const calls: number[] = [];
  return {
    calls,
    fn: () => {
      calls.push(at());
      return new Promise<void>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve())));
    },
    land: (e) => {
      const s = settle;
      settle = null;
      s?.(e);
    },
  };
}

describe('checkpointer: write-behind cadence', () => {
  it('fsyncs alone once flushBytes await it, without a checkpoint and without making the stream wait', async () => {
    const persisted: number[] = [];
    let written = 0;
    const flush = manualSync(() => written);
    const cp = new Checkpointer({ ...rare, flushBytes: 4 * MiB }, async (b) => void persisted.push(b), flush.fn);
    for (written = MiB; written <= 20 * MiB; written += MiB) await cp.maybe(written); // resolves at once: the pending fsync never blocks a write
    // One in flight at most: the first started at 4 MiB and has not landed, so none since.
    expect(flush.calls).toEqual([4 * MiB]);
    flush.land();
    await new Promise((r) => setImmediate(r));
    written = 21 * MiB;
    await cp.maybe(written); // 17 MiB since the last fsync started
    expect(flush.calls).toEqual([4 * MiB, 21 * MiB]);
    expect(persisted).toEqual([]);
  });

  it('a due checkpoint waits for the write-behind fsync in flight (one fsync at a time) and resets the step', async () => {
    let now = 0;
    const persisted: number[] = [];
    const flush = manualSync();
    const cp = new Checkpointer({ checkpointBytes: 16 * MiB, checkpointMinMs: 0, checkpointMs: 1e9, flushBytes: 4 * MiB, now: () => now }, async (b) => void persisted.push(b), flush.fn);
    await cp.maybe(4 * MiB);
    expect(flush.calls).toEqual([0]);
    now = 1;
    let started = false;
    const due = cp.maybe(8 * MiB).then(() => (started = true)); // half of 16 MiB: a checkpoint is due
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(false);
    expect(persisted).toEqual([]);
    flush.land();
    await due;
    expect(persisted).toEqual([8 * MiB]);
    // The checkpoint's fsync counts as the last one: the next write-behind is a full step later.
    await cp.maybe(11 * MiB);
    expect(flush.calls).toHaveLength(1);
    await cp.maybe(12 * MiB);
    expect(flush.calls).toHaveLength(2);
  });

  it('a failed write-behind fsync surfaces at the next check, like a failed checkpoint', async () => {
    const flush = manualSync();
    const cp = new Checkpointer({ ...rare, flushBytes: MiB }, async () => undefined, flush.fn);
    await cp.maybe(MiB);
    flush.land(Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' }));
    await new Promise((r) => setImmediate(r)); // the next write comes later than the failure
    await expect(cp.check()).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(cp.check()).resolves.toBeUndefined(); // reported once
  });

  it('a slow transfer never write-behinds: its checkpoints come first', async () => {
    let now = 0;
    let flushes = 0;
    const persisted: number[] = [];
    const cp = new Checkpointer({ checkpointBytes: MiB, checkpointMinMs: 250, checkpointMs: 1000, now: () => now }, async (b) => void persisted.push(b), async () => void (flushes += 1));
    // 10 MiB/s in 64 KiB reads: an interval is 2.5 MiB, far below the default step.
    for (let written = 64 * 1024; written <= 64 * MiB; written += 64 * 1024) {
      now += (64 * 1024 * 1000) / (10 * MiB);
      await cp.maybe(written);
    }
    expect(persisted.length).toBeGreaterThan(20);
    expect(flushes).toBe(0);
    expect(FLUSH_BYTES).toBeGreaterThan(2.5 * MiB);
  });
});

let server: LoopbackServer;
let dir: string;

serverAndDirPerTest('dl-wb-', (s, d) => ((server = s), (dir = d)));

/** The real file, recording at each datasync how far the writes had reached, and when it landed. */
function syncLog(failAt: number | null = null): { open: OpenPart; starts: number[]; durable: () => number } {
  let writtenEnd = 0;
  let durable = 0;
  const starts: number[] = [];
  const open: OpenPart = async (p) => {
    const real = await openPartFile(p);
    const track = (end: number): void => void (writtenEnd = Math.max(writtenEnd, end));
    return {
      ...real,
      write: async (b, pos) => (await real.write(b, pos), track(pos + b.byteLength)),
      writev: async (bs, pos) => (await real.writev(bs, pos), track(pos + bs.reduce((n, b) => n + b.byteLength, 0))),
      truncate: async (len) => (await real.truncate(len), void (writtenEnd = Math.min(writtenEnd, len)), void (durable = Math.min(durable, len))),
      datasync: async () => {
        const covered = writtenEnd;
        starts.push(covered);
        if (failAt !== null && starts.length === failAt) throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC', errno: -28, syscall: 'fsync' });
        await real.datasync();
        durable = Math.max(durable, covered);
      },
    };
  };
  return { open, starts, durable: () => durable };
}

describe('video-download: write-behind', () => {
  it('a fast download fsyncs its .part every flushBytes between checkpoints, and still claims only fsynced bytes', async () => {
    const size = 24 * MiB + 321;
    server.route('/v', { content: { size, seed: 71 } });
    const disk = syncLog();
    const h = createTaskHarness<DownloadCheckpoint>();
    const violations: string[] = [];
    h.onCheckpoint = (c) => {
      if (c.bytes > disk.durable()) violations.push(`checkpoint ${c.bytes} > durable ${disk.durable()}`);
    };
    const def = createVideoDownload({ openPart: disk.open, ...rare, now: Date.now, flushBytes: 2 * MiB });
    expect(await h.run(def, { url: server.url('/v'), dir, filename: 'v' })).toMatchObject({ bytes: size, sha256: generatedSha256(71, size) });
    expect(violations).toEqual([]);
    // Only the "complete" checkpoint was saved, yet the .part was fsynced along the way...
    expect(h.saved.map((c) => c.bytes)).toEqual([size]);
    const midStream = disk.starts.slice(0, -1);
    expect(midStream.length).toBeGreaterThanOrEqual(2);
    // ...each time at least a step after the previous one started.
    [0, ...midStream].slice(1).forEach((s, i) => expect(s - [0, ...midStream][i]!).toBeGreaterThanOrEqual(2 * MiB));
  });

  it('ENOSPC from a write-behind fsync fails with DISK_FULL, and a retry resumes from what a checkpoint vouched for', async () => {
    const size = 12 * MiB;
    server.route('/v', { content: { size, seed: 72 } });
    const h = createTaskHarness<DownloadCheckpoint>();
    const failing = createVideoDownload({ openPart: syncLog(1).open, ...rare, now: Date.now, flushBytes: MiB });
    const err = await h.runExpectingError(failing, { url: server.url('/v'), dir, filename: 'v' });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'DISK_FULL' });
    const kept = h.checkpoint!.bytes;
    expect(kept).toBeLessThan(size); // it failed mid-stream, at the first write-behind, not at the end
    expect(fs.statSync(path.join(dir, 'v.part')).size).toBeGreaterThanOrEqual(kept);
    const retry = createVideoDownload({ flushBytes: MiB });
    expect(await h.run(retry, { url: server.url('/v'), dir, filename: 'v' })).toMatchObject({ sha256: generatedSha256(72, size) });
    expect(server.stats('/v').ranges[1]).toBe(kept > 0 ? `bytes=${kept}-` : undefined);
  });
});
