import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { cleanup, gate, noop, startService, waitState } from './support/engine-harness';

afterEach(cleanup);

/**
 * Regression: the engine's map of each task's parent grew by one entry per task ever processed
 * (about 95 bytes each, forever). It now holds live tasks only.
 */
describe("the engine's parent index", () => {
  it('forgets tasks once they are terminal, so it does not grow with the tasks processed', async () => {
    const parent = defineTask({
      type: 'parent',
      input: z.object({}),
      async run(ctx) {
        await ctx.spawn([{ key: 'a', type: 'noop', input: {} }, { key: 'b', type: 'noop', input: {} }]);
        return null;
      },
    });
    const svc = await startService({ tasks: [noop, parent] });
    const ids = Array.from({ length: 50 }, () => svc.create({ type: 'noop', input: {} }).id);
    const p = svc.create({ type: 'parent', input: {} });
    for (const id of ids) await waitState(svc, id, 'completed');
    await waitState(svc, p.id, 'completed');
    await svc.engine.whenIdle();
    expect(svc.engine.trackedParents()).toBe(0);
  });

  it('keeps running, waiting and paused tasks, and lets go of them once cancelled', async () => {
    const g = gate();
    const parent = defineTask({
      type: 'parent',
      input: z.object({}),
      async run(ctx) {
        await ctx.spawn([{ key: 'a', type: 'gate', input: {} }]);
        return null;
      },
    });
    const svc = await startService({ tasks: [g.def, parent] });
    const p = svc.create({ type: 'parent', input: {} });
    await waitState(svc, p.id, 'waiting');
    const [child] = svc.list({ parentId: p.id }).items;
    await waitState(svc, child!.id, 'running');
    await svc.engine.whenIdle();
    expect(svc.engine.trackedParents()).toBe(2); // the waiting parent and its running child

    svc.cancel({ id: p.id }); // cascades to the child
    await svc.engine.whenIdle();
    expect(svc.engine.trackedParents()).toBe(0);

    const lone = svc.create({ type: 'gate', input: {} });
    await waitState(svc, lone.id, 'running');
    svc.pause({ id: lone.id });
    expect(svc.engine.trackedParents()).toBe(1); // paused is not terminal
    svc.cancel({ id: lone.id });
    expect(svc.engine.trackedParents()).toBe(0);
  });
});
