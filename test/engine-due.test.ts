import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/task-service/engine/clock';
import { defineTask, RetryableError } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { TaskStore } from '../src/task-service/store/types';
import { cleanup, gate, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

const quietTimers = { walCheckpointMs: 10_000_000, ownership: { heartbeatMs: 10_000_000, staleMs: 20_000_000 } };

/** Counts claim attempts through a real store: a polling engine shows up as claims. */
function countingClaims(counter: { claims: number }) {
  return (file: string): TaskStore => {
    const store = openTaskStore(file).store;
    const claim = store.claim.bind(store);
    store.claim = (o) => (counter.claims++, claim(o));
    return store;
  };
}

describe('the due timer', () => {
  it('nextRunAt(after) leaves out due tasks', async () => {
    const svc = await startService({ tasks: [gate('x').def], ...quietTimers });
    svc.queuePause();
    const now = Date.now();
    svc.create({ type: 'x', input: {}, runAt: now - 10 });
    svc.create({ type: 'x', input: {}, runAt: now + 5_000 });
    expect(svc.store.nextRunAt()).toBe(now - 10);
    expect(svc.store.nextRunAt(now)).toBe(now + 5_000);
    expect(svc.store.nextRunAt(now + 5_000)).toBeNull();
  });

  it('a later task of another type does not hide behind due tasks waiting for a slot, and nothing polls', async () => {
    const clock = new ManualClock(Date.now());
    const busy = gate('busy');
    const later = defineTask({ type: 'later', input: z.object({}), async run() { return null; } });
    const counter = { claims: 0 };
    const svc = await startService({ tasks: [{ ...busy.def, concurrency: 1 }, later], clock, openStore: countingClaims(counter), ...quietTimers });
    const first = svc.create({ type: 'busy', input: {} });
    await waitFor(() => busy.started(first.id), 'busy running');
    for (let i = 0; i < 5; i++) svc.create({ type: 'busy', input: {} }); // due, but no busy slot
    const l = svc.create({ type: 'later', input: {}, runAt: clock.now() + 5_000 });
    await svc.engine.whenIdle();
    const claimsBefore = counter.claims;
    clock.advance(4_999);
    await svc.engine.whenIdle();
    // The old engine re-checked every second while due tasks waited: four more claims here.
    expect(counter.claims).toBe(claimsBefore);
    expect(svc.get({ id: l.id }).state).toBe('queued');
    clock.advance(1);
    await waitState(svc, l.id, 'completed');
    busy.release(first.id);
  });

  it('a retry backoff queued by a group commit arms the timer for exactly its runAt', async () => {
    const clock = new ManualClock(Date.now());
    let runs = 0;
    const flaky = defineTask({
      type: 'flaky',
      input: z.object({}),
      maxAttempts: 2,
      backoff: { baseMs: 3_000, maxMs: 3_000 },
      async run() {
        if (++runs === 1) throw new RetryableError('NETWORK', 'once');
        return null;
      },
    });
    const svc = await startService({ tasks: [flaky], clock, random: () => 1, ...quietTimers });
    const t = svc.create({ type: 'flaky', input: {} });
    await waitFor(() => runs === 1 && svc.get({ id: t.id }).state === 'queued', 'first run failed and requeued');
    const queued = svc.get({ id: t.id });
    expect(queued.runAt).toBe(clock.now() + 3_000);
    clock.advance(2_999);
    await svc.engine.whenIdle();
    expect(runs).toBe(1);
    clock.advance(1);
    await waitState(svc, t.id, 'completed');
    expect(runs).toBe(2);
  });
});
