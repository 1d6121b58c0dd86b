import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TRPCClient } from '@trpc/client';
import { createServiceClient } from '../src/shared/client';
import type { TaskChange } from '../src/shared/task';
import type { AppRouter } from '../src/task-service/rpc/router';
import { createTaskService } from '../src/task-service/service';
import * as fixtureTasks from '../test/fixtures/service/tasks';
import { startService, type ServiceProcess } from '../test/support/service-process';

/**
 * The task service behind its real boundary (the service entry in a child process, reached
 * through a Node host port): tasks created per second over RPC, one at a time, concurrently
 * and as createGraph batches of 1,000, beside direct in-process `service.create` calls on a
 * file of its own in the same run; then 10 watchers over 500 active tasks reporting progress:
 * updates delivered per second and the lag from the handler's report to a watcher's receipt.
 */

export const name = 'rpc-service';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = QUICK
  ? { single: 300, concurrent: 600, window: 32, graphs: 2, graphSize: 1_000, watchers: 10, tasks: 200, seconds: 2 }
  : { single: 2_000, concurrent: 4_000, window: 64, graphs: 5, graphSize: 1_000, watchers: 10, tasks: 500, seconds: 5 };
// Knobs for probing where the watch path saturates (e.g. BENCH_WATCHERS=1 BENCH_WATCH_TASKS=500).
if (process.env.BENCH_WATCHERS) SIZES.watchers = Number(process.env.BENCH_WATCHERS);
if (process.env.BENCH_WATCH_TASKS) SIZES.tasks = Number(process.env.BENCH_WATCH_TASKS);
// A longer window shows whether the lag is bounded or keeps growing (compare lagFirstSecond with lagLastSecond).
if (process.env.BENCH_WATCH_SECONDS) SIZES.seconds = Number(process.env.BENCH_WATCH_SECONDS);

/** Each task reports at the engine's per-task send rate (~10/s), so every report can be sent. */
const REPORT_EVERY_MS = 100;

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50Ms: round(at(0.5), 2), p99Ms: round(at(0.99), 2), n: sorted.length };
}

const spec = (dir: string, i: number) => ({ type: 'fx-steps', title: `bench ${i}`, input: { dir, steps: 1, stepMs: 1 } });
const graph = (dir: string, size: number) => ({
  // A chain in tens: dependencies are resolved and checked for cycles, as in a real import.
  tasks: Array.from({ length: size }, (_, i) => ({ key: `k${i}`, ...spec(dir, i), ...(i % 10 ? { dependsOn: [`k${i - 1}`] } : {}) })),
});

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Single, concurrent and batched creation against any create/createGraph pair. */
async function creation(dir: string, create: (s: ReturnType<typeof spec>) => unknown, createGraph: (g: ReturnType<typeof graph>) => unknown) {
  const single = await timed(async () => {
    for (let i = 0; i < SIZES.single; i++) await create(spec(dir, i));
  });
  const concurrent = await timed(async () => {
    for (let i = 0; i < SIZES.concurrent; i += SIZES.window) {
      await Promise.all(Array.from({ length: Math.min(SIZES.window, SIZES.concurrent - i) }, (_, j) => create(spec(dir, i + j))));
    }
  });
  const batched = await timed(async () => {
    for (let b = 0; b < SIZES.graphs; b++) await createGraph(graph(dir, SIZES.graphSize));
  });
  return {
    singlePerSec: perSecond(SIZES.single, single),
    concurrentPerSec: perSecond(SIZES.concurrent, concurrent),
    graphTasksPerSec: perSecond(SIZES.graphs * SIZES.graphSize, batched),
  };
}

async function createRates(dir: string) {
  const service = createTaskService({ dbPath: path.join(dir, 'direct.db'), tasks: Object.values(fixtureTasks), concurrency: { global: 1 } });
  await service.start();
  service.queuePause(); // creation only: nothing runs in either measurement
  let direct;
  try {
    direct = await creation(dir, (s) => service.create(s), (g) => service.createGraph(g));
  } finally {
    await service.stop({ timeoutMs: 1_000 });
  }
  const svc = startService({ dbPath: path.join(dir, 'rpc.db') });
  let overRpc;
  try {
    await svc.ready;
    const client = svc.client();
    await client.queue.pause.mutate();
    overRpc = await creation(dir, (s) => client.tasks.create.mutate(s), (g) => client.tasks.createGraph.mutate(g));
  } finally {
    await svc.host.stop(5_000);
  }
  const ratio = (k: keyof typeof direct) => round(overRpc[k] / Math.max(1, direct[k]), 2);
  return {
    baseline: { directServiceCreate: direct },
    overRpc: { ...overRpc, singleVsDirect: ratio('singlePerSec'), concurrentVsDirect: ratio('concurrentPerSec'), graphVsDirect: ratio('graphTasksPerSec') },
    sizes: { single: SIZES.single, concurrent: SIZES.concurrent, window: SIZES.window, graphBatches: SIZES.graphs, graphSize: SIZES.graphSize },
  };
}

