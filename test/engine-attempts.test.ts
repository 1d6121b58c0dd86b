import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, RetryableError } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import { cleanup, startService, tmpDb, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

/**
 * Only failed runs use up maxAttempts. A run ended by a graceful shutdown, a crash recovery or a
 * pause is given back: `attempt` counts failed attempts, `runs` every run (unique per run). Each scenario has
 * maxAttempts 2 and fails twice after the interruptions: without the refund, the first failure
 * would already be final.
 */

const fast = { baseMs: 1, maxMs: 1 };

/** A handler that blocks (honouring its signal) while `blockRuns` > 0, then throws. */
function interruptible() {
  const attempts: number[] = [];
  const runs: number[] = [];
  let blockRuns = 0;
  const def = defineTask({
    type: 'work',
    input: z.object({}),
    maxAttempts: 2,
    backoff: fast,
    async run(ctx) {
      attempts.push(ctx.attempt);
      runs.push(ctx.run);
      if (blockRuns > 0) {
        blockRuns--;
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
      }
      throw new RetryableError('NETWORK', `run ${ctx.run}`);
    },
  });
  return { def, attempts, runs, block: (n: number) => (blockRuns = n) };
}

describe('attempts used only by failures', () => {
  it('graceful shutdown requeues without using up an attempt', async () => {
    const dbPath = tmpDb();
    const w = interruptible();
    w.block(3);
    let svc = await startService({ dbPath, tasks: [w.def] });
    const id = svc.create({ type: 'work', input: {} }).id;
    for (let stop = 1; stop <= 3; stop++) {
      await waitFor(() => w.attempts.length === stop, `run ${stop}`);
      await svc.stop({ timeoutMs: 1_000 });
      const { store } = openTaskStore(dbPath);
      expect(store.get(id).state).toBe('queued');
      expect(store.failedAttempts(id)).toBe(0);
      store.close();
      svc = await startService({ dbPath, tasks: [w.def] });
    }
    const failed = await waitState(svc, id, 'failed');
    // Runs 4 and 5 failed; the three shutdowns did not count: runs 1-4 were all try 1.
    expect(w.runs).toEqual([1, 2, 3, 4, 5]);
    expect(w.attempts).toEqual([1, 1, 1, 1, 2]);
    expect(failed).toMatchObject({ attempt: 2, runs: 5 });
    expect(svc.events({ id, limit: 100 }).items.filter((e) => (e.data as { reason?: string } | null)?.reason === 'retry')).toHaveLength(1);
  });

  it('a crash recovery is counted by recoveries, not as a failed attempt', async () => {
    const dbPath = tmpDb();
    const { store } = openTaskStore(dbPath);
    const id = store.create({ type: 'work', input: {}, maxAttempts: 2 }, Date.now()).task.id;
    store.claim({ bootId: 'crashed-boot', now: Date.now(), limit: 1, capacity: null });
    store.close();
    const w = interruptible();
    const svc = await startService({ dbPath, tasks: [w.def] });
    const failed = await waitState(svc, id, 'failed');
    expect(w.runs).toEqual([2, 3]); // the crashed run was run 1
    expect(w.attempts).toEqual([1, 2]);
    expect(failed).toMatchObject({ attempt: 2, runs: 3 });
    expect(svc.store.recoveries(id)).toBe(1);
    expect(svc.store.failedAttempts(id)).toBe(2);
  });

  it('pausing a running task gives its attempt back; pausing a queued one changes nothing', async () => {
    const w = interruptible();
    w.block(1);
    const svc = await startService({ tasks: [w.def] });
    const id = svc.create({ type: 'work', input: {} }).id;
    await waitFor(() => w.attempts.length === 1, 'first run');
    svc.pause({ id });
    expect(svc.store.failedAttempts(id)).toBe(0);
    svc.resume({ id });
    const failed = await waitState(svc, id, 'failed');
    expect(w.runs).toEqual([1, 2, 3]);
    expect(w.attempts).toEqual([1, 1, 2]);
    expect(svc.store.failedAttempts(id)).toBe(2);
    // An explicit retry starts the budget afresh.
    svc.queuePause();
    svc.retry({ id });
    svc.pause({ id });
    expect(svc.get({ id })).toMatchObject({ state: 'paused', attempt: 0, runs: 3 });
    expect(svc.store.failedAttempts(id)).toBe(0);
    expect(failed.error?.code).toBe('NETWORK');
  });
});
