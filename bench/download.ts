import { createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { TaskContext } from '../src/task-service/engine/define';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { SINK_HIGH_WATER_MARK } from '../src/task-service/tasks/download/part-sink';
import { createVideoDownload, type VideoDownloadInput } from '../src/task-service/tasks/video-download';
import { startLoopbackServer } from '../test/support/loopback-server';

/**
 * Download throughput over loopback with checkpointing on (fsync of the .part, then the real
 * TaskStore's saveCheckpoint on a SQLite file with the service's default pragmas, at the
 * default cadence: every MiB, or every 250 ms at speed), beside a plain
 * `pipeline(res, createWriteStream)` of the same
 * bytes from the same server in the same run. The figure that matters is the ratio.
 *
 * Two more references, reported beside it and never used to flatter the ratio: the plain copy
 * plus one final fsync (the least a crash-safe download must pay), and the plain copy with the
 * same 4 MiB write batches our sink uses (how much of our speed is batching a plain copy could
 * have too). Every side runs once per round, in an order that alternates; figures are medians.
 * BENCH_QUICK=1: 64 MiB, 3 rounds.
 */

export const name = 'download';

const MiB = 1024 * 1024;

function plainCopy(url: string, file: string, highWaterMark?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => pipeline(res, createWriteStream(file, { highWaterMark })).then(resolve, reject)).on('error', reject);
  });
}

/** The plain copy plus one fsync at the end: the least any crash-safe download must pay. */
async function plainCopyFsync(url: string, file: string): Promise<void> {
  await plainCopy(url, file);
  const fh = await fs.open(file, 'r+');
  await fh.datasync();
  await fh.close();
}

/** A context whose checkpoints go through the real store, as the engine's do. */
function benchContext(input: VideoDownloadInput, store: SqliteTaskStore): { ctx: TaskContext<VideoDownloadInput, DownloadCheckpoint>; checkpoints: () => number } {
  const { task } = store.create({ type: 'video-download', input }, Date.now());
  let count = 0;
  const ctx = {
    input,
    task: null as never,
    attempt: 1,
    signal: new AbortController().signal,
    checkpoint: null,
    saveCheckpoint: async (state: DownloadCheckpoint) => {
      store.saveCheckpoint(task.id, state, Date.now());
      count += 1;
    },
    progress: () => undefined,
    spawn: async () => [],
    log: () => undefined,
    setTitle: async () => undefined,
  };
  return { ctx, checkpoints: () => count };
}

const QUICK = process.env.BENCH_QUICK === '1';
type Side = 'plain' | 'plainFsync' | 'plainBatched' | 'ours';

export async function run(options: { sizeMiB?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const size = (options.sizeMiB ?? (QUICK ? 64 : 200)) * MiB;
  const rounds = options.rounds ?? (QUICK ? 3 : 5);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-download-'));
  const server = await startLoopbackServer();
  const { store } = openTaskStore(path.join(dir, 'bench.sqlite'));
  const def = createVideoDownload();
  server.route('/v', { content: { size, seed: 42 } });
  const speeds: Record<Side, number[]> = { plain: [], plainFsync: [], plainBatched: [], ours: [] };
  const order: Side[] = ['plain', 'ours', 'plainFsync', 'plainBatched'];
  let checkpoints = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so neither side always gets the warmer page cache.
      for (const side of r % 2 === 0 ? order : [...order].reverse()) {
        const file = path.join(dir, `${side}-${r}.bin`);
        const t0 = process.hrtime.bigint();
        if (side === 'plain') {
          await plainCopy(server.url('/v'), file);
        } else if (side === 'plainFsync') {
          await plainCopyFsync(server.url('/v'), file);
        } else if (side === 'plainBatched') {
          await plainCopy(server.url('/v'), file, SINK_HIGH_WATER_MARK);
        } else {
          const { ctx, checkpoints: n } = benchContext({ url: server.url('/v'), dir, filename: `${side}-${r}.bin` }, store);
          await def.run(ctx);
          checkpoints = n();
        }
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        speeds[side].push(size / MiB / seconds);
        await fs.rm(file, { force: true });
      }
    }
  } finally {
    store.close();
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  const ratio = (other: Side): number => Math.round((median(speeds.ours) / median(speeds[other])) * 100) / 100;
  return {
    name,
    sizeMiB: size / MiB,
    rounds,
    checkpointsPerDownload: checkpoints,
    plainMiBps: round1(median(speeds.plain)),
    plainFsyncMiBps: round1(median(speeds.plainFsync)),
    plainBatchedMiBps: round1(median(speeds.plainBatched)),
    downloadMiBps: round1(median(speeds.ours)),
    ratio: ratio('plain'),
    ratioVsPlainFsync: ratio('plainFsync'),
    ratioVsPlainBatched: ratio('plainBatched'),
    target: 0.8,
  };
}

export default { name, run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
