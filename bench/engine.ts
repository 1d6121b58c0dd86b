import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { createTaskService } from '../src/task-service/service';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { TaskStore } from '../src/task-service/store/types';

/**
 * Engine benchmark (JSON): 1,000 running tasks reporting progress 1,000 times a second each
 * (DB writes/s, event-loop lag). Throughput against the baselines is the queue section
 * (bench/queue/), memory and reads at 100,000 finished tasks the finished section.
 */

export const name = 'engine';

const quick = process.env.BENCH_QUICK === '1';

function tmp(): { file: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-engine-'));
  return { file: path.join(dir, 'tasks.db'), dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}


async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
}

async function progressStorm(tasks: number, seconds: number): Promise<Record<string, number>> {
  const t = tmp();
  let writes = 0;
  const counting = (p: string): TaskStore => {
    const store = openTaskStore(p).store;
    const save = store.saveProgress.bind(store);
    store.saveProgress = (id, progress, now) => {
      writes++;
      save(id, progress, now);
    };
    return store;
  };
  const reporters = new Set<(n: number) => void>();
  const chatty = defineTask({
    type: 'chatty',
    input: z.object({}),
    run: (ctx) =>
      new Promise((resolve) => {
        const report = (n: number): void => ctx.progress({ current: n, total: 1_000_000 });
        reporters.add(report);
        ctx.signal.addEventListener('abort', () => { reporters.delete(report); resolve(null); });
      }),
  });
  const svc = createTaskService({ dbPath: t.file, tasks: [chatty], concurrency: { global: tasks }, openStore: counting });
  await svc.start();
  const ids = svc.createGraph({ tasks: Array.from({ length: tasks }, (_, i) => ({ key: `c${i}`, type: 'chatty', input: {} })) }).map((x) => x.id);
  await until(() => reporters.size === tasks);
  const w = svc.watch({});
  let delivered = 0;
  void (async () => { for await (const _ of w) delivered++; })();
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  writes = 0;
  // Each 10 ms tick: every task reports 10 times (1,000 reports per second per task).
  let n = 0;
  const start = performance.now();
  const timer = setInterval(() => {
    for (let k = 0; k < 10; k++) { n++; for (const r of reporters) r(n); }
  }, 10);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  const elapsed = (performance.now() - start) / 1000;
  lag.disable();
  const result = {
    tasks,
    reportsPerSec: Math.round((n * tasks) / elapsed),
    dbProgressWritesPerSec: Math.round(writes / elapsed),
    eventsDeliveredPerSec: Math.round(delivered / elapsed),
    eventLoopLagP50Ms: Math.round(lag.percentile(50) / 1e4) / 100,
    eventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
  };
  w.close();
  for (const id of ids) svc.cancel({ id });
  await svc.stop();
  t.dispose();
  return result;
}

export async function run(): Promise<Record<string, unknown>> {
  return { progress: await progressStorm(1_000, quick ? 2 : 4) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
