import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, PermanentError } from '../src/task-service/engine/define';
import type { TaskService } from '../src/task-service/service';
import { errorOf, snapshot } from './support/store-fixture';
import { cleanup, startService, waitState } from './support/engine-harness';

/**
 * Regressions of a user's retry: a parent retried after its failed child had been retried (or
 * removed) stayed `waiting` forever; a task retried behind a failed dependency stayed `blocked`
 * forever; a retried root never reached its failed grandchildren, so it failed again at once.
 */

afterEach(cleanup);

/** A type that fails permanently on its first `failFirst` runs, then succeeds. */
function flaky(type: string, failFirst = 1) {
  let runs = 0;
  const def = defineTask({
    type,
    input: z.object({}).passthrough(),
    async run() {
      if (++runs <= failFirst) throw new PermanentError('HTTP_ERROR', `${type} run ${runs} fails`);
      return 'ok';
    },
  });
  return { def, runs: () => runs };
}

/** A type that spawns one child of `childType` and completes its own work. */
function spawner(type: string, childType: string) {
  return defineTask({
    type,
    input: z.object({}).passthrough(),
    async run(ctx) {
      await ctx.spawn([{ key: 'only', type: childType, input: {} }]);
      return type;
    },
  });
}

const onlyChild = (svc: TaskService, parentId: string) => svc.list({ parentId }).items[0]!;

describe('retry of a parent that failed with CHILDREN_FAILED', () => {
  it('completes at once when the failed child was retried and completed meanwhile (no longer waits forever)', async () => {
    const c = flaky('c');
    const svc = await startService({ tasks: [c.def, spawner('p', 'c')] });
    const p = svc.create({ type: 'p', input: {} });
    expect((await waitState(svc, p.id, 'failed')).error?.code).toBe('CHILDREN_FAILED');
    const child = onlyChild(svc, p.id);
    svc.retry({ id: child.id });
    await waitState(svc, child.id, 'completed');
    expect(svc.get({ id: p.id }).state).toBe('failed'); // a child's retry alone does not revive the parent
    expect(svc.retry({ id: p.id }).state).toBe('completed');
    expect(svc.get({ id: p.id }).error).toBeNull();
  });

  it('completes at once when the failed child was removed', async () => {
    const svc = await startService({ tasks: [flaky('c', 99).def, spawner('p', 'c')] });
    const p = svc.create({ type: 'p', input: {} });
    await waitState(svc, p.id, 'failed');
    svc.remove({ id: onlyChild(svc, p.id).id });
    expect(svc.retry({ id: p.id }).state).toBe('completed');
  });

  it('reaches failed grandchildren: the failed middle task waits again and its failed child re-runs', async () => {
    const g = flaky('g');
    const svc = await startService({ tasks: [g.def, spawner('c', 'g'), spawner('p', 'c')] });
    const p = svc.create({ type: 'p', input: {} });
    await waitState(svc, p.id, 'failed');
    const c = onlyChild(svc, p.id);
    const gc = onlyChild(svc, c.id);
    expect([svc.get({ id: c.id }).error?.code, svc.get({ id: gc.id }).state]).toEqual(['CHILDREN_FAILED', 'failed']);
    expect(svc.retry({ id: p.id }).state).toBe('waiting');
    expect(svc.get({ id: c.id }).state).toBe('waiting');
    await waitState(svc, p.id, 'completed');
    expect(g.runs()).toBe(2);
    expect([svc.get({ id: c.id }).state, svc.get({ id: gc.id }).state]).toEqual(['completed', 'completed']);
  });
});

describe('retry of a task behind a failed dependency', () => {
  it('is refused with CONFLICT naming the dependency and writes nothing; after retrying the dependency it runs', async () => {
    const bad = flaky('bad');
    const svc = await startService({ tasks: [bad.def, flaky('ok', 0).def] });
    const a = svc.create({ type: 'bad', input: {} });
    const b = svc.create({ type: 'ok', input: {}, dependsOn: [a.id] });
    await waitState(svc, b.id, 'cancelled');
    const before = snapshot(svc.store as never);
    const e = errorOf(() => svc.retry({ id: b.id }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain(a.id);
    expect(e.message).toMatch(/retry .* first/);
    expect(snapshot(svc.store as never)).toBe(before);

    svc.retry({ id: a.id });
    expect(svc.retry({ id: b.id }).state).toMatch(/blocked|queued/);
    await waitState(svc, b.id, 'completed');
  });
});
