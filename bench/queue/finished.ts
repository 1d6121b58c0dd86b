import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createTRPCClient } from '@trpc/client';
import { portLink } from '../../src/shared/port/link';
import { startNodeHost } from '../../src/task-service/node-host/host';
import type { AppRouter } from '../../src/task-service/rpc/router';
import { openTaskStore } from '../../src/task-service/store/open-store';

/**
 * The service as shipped (electron-vite build, its service chunk under plain Node) over a
 * database of 100,000 finished tasks, each with its 3 journal entries: the child's RSS once it
 * is up and has answered, and stats() and the first page of list() as RPC round trips (the
 * service-side time is below these: they include the port's IPC both ways). Medians of 21 after
 * 5 warm-ups. BENCH_BUNDLE=dir reuses a build.
 */

const require = createRequire(import.meta.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => Math.round(x * 1000) / 1000;

function build(): { out: string; dispose(): void } {
  if (process.env.BENCH_BUNDLE) return { out: process.env.BENCH_BUNDLE, dispose() {} };
  const out = path.resolve('out', `bench-${process.pid}`);
  const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  execFileSync(process.execPath, [cli, 'build', '--outDir', out], { stdio: 'pipe' });
  return { out, dispose: () => fs.rmSync(out, { recursive: true, force: true }) };
}

function fill(file: string, n: number): void {
  const { store } = openTaskStore(file);
  const db = store.db;
  const task = db.prepare(`INSERT INTO tasks (id, type, title, state, priority, input, result, attempt, max_attempts, run_at, created_at, started_at, finished_at, updated_at)
    VALUES (?, 'noop', 'a finished task', 'completed', 0, '{"url":"https://example.invalid/v"}', 'null', 1, 3, ?, ?, ?, ?, ?)`);
  const event = db.prepare('INSERT INTO task_events (task_id, kind, from_state, to_state, data, at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = `0BENCH${String(i).padStart(20, '0')}`;
      task.run(id, i, i, i, i, i);
      event.run(id, 'created', null, 'queued', null, i);
      event.run(id, 'state', 'queued', 'running', '{"leaseOwner":"bench"}', i);
      event.run(id, 'state', 'running', 'completed', null, i);
    }
  })();
  store.close();
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

export async function finishedTasks(n: number): Promise<Record<string, unknown>> {
  const bundle = build();
  const dir = fs.mkdtempSync(path.join(bundle.out, 'db-'));
  const file = path.join(dir, 'tasks.db');
  fill(file, n);
  const chunks = fs.readdirSync(path.join(bundle.out, 'main', 'chunks'));
  const service = chunks.find((f) => /^main-.*\.js$/.test(f));
  if (service === undefined) throw new Error(`no service chunk in ${chunks.join(', ')}`);
  const host = startNodeHost({ entry: path.join(bundle.out, 'main', 'chunks', service), config: { dbPath: file }, stdio: 'ignore' });
  try {
    const client = createTRPCClient<AppRouter>({ links: [portLink({ port: host.connect() })] });
    for (let i = 0; ; i++) {
      try {
        if ((await client.service.health.query()).ok) break;
      } catch (e) {
        if (i > 600) throw e;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const time = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await fn();
      const xs: number[] = [];
      for (let i = 0; i < 21; i++) {
        const t0 = performance.now();
        await fn();
        xs.push(performance.now() - t0);
      }
      return ms(median(xs));
    };
    const stats = await client.queue.stats.query();
    const statsMs = await time(() => client.queue.stats.query());
    const listMs = await time(() => client.tasks.list.query({ limit: 50 }));
    const healthMs = await time(() => client.service.health.query()); // the round trip alone
    return {
      finishedTasks: stats.byState.completed,
      rssMiB: rssMiB(host.pid!),
      statsRoundTripMs: statsMs,
      listFirstPageRoundTripMs: listMs,
      healthRoundTripMs: healthMs,
    };
  } finally {
    await host.stop();
    bundle.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
