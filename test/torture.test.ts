import path from 'node:path';
import type { TRPCClient } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Task } from '../src/shared/task';
import type { AppRouter } from '../src/task-service/rpc/router';
import { byTask, effectsDir, readEffects } from './fixtures/service/effects';
import { allEvents, journalGap } from './fixtures/service/journal';
import { startWhenFree } from './fixtures/service/restart';
import { makeBatch, seeded, type Batch } from './fixtures/service/workload';
import { tmpDir } from './support/tmp';
import { killAll, type ServiceProcess } from './support/service-process';

/**
 * The torture test: >= 1,000 tasks with dependencies and children while the real service
 * process is SIGKILLed at seeded random moments, restarted on the same file each time. A batch
 * is created at every boot (and awaited before the kill), so there is work in flight at each
 * kill. At the end every task must have completed, its side effect must have completed exactly
 * once in its final attempt and never run twice at once, and its journal must account for
 * every state it passed through.
 */

const SEED = Number(process.env.TORTURE_SEED ?? 20_240_611);
const KILLS = 22;
const BATCHES = 25;
const CONFIG = { concurrency: { global: 12 }, maxRecoveries: 1_000, staleMs: 400, shutdownTimeoutMs: 1_000 };

afterEach(killAll);

async function listAll(client: TRPCClient<AppRouter>): Promise<Task[]> {
  const out: Task[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.tasks.list.query({ limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...(page.items as Task[]));
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

/** A failed call to a live service says whether the process died and what it logged last. */
async function explained<T>(svc: ServiceProcess, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const exit = await Promise.race([svc.host.exit, new Promise((r) => setTimeout(() => r('still running'), 500))]);
    throw new Error(`${(e as Error).message}; service: ${JSON.stringify(exit)}; last logs: ${JSON.stringify(svc.logs.slice(-5))}`, { cause: e });
  }
}

describe('torture: random SIGKILLs under a dependency and child workload', () => {
  it('ends with every task completed exactly once, no overlap, and a continuous journal', { timeout: 240_000 }, async () => {
    const dir = effectsDir(tmpDir('playlistify-torture-'));
    const config = { dbPath: path.join(dir, 'tasks.db'), ...CONFIG };
    const random = seeded(SEED);
    const shape = { dir, nodesPerBatch: 40, children: 3, parentEvery: 10, failEvery: 25 };
    const batches: Batch[] = Array.from({ length: BATCHES }, (_, i) => makeBatch(random, shape, i));
    const expectedTasks = batches.reduce((n, b) => n + b.expectedTasks, 0);
    expect(expectedTasks).toBeGreaterThanOrEqual(1_000);

    let kills = 0;
    let killedMidTask = 0;
    let created = 0;
    let lastBoot: string | undefined;
    const boot = async () => {
      // Every other restart names the killed boot (as the Electron supervisor does), so its
      // owner row is released at once; the others wait for the dead owner's lease to go stale.
      const takeover = lastBoot && kills % 2 === 0 ? { takeoverBootId: lastBoot } : {};
      const { svc, up } = await startWhenFree({ ...config, ...takeover }, 50);
      // fx-steps never takes the service down: dying before ready is a failure of the service.
      if (!up) throw new Error(`service died before ready: ${JSON.stringify(await svc.host.exit)} ${JSON.stringify(svc.logs.slice(-5))}`);
      lastBoot = await svc.ready;
      return { svc, client: svc.client(), call: <T>(p: Promise<T>) => explained(svc, p) };
    };
    while (kills < KILLS) {
      const { svc, client, call } = await boot();
      const batch = batches[created];
      if (batch) {
        await call(client.tasks.createGraph.mutate({ tasks: batch.nodes }));
        created++;
      }
      await new Promise((r) => setTimeout(r, Math.floor(random() * 200)));
      const { running } = await call(client.queue.stats.query());
      svc.host.kill('SIGKILL');
      expect((await svc.host.exit).reason).toBe('killed');
      kills++;
      if (running > 0) killedMidTask++;
    }

    const { client, call } = await boot();
    for (const batch of batches.slice(created)) await call(client.tasks.createGraph.mutate({ tasks: batch.nodes }));
    await vi.waitFor(
      async () => {
        const { byState } = await call(client.queue.stats.query());
        expect(byState.blocked + byState.queued + byState.running + byState.waiting + byState.paused).toBe(0);
      },
      { timeout: 120_000, interval: 200 },
    );

    const tasks = await listAll(client);
    const { effects, torn } = readEffects(dir);
    const seen = byTask(effects);
    let losses = Math.max(0, expectedTasks - tasks.length);
    let duplicates = Math.max(0, tasks.length - expectedTasks);
    const problems: string[] = [];
    for (const t of tasks) {
      const fx = seen.tasks.get(t.id);
      const gap = journalGap(await allEvents(client, t.id), t.state);
      if (t.state !== 'completed' || !fx?.dones.get(t.runs) || gap) {
        losses++;
        problems.push(`${t.id} ${t.state} run ${t.runs}: done ${fx?.dones.get(t.runs) ?? 0}${gap ? `, journal ${gap}` : ''}`);
      }
      const twice = [...(fx?.begins ?? [])].filter(([, n]) => n > 1).length + [...(fx?.dones ?? [])].filter(([, n]) => n > 1).length;
      if (twice > 0) {
        duplicates++;
        problems.push(`${t.id}: a run began or finished twice`);
      }
      // An earlier run may have finished its effect just before a kill; never a later one.
      if ([...(fx?.dones.keys() ?? [])].some((a) => a > t.runs)) problems.push(`${t.id}: done after its final run`);
    }
    const overlaps = seen.overlaps.length;
    console.log(`torture: tasks=${tasks.length} kills=${kills} losses=${losses} duplicates=${duplicates} overlaps=${overlaps} (seed ${SEED}, killed mid-task ${killedMidTask}, torn lines ${torn})`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect({ losses, duplicates, overlaps }).toEqual({ losses: 0, duplicates: 0, overlaps: 0 });
    expect(kills).toBeGreaterThanOrEqual(20);
    // The whole point is to kill while tasks run: most kills must land on running work.
    expect(killedMidTask).toBeGreaterThanOrEqual(KILLS / 2);
  });
});
