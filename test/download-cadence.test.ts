import { describe, expect, it } from 'vitest';
import { Checkpointer, checkpointSpan } from '../src/task-service/tasks/download/checkpointer';
import { DEFAULT_DOWNLOAD_OPTIONS } from '../src/task-service/tasks/video-download';

/**
 * The checkpoint cadence ("about every MiB or second"), on a simulated stream with a fake clock:
 * a slow transfer checkpoints on bytes, a fast one on time, a crawling one at least every
 * second, and a landed checkpoint never trails the bytes on disk by more than one interval
 * (checkpointSpan at that rate) plus two write batches, however slow the fsync behind it.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const timing = { checkpointBytes: DEFAULT_DOWNLOAD_OPTIONS.checkpointBytes, checkpointMinMs: DEFAULT_DOWNLOAD_OPTIONS.checkpointMinMs, checkpointMs: DEFAULT_DOWNLOAD_OPTIONS.checkpointMs };

interface Run {
  /** [time, bytes] of every checkpoint start. */
  starts: Array<[number, number]>;
  /** The largest (bytes written - bytes of the last landed checkpoint) seen at any moment. */
  maxLag: number;
}

/**
 * Streams `total` bytes in `batch`-sized writes at `rate` bytes/s; each checkpoint's fsync takes
 * `syncMs`. A start that finds one in flight stalls the stream until it lands (no bytes arrive
 * meanwhile), exactly as `maybe` makes the sink wait.
 */
async function simulate(rate: number, batch: number, syncMs: number, total: number): Promise<Run> {
  let now = 0;
  let written = 0;
  let landed = 0;
  // (typed through a cast: TS cannot see the assignment inside the persist closure)
  let pending = null as { bytes: number; doneAt: number; resolve: () => void } | null;
  const run: Run = { starts: [], maxLag: 0 };
  const land = (): void => {
    if (pending === null) return;
    run.maxLag = Math.max(run.maxLag, written - landed);
    landed = pending.bytes;
    pending.resolve();
    pending = null;
  };
  const cp = new Checkpointer({ ...timing, now: () => now }, (bytes) => {
    run.starts.push([now, bytes]);
    return new Promise<void>((resolve) => void (pending = { bytes, doneAt: now + syncMs, resolve }));
  });
  while (written < total) {
    now += (batch / rate) * 1000;
    if (pending !== null && pending.doneAt <= now) land();
    written += batch;
    run.maxLag = Math.max(run.maxLag, written - landed);
    if (cp.due(written) && pending !== null) {
      now = Math.max(now, pending.doneAt); // the stall
      land();
    }
    await cp.maybe(written);
  }
  return run;
}

const gaps = (starts: Array<[number, number]>, i: 0 | 1): number[] => starts.slice(1).map((s, k) => s[i] - starts[k]![i]);

describe('video-download: checkpoint cadence', () => {
  it('a fast transfer checkpoints on time: at most one start per half the minimum interval', async () => {
    const run = await simulate(400 * MiB, 1 * MiB, 5, 200 * MiB); // half a second at loopback speed
    expect(Math.min(...gaps(run.starts, 0))).toBeGreaterThanOrEqual(timing.checkpointMinMs / 2);
    expect(run.starts.length).toBeLessThanOrEqual(500 / (timing.checkpointMinMs / 2));
    expect(run.starts.length).toBeGreaterThanOrEqual(2);
  });

  it('a slow transfer checkpoints on bytes: a start every half MiB', async () => {
    const run = await simulate(1.5 * MiB, 64 * KiB, 5, 6 * MiB);
    for (const gap of gaps(run.starts, 1)) {
      expect(gap).toBeGreaterThanOrEqual(timing.checkpointBytes / 2);
      expect(gap).toBeLessThanOrEqual(timing.checkpointBytes / 2 + 64 * KiB);
    }
    expect(run.starts.length).toBeGreaterThanOrEqual(10);
  });

  it('a crawling transfer still checkpoints every half second', async () => {
    const run = await simulate(20 * KiB, 2 * KiB, 5, 200 * KiB); // ten seconds
    for (const gap of gaps(run.starts, 0)) expect(gap).toBeLessThanOrEqual(timing.checkpointMs / 2 + 100);
    expect(run.starts.length).toBeGreaterThanOrEqual(18);
  });

  it('one interval spans a MiB when slow, a quarter second of bytes when fast, a second of bytes when crawling', () => {
    expect(checkpointSpan(timing, 2 * MiB)).toBe(MiB);
    expect(checkpointSpan(timing, 16 * MiB)).toBe(4 * MiB);
    expect(checkpointSpan(timing, 400 * MiB)).toBe(100 * MiB);
    expect(checkpointSpan(timing, 100 * KiB)).toBe(100 * KiB);
  });

  for (const [rate, batch, syncMs] of [
    [400 * MiB, 2 * MiB, 3],
    [400 * MiB, 1 * MiB, 300], // a disk slower than the network: the stream stalls on each start
    [16 * MiB, 64 * KiB, 20],
    [16 * MiB, 256 * KiB, 400],
    [1.5 * MiB, 64 * KiB, 2000],
    [50 * KiB, 16 * KiB, 50],
  ] as const) {
    it(`a landed checkpoint trails the disk by at most one interval + two batches (${rate / MiB} MiB/s, ${batch / KiB} KiB batches, ${syncMs} ms fsync)`, async () => {
      const run = await simulate(rate, batch, syncMs, Math.max(20 * batch, rate * 2));
      expect(run.maxLag).toBeLessThanOrEqual(checkpointSpan(timing, rate) + 2 * batch);
      expect(run.maxLag).toBeGreaterThan(0);
    });
  }
});
