import { z } from 'zod';
import { defineTask } from '../../src/task-service/engine/define';
import { createTaskService } from '../../src/task-service/service';
import { tmpFile } from './contender';

/**
 * Enqueue-to-start at idle: one task at a time into an idle service (nothing queued or
 * running), the time from the create() call to its handler starting; then the next after a
 * 20 ms pause, so work that waits for idle time (the WAL checkpoint) gets its chance, as it would
 * between a user's clicks.
 */
export async function enqueueToStart(samples: number): Promise<Record<string, number>> {
  const t = tmpFile('latency');
  let started: (() => void) | null = null;
  const probe = defineTask({
    type: 'probe',
    input: z.object({}),
    async run() {
      started?.();
      return null;
    },
  });
  const svc = createTaskService({ dbPath: t.file, tasks: [probe], concurrency: { global: 8 }, retention: false });
  await svc.start();
  const xs: number[] = [];
  let checkpointed = 0; // samples whose window saw an off-path WAL checkpoint (should be none)
  try {
    for (let i = 0; i < samples + 20; i++) {
      const begun = new Promise<void>((r) => (started = r));
      const ran = svc.store.wal.ran;
      const t0 = performance.now();
      svc.create({ type: 'probe', input: {} });
      await begun;
      if (i >= 20) {
        xs.push(performance.now() - t0); // the first 20 warm up
        if (svc.store.wal.ran !== ran) checkpointed++;
      }
      while (svc.stats().byState.completed < i + 1) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await svc.stop();
    t.dispose();
  }
  xs.sort((a, b) => a - b);
  const at = (q: number) => Math.round(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]! * 1000) / 1000;
  return { samples: xs.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), samplesWithCheckpoint: checkpointed };
}
