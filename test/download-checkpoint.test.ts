import { describe, expect, it } from 'vitest';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { openPartFile, type OpenPart } from '../src/task-service/tasks/download/part-file';
import { SINK_HIGH_WATER_MARK } from '../src/task-service/tasks/download/part-sink';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { generatedSha256 } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

let server: LoopbackServer;
let dir: string;
const MiB = 1024 * 1024;

serverAndDirPerTest('dl-cp-', (s, d) => ((server = s), (dir = d)));

/** The real file, recording how many bytes each completed datasync made durable. A slow sync
 * lets writes continue while it runs, which is exactly when a sloppy checkpoint would lie. */
function auditedDisk(): { open: OpenPart; durable: () => number; syncs: () => number; largestWrite: () => number } {
  let writtenEnd = 0;
  let largestWrite = 0;
  let durable = 0;
  let syncs = 0;
  const open: OpenPart = async (p) => {
    const real = await openPartFile(p);
    const track = (position: number, len: number): void => {
      writtenEnd = Math.max(writtenEnd, position + len);
      largestWrite = Math.max(largestWrite, len);
    };
    return {
      ...real,
      write: async (b, pos) => (await real.write(b, pos), track(pos, b.byteLength)),
      writev: async (bs, pos) => (await real.writev(bs, pos), track(pos, bs.reduce((n, b) => n + b.byteLength, 0))),
      truncate: async (len) => (await real.truncate(len), void (writtenEnd = Math.min(writtenEnd, len)), void (durable = Math.min(durable, len))),
      datasync: async () => {
        const covered = writtenEnd;
        await new Promise((r) => setTimeout(r, 15));
        await real.datasync();
        durable = Math.max(durable, covered);
        syncs += 1;
      },
    };
  };
  return { open, durable: () => durable, syncs: () => syncs, largestWrite: () => largestWrite };
}

describe('video-download: checkpoints', () => {
  it('never claims bytes that were not fsynced, even while the stream keeps writing during a sync', async () => {
    const size = 12 * MiB;
    server.route('/v', { content: { size, seed: 31 } });
    const disk = auditedDisk();
    const h = createTaskHarness<DownloadCheckpoint>();
    const violations: string[] = [];
    h.onCheckpoint = (c) => {
      if (c.bytes > disk.durable()) violations.push(`checkpoint ${c.bytes} > durable ${disk.durable()}`);
    };
    // checkpointMinMs 0: the per-MiB cadence even at loopback speed, so there are many syncs to audit.
    const result = await h.run(createVideoDownload({ openPart: disk.open, checkpointMinMs: 0 }), { url: server.url('/v'), dir, filename: 'v' });
    expect(result).toMatchObject({ sha256: generatedSha256(31, size) });
    expect(violations).toEqual([]);
    expect(h.saved.length).toBeGreaterThanOrEqual(4);
    // Started every half MiB with one in flight: consecutive checkpoints are at most half an
    // interval plus a write batch apart, so a landed one trails the disk by at most ~1 MiB
    // plus two batches. (At loopback speed a batch grows while a write is on the thread pool.)
    const marks = [0, ...h.saved.map((c) => c.bytes)];
    for (let i = 1; i < marks.length; i++) expect(marks[i]! - marks[i - 1]!).toBeLessThanOrEqual(MiB / 2 + disk.largestWrite());
    expect(disk.largestWrite()).toBeLessThanOrEqual(SINK_HIGH_WATER_MARK + 64 * 1024); // one socket read past the mark
  });

  it('checkpoints on time as well as on bytes', async () => {
    server.route('/v', { content: { size: 2 * MiB, seed: 32 } });
    let fakeNow = 0;
    const h = createTaskHarness<DownloadCheckpoint>();
    // Each clock reading is a second later: every write batch is "a second" after the last checkpoint.
    const def = createVideoDownload({ checkpointBytes: Number.MAX_SAFE_INTEGER, now: () => (fakeNow += 1000) });
    await h.run(def, { url: server.url('/v'), dir, filename: 'v' });
    const partial = h.saved.filter((c) => c.completeSha256 === null);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    const none = createTaskHarness<DownloadCheckpoint>();
    await none.run(createVideoDownload({ checkpointBytes: Number.MAX_SAFE_INTEGER, now: () => 0 }), { url: server.url('/v'), dir, filename: 'w' });
    expect(none.saved.filter((c) => c.completeSha256 === null)).toEqual([]);
  });

  it('a checkpoint records the validators the resume will send', async () => {
    server.route('/v', { content: { size: 3 * MiB, seed: 33 }, disconnectAfterBytes: 2 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    await h.runExpectingError(createVideoDownload(), { url: server.url('/v'), dir, filename: 'v' });
    expect(h.checkpoint).toMatchObject({
      url: server.url('/v'), file: 'v', etag: '"s33-v0"', lastModified: new Date(Date.UTC(2024, 0, 1)).toUTCString(), total: 3 * MiB, integrityFailures: 0, completeSha256: null,
    });
  });
});
