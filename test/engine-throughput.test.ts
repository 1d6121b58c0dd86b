import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { TaskStore } from '../src/task-service/store/types';
import { cleanup, startService, waitFor } from './support/engine-harness';

afterEach(cleanup);

/**
 * Throughput is a matter of commits: the bench measures speed, these tests pin the shape that
 * makes it fast. Each top-level write transaction is counted through a wrapped (real) store.
 */
function countingStore(counts: { topLevel: number; claimsInBatch: number; claimsAlone: number }) {
  return (file: string): TaskStore => {
    const store = openTaskStore(file).store;
    let depth = 0;
    const wrap = <K extends keyof TaskStore>(name: K, onCall?: () => void): void => {
      const fn = (store[name] as (...a: unknown[]) => unknown).bind(store);
      (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        onCall?.();
        if (depth === 0) counts.topLevel++;
        depth++;
        try {
          return fn(...args);
        } finally {
          depth--;
        }
      };
    };
    wrap('batch');
    wrap('claim', () => (depth > 0 ? counts.claimsInBatch++ : counts.claimsAlone++));
    for (const name of ['transition', 'saveProgress', 'saveCheckpoint', 'spawn', 'create', 'createGraph'] as const) wrap(name);
    return store;
  };
}

describe('throughput shape', () => {
  it('at concurrency 1 writes a finished task and claims the next in one transaction (one commit per task)', async () => {
    const n = 200;
    const counts = { topLevel: 0, claimsInBatch: 0, claimsAlone: 0 };
    let running = 0;
    let overlap = false;
    const quick = defineTask({
      type: 'quick',
      input: z.object({}),
      async run() {
        if (++running > 1) overlap = true;
        await Promise.resolve();
        running--;
        return null;
      },
    });
    const svc = await startService({ tasks: [quick], concurrency: { global: 1 }, openStore: countingStore(counts) });
    svc.queuePause();
    svc.createGraph({ tasks: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, type: 'quick', input: {} })) });
    const before = counts.topLevel;
    svc.queueResume();
    await waitFor(() => svc.stats().byState.completed === n, 'all completed');
    const commits = counts.topLevel - before;
    // One pump claims the first task; every later claim rides in the commit of the outcome
    // that freed the slot (regression: a second pump raced the group commit, claiming in a
    // transaction of its own for every other task).
    expect(counts.claimsAlone).toBeLessThanOrEqual(2);
    expect(counts.claimsInBatch).toBeGreaterThanOrEqual(n - 1);
    expect(commits).toBeLessThanOrEqual(n + 3);
    expect(overlap).toBe(false);
    // Still every transition journaled: created, queued->running, running->completed.
    const id = svc.list({ limit: 1 }).items[0]!.id;
    expect(svc.events({ id }).items.map((e) => `${e.kind}:${e.to ?? ''}`)).toEqual(['created:queued', 'state:running', 'state:completed']);
  });

  it('at concurrency 16 groups outcomes: far fewer commits than tasks', async () => {
    const n = 400;
    const counts = { topLevel: 0, claimsInBatch: 0, claimsAlone: 0 };
    const quick = defineTask({ type: 'quick', input: z.object({}), async run() { return null; } });
    const svc = await startService({ tasks: [quick], concurrency: { global: 16 }, openStore: countingStore(counts) });
    svc.queuePause();
    svc.createGraph({ tasks: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, type: 'quick', input: {} })) });
    const before = counts.topLevel;
    svc.queueResume();
    await waitFor(() => svc.stats().byState.completed === n, 'all completed');
    expect(counts.topLevel - before).toBeLessThanOrEqual(Math.ceil(n / 16) + 5);
  });

  it('a handler never reading ctx.checkpoint costs no checkpoint read; one that does sees the stored value', async () => {
    const seen: unknown[] = [];
    const reader = defineTask({ type: 'reader', input: z.object({ read: z.boolean() }), async run(ctx) { if (ctx.input.read) seen.push(ctx.checkpoint); return null; } });
    let reads = 0;
    const svc = await startService({
      tasks: [reader],
      openStore: (file) => {
        const store = openTaskStore(file).store;
        const get = store.getCheckpoint.bind(store);
        store.getCheckpoint = (id) => (reads++, get(id));
        return store;
      },
    });
    svc.create({ type: 'reader', input: { read: false } });
    await waitFor(() => svc.stats().byState.completed === 1, 'first completed');
    expect(reads).toBe(0);
    svc.create({ type: 'reader', input: { read: true } });
    await waitFor(() => svc.stats().byState.completed === 2, 'second completed');
    expect(reads).toBe(1);
    expect(seen).toEqual([null]);
  });
});
