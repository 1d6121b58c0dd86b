import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/task-service/engine/clock';
import { cleanup, gate, noop, startService, waitState } from './support/engine-harness';

/** The service trims finished work on a schedule, in short batches, and never live trees. */

afterEach(cleanup);

const HOUR = 60 * 60 * 1000;
const quiet = { walCheckpointMs: 1e12, ownership: { heartbeatMs: 1e12, staleMs: 2e12 } };

describe('retention', () => {
  it('deletes finished root trees past the age limit on its schedule, in batches, and keeps unfinished ones', async () => {
    const clock = new ManualClock(Date.now());
    const g = gate();
    const svc = await startService({ tasks: [noop, g.def], clock, ...quiet, retention: { olderThanMs: 24 * HOUR, everyMs: HOUR } });
    const done = Array.from({ length: 450 }, () => svc.create({ type: 'noop', input: {} }));
    for (const t of done) await waitState(svc, t.id, 'completed');
    const live = svc.create({ type: 'gate', input: {} });
    await waitState(svc, live.id, 'running');

    clock.advance(HOUR); // first round: nothing is old enough yet
    await svc.engine.whenIdle();
    expect(svc.list({ states: ['completed'], limit: 500 }).items).toHaveLength(450);

    clock.advance(24 * HOUR); // old now: 450 roots go in batches of 200 (three transactions)
    for (let i = 0; i < 3; i++) {
      clock.advance(0);
      await svc.engine.whenIdle();
    }
    expect(svc.list({ states: ['completed'], limit: 500 }).items).toHaveLength(0);
    expect(svc.get({ id: live.id }).state).toBe('running');
    expect(() => svc.get({ id: done[0]!.id })).toThrow(/does not exist/);
  });

  it('keeps everything when retention is off', async () => {
    const clock = new ManualClock(Date.now());
    const svc = await startService({ tasks: [noop], clock, ...quiet, retention: false });
    const t = svc.create({ type: 'noop', input: {} });
    await waitState(svc, t.id, 'completed');
    clock.advance(365 * 24 * HOUR);
    await svc.engine.whenIdle();
    expect(svc.get({ id: t.id }).state).toBe('completed');
  });
});
