import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { ManualClock } from '../src/task-service/engine/clock';
import { cleanup, gate, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

describe('scheduling', () => {
  it('runs 2,000 tasks at concurrency 16 each exactly once, never two at a time', async () => {
    const runs = new Map<string, number>();
    const active = new Set<string>();
    let concurrent = 0;
    let maxConcurrent = 0;
    let overlaps = 0;
    const work = defineTask({
      type: 'work',
      input: z.object({ i: z.number() }),
      async run(ctx) {
        if (active.has(ctx.task.id)) overlaps++;
        active.add(ctx.task.id);
        runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await new Promise((r) => setImmediate(r));
        concurrent--;
        active.delete(ctx.task.id);
        return null;
      },
    });
    const svc = await startService({ tasks: [work], concurrency: { global: 16 } });
    svc.createGraph({ tasks: Array.from({ length: 2_000 }, (_, i) => ({ key: `t${i}`, type: 'work', input: { i } })) });
    await waitFor(() => svc.stats().byState.completed === 2_000, '2,000 completions', 60_000);
    expect(runs.size).toBe(2_000);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(overlaps).toBe(0);
    expect(maxConcurrent).toBeLessThanOrEqual(16);
    expect(maxConcurrent).toBeGreaterThan(1);
  });

  it('claims by priority, then runAt, then creation', async () => {
    const order: string[] = [];
    const rec = defineTask({ type: 'rec', input: z.object({ name: z.string() }), async run(ctx) { order.push(ctx.input.name); return null; } });
    const svc = await startService({ tasks: [rec], concurrency: { global: 1 } });
    svc.queuePause();
    const now = Date.now();
    svc.create({ type: 'rec', input: { name: 'low' }, priority: -1 });
    svc.create({ type: 'rec', input: { name: 'late' }, runAt: now - 10 });
    svc.create({ type: 'rec', input: { name: 'early' }, runAt: now - 1000 });
    svc.create({ type: 'rec', input: { name: 'high' }, priority: 5 });
    svc.queueResume();
    await waitFor(() => order.length === 4, 'four runs');
    expect(order).toEqual(['high', 'early', 'late', 'low']);
  });

  it('honours per-type limits and limits changed while running', async () => {
    const g = gate('slow');
    const svc = await startService({ tasks: [g.def], concurrency: { global: 10, perType: { slow: 2 } } });
    const ids = Array.from({ length: 6 }, () => svc.create({ type: 'slow', input: {} }).id);
    await waitFor(() => g.waiting.size === 2, 'two running');
    await svc.engine.whenIdle();
    expect(g.waiting.size).toBe(2);
    svc.setConcurrency({ type: 'slow', limit: 4 });
    await waitFor(() => g.waiting.size === 4, 'four running');
    svc.setConcurrency({ limit: 1 }); // global below the running count: nothing new starts
    for (const id of [...g.waiting.keys()]) g.release(id);
    await waitFor(() => g.waiting.size === 1, 'one running under global 1');
    await svc.engine.whenIdle();
    expect(g.waiting.size).toBe(1);
    expect(svc.stats().running).toBe(1);
    expect(() => svc.setConcurrency({ type: 'nope', limit: 1 })).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
    svc.setConcurrency({ limit: 10 });
    while (svc.stats().byState.completed !== 6) {
      for (const id of [...g.waiting.keys()]) g.release(id);
      await svc.engine.whenIdle();
    }
    for (const id of ids) expect(svc.get({ id }).state).toBe('completed');
  });

  it('starts a delayed task when its runAt comes, with one armed timer', async () => {
    const clock = new ManualClock(Date.now());
    let ran = 0;
    const t = defineTask({ type: 'later', input: z.object({}), async run() { ran++; return null; } });
    const svc = await startService({ tasks: [t], clock, walCheckpointMs: 10_000_000, ownership: { heartbeatMs: 10_000_000, staleMs: 20_000_000 }, retention: false });
    const task = svc.create({ type: 'later', input: {}, runAt: clock.now() + 60_000 });
    await svc.engine.whenIdle();
    expect(ran).toBe(0);
    expect(clock.pendingTimers()).toBe(3); // heartbeat, WAL checkpoint, the one due timer
    clock.advance(59_999);
    await svc.engine.whenIdle();
    expect(ran).toBe(0);
    clock.advance(1);
    await waitState(svc, task.id, 'completed');
    expect(ran).toBe(1);
  });
});
