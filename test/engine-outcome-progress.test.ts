import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceError } from '../src/shared/errors';
import { ManualClock } from '../src/task-service/engine/clock';
import { defineTask } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { TaskStore } from '../src/task-service/store/types';
import { cleanup, startService } from './support/engine-harness';

/**
 * Regression (final progress lost when the outcome write fails): the outcome writer took the
 * task's latest progress out of the coalescer before its transaction; the disk was full, the
 * transaction rolled back, and the retry after recovery had no progress left to write.
 */

afterEach(cleanup);

/** A store whose transition() fails with DISK_FULL while `faulty.on` (as SQLITE_FULL would). */
function faultyStore(path: string, faulty: { on: boolean }): TaskStore {
  const store = openTaskStore(path).store;
  return new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (key === 'transition')
        return (...args: Parameters<TaskStore['transition']>) => {
          if (faulty.on) throw new ServiceError('DISK_FULL', 'database or disk is full', { sqlite: 'SQLITE_FULL' });
          return target.transition(...args);
        };
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('an outcome whose write fails on a full disk', () => {
  it('keeps the final progress and writes it with the outcome once the database recovers', async () => {
    const clock = new ManualClock(Date.now());
    const faulty = { on: false };
    const final = { ratio: 1, message: 'all 42 files written', current: 42, total: 42 };
    const w = defineTask({
      type: 'w',
      input: z.object({}),
      async run(ctx) {
        ctx.progress(final);
        faulty.on = true; // the disk fills up just as the handler returns
        return 'ok';
      },
    });
    const svc = await startService({
      tasks: [w],
      clock,
      retention: false,
      walCheckpointMs: 1e9,
      probeMs: 1_000,
      ownership: { heartbeatMs: 1e8, staleMs: 1e9 },
      openStore: (p) => faultyStore(p, faulty),
    });
    const t = svc.create({ type: 'w', input: {} });
    await svc.engine.whenIdle();
    expect(svc.get({ id: t.id }).state).toBe('running');
    expect(svc.health().degraded.join()).toMatch(/disk full/);

    faulty.on = false;
    clock.advance(1_000); // the probe retries the pending outcome
    await svc.engine.whenIdle();
    expect(svc.get({ id: t.id })).toMatchObject({ state: 'completed', progress: final });
  });
});