/** What the fan-out needs from a service, in process or over RPC. */
interface FanOutTarget {
  createTickers(tasks: Array<{ key: string; type: string; input: unknown }>): Promise<unknown>;
  running(): Promise<number>;
  /** Opens one watcher over every task; returns its unsubscribe. */
  watch(onChange: (change: TaskChange) => void): () => void;
}

/** N watchers over M ticking tasks: updates delivered per second and report-to-receipt lag. */
async function fanOut(target: FanOutTarget) {
  const runMs = (SIZES.seconds + 6) * 1000; // outlives the start-up wait and the window
  await target.createTickers(Array.from({ length: SIZES.tasks }, (_, i) => ({ key: `t${i}`, type: 'fx-ticker', input: { ms: runMs, everyMs: REPORT_EVERY_MS } })));
  const until = Date.now() + 10_000;
  while ((await target.running()) < SIZES.tasks && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const running = await target.running();
  let measuring = false;
  let windowStart = 0;
  const lags: number[] = [];
  /** [ms into the window, lag] pairs, to tell a bounded lag from one that grows with time. */
  const timeline: Array<[number, number]> = [];
  let delivered = 0;
  const stops = Array.from({ length: SIZES.watchers }, () =>
    target.watch((change) => {
      if (!measuring || change.kind !== 'progress') return;
      delivered++;
      const stamp = Number(change.progress.message);
      if (!Number.isFinite(stamp)) return;
      const now = performance.timeOrigin + performance.now();
      lags.push(now - stamp);
      timeline.push([now - windowStart, now - stamp]);
    }),
  );
  await new Promise((r) => setTimeout(r, 500)); // subscriptions settle before the window opens
  measuring = true;
  windowStart = performance.timeOrigin + performance.now();
  const ms = await timed(() => new Promise((r) => setTimeout(r, SIZES.seconds * 1000)));
  measuring = false;
  for (const stop of stops) stop();
  return {
    activeTasks: running,
    updatesPerSec: perSecond(delivered, ms),
    perWatcherPerSec: perSecond(delivered / SIZES.watchers, ms),
    // From the handler's report to a watcher's receipt; includes the engine's coalescing
    // window (a tick waits up to ~100 ms for its task's next send slot).
    lag: percentiles(lags),
    lagFirstSecond: percentiles(timeline.filter(([at]) => at < 1_000).map(([, lag]) => lag)),
    lagLastSecond: percentiles(timeline.filter(([at]) => at >= ms - 1_000).map(([, lag]) => lag)),
  };
}

async function watchRates(dir: string) {
  const service = createTaskService({ dbPath: path.join(dir, 'watch-direct.db'), tasks: Object.values(fixtureTasks), concurrency: { global: SIZES.tasks } });
  await service.start();
  let direct;
  try {
    direct = await fanOut({
      createTickers: async (tasks) => service.createGraph({ tasks }),
      running: async () => service.stats().running,
      watch(onChange) {
        const w = service.watch({});
        void (async () => {
          for await (const item of w) onChange(item.change);
        })();
        return () => w.close();
      },
    });
  } finally {
    await service.stop({ timeoutMs: 1_000 });
  }
  const svc: ServiceProcess = startService({ dbPath: path.join(dir, 'watch-rpc.db'), concurrency: { global: SIZES.tasks } });
  let overRpc;
  try {
    await svc.ready;
    const client = svc.client();
    overRpc = await fanOut({
      createTickers: (tasks) => client.tasks.createGraph.mutate({ tasks }),
      running: async () => (await client.queue.stats.query()).running,
      watch(onChange) {
        // One port (one client connection) per watcher, as each window has its own.
        const w: TRPCClient<AppRouter> = createServiceClient({ port: svc.host.connect() }).trpc;
        const sub = w.tasks.watch.subscribe({}, { onData: ({ data }) => onChange(data as TaskChange) });
        return () => sub.unsubscribe();
      },
    });
  } finally {
    await svc.host.stop(3_000);
  }
  return {
    watchers: SIZES.watchers,
    reportEveryMs: REPORT_EVERY_MS,
    // The engine sends each task at most ~10 times a second: the ceiling, for reading the figures.
    ceilingPerSec: SIZES.tasks * 10 * SIZES.watchers,
    baseline: { directServiceWatch: direct },
    overRpc: { ...overRpc, updatesVsDirect: round(overRpc.updatesPerSec / Math.max(1, direct.updatesPerSec), 2) },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'playlistify-bench-rpc-'));
  try {
    return { quick: QUICK, create: await createRates(dir), watch: await watchRates(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default { name, run };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ [name]: await run() }, null, 2));
}
