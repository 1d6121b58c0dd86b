import { z } from 'zod';
import { LIMITS } from '../../src/shared/schemas';
import { defineTask } from '../../src/task-service/engine/define';
import { createTaskService } from '../../src/task-service/service';
import { tick, tmpFile, type Contender } from './contender';

/**
 * Ours: the whole task service in process (validation, journal, leases, group commit), no RPC.
 * Jobs are no-op tasks; a run is "done" once its completion is committed (stats() says so).
 */
export async function openOurs(): Promise<Contender> {
  const t = tmpFile('ours');
  let finished = 0;
  const noop = defineTask({
    type: 'noop',
    input: z.object({}),
    async run() {
      await tick();
      finished++;
      return null;
    },
  });
  const svc = createTaskService({ dbPath: t.file, tasks: [noop], concurrency: { global: 1 }, retention: false });
  await svc.start();
  svc.queuePause();
  return {
    name: 'ours',
    file: t.file,
    enqueueOne(n) {
      for (let i = 0; i < n; i++) svc.create({ type: 'noop', input: {} });
    },
    enqueueBulk(n) {
      for (let done = 0; done < n; done += LIMITS.graphTasks) {
        const size = Math.min(LIMITS.graphTasks, n - done);
        svc.createGraph({ tasks: Array.from({ length: size }, (_, i) => ({ key: `k${i}`, type: 'noop', input: {} })) });
      }
    },
    async process(n, concurrency) {
      svc.setConcurrency({ limit: concurrency });
      const base = svc.stats().byState.completed;
      finished = 0;
      svc.queueResume();
      while (finished < n) await new Promise((r) => setTimeout(r, 1));
      while (svc.stats().byState.completed < base + n) await new Promise((r) => setImmediate(r));
      svc.queuePause();
    },
    async close() {
      await svc.stop();
      t.dispose();
    },
  };
}
