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
import { createVideoDownload, type VideoDownloadInput } from '../src/task-service/tasks/video-download';
import { startLoopbackServer } from '../test/support/loopback-server';

/**
 * Download throughput over loopback with checkpointing on (fsync of the .part, then the real
 * TaskStore's saveCheckpoint on a SQLite file with the service's default pragmas, at the
 * default cadence: every MiB, or every 250 ms at speed), beside a plain
 * `pipeline(res, createWriteStream)` of the same
 * bytes from the same server in the same run. The figure that matters is the ratio.
 */

export const name = 'download';

const MiB = 1024 * 1024;

function plainCopy(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => pipeline(res, createWriteStream(file)).then(resolve, reject)).on('error', reject);
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
  };
  return { ctx, checkpoints: () => count };
}

export async function run(options: { sizeMiB?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const size = (options.sizeMiB ?? 200) * MiB;
  const rounds = options.rounds ?? 3;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-download-'));
  const server = await startLoopbackServer();
  const { store } = openTaskStore(path.join(dir, 'bench.sqlite'));
  const def = createVideoDownload();
  server.route('/v', { content: { size, seed: 42 } });
  const plain: number[] = [];
  const plainFsync: number[] = [];
  const ours: number[] = [];
  let checkpoints = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so neither side always gets the warmer page cache.
      for (const side of r % 2 === 0 ? ['plain', 'ours', 'plainFsync'] : ['plainFsync', 'ours', 'plain']) {
        const file = path.join(dir, `${side}-${r}.bin`);
        const t0 = process.hrtime.bigint();
        if (side === 'plain') {
          await plainCopy(server.url('/v'), file);
        } else if (side === 'plainFsync') {
          await plainCopyFsync(server.url('/v'), file);
        } else {
          const { ctx, checkpoints: n } = benchContext({ url: server.url('/v'), dir, filename: `${side}-${r}.bin` }, store);
          await def.run(ctx);
          checkpoints = n();
        }
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        (side === 'plain' ? plain : side === 'ours' ? ours : plainFsync).push(size / MiB / seconds);
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
  return {
    name,
    sizeMiB: size / MiB,
    rounds,
    checkpointsPerDownload: checkpoints,
    plainMiBps: round1(median(plain)),
    plainFsyncMiBps: round1(median(plainFsync)),
    downloadMiBps: round1(median(ours)),
    ratio: Math.round((median(ours) / median(plain)) * 100) / 100,
    ratioVsPlainFsync: Math.round((median(ours) / median(plainFsync)) * 100) / 100,
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
