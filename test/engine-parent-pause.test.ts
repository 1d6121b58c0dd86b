import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Task } from '../src/shared/task';
import { defineTask } from '../src/task-service/engine/define';
import type { TaskService } from '../src/task-service/service';
import { cleanup, gate, noop, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

/**
 * Pausing a whole playlist (issue 12, Deliver 3): pausing a parent pauses its live descendants,
 * resuming it resumes exactly those, and a parent whose own work was done goes back to waiting
 * without running its handler again. Cancel is unchanged.
 */

function playlist() {
  const hold = gate('hold');
  const item = defineTask({ ...hold.def, concurrency: 1 }); // one item at a time: the rest stay queued
  let parentRuns = 0;
  const list = defineTask({
    type: 'list',
    input: z.object({}),
    async run(ctx) {
      parentRuns++;
      await ctx.spawn([
        { key: 'a', type: 'noop', input: {} },
        { key: 'b', type: 'hold', input: {} },
        { key: 'c', type: 'hold', input: {} },
      ]);
      return { listed: 3 };
    },
  });
  return { hold, tasks: [list, item, noop], runs: () => parentRuns };
}

async function startPlaylist(svc: TaskService, hold: ReturnType<typeof gate>) {
  const parent = svc.create({ type: 'list', input: {} });
  await waitState(svc, parent.id, 'waiting');
  const kids = (): Task[] => svc.list({ parentId: parent.id }).items.sort((x, y) => (x.spawnKey! < y.spawnKey! ? -1 : 1));
  const [a, b, c] = kids();
  await waitState(svc, a!.id, 'completed');
  await waitFor(() => hold.started(b!.id) || hold.started(c!.id), 'one item running');
  const running = hold.started(b!.id) ? b! : c!;
  const queued = running === b ? c! : b!;
  expect(svc.get({ id: queued.id }).state).toBe('queued');
  return { parent, a: a!, running, queued, kids };
}

describe('pausing a parent pauses its children', () => {
  it('pauses a waiting parent with running, queued and completed children; resume restores them and the parent waits again', async () => {
    const p = playlist();
    const svc = await startService({ tasks: p.tasks });
    const { parent, a, running, queued } = await startPlaylist(svc, p.hold);

    expect(svc.pause({ id: parent.id }).state).toBe('paused');
    expect(svc.get({ id: running.id })).toMatchObject({ state: 'paused', attempt: 0 });
    expect(svc.get({ id: queued.id }).state).toBe('paused');
    expect(svc.get({ id: a.id }).state).toBe('completed');
    const reasons = svc.events({ id: running.id, limit: 100 }).items.filter((e) => e.to === 'paused').map((e) => e.data);
    expect(reasons).toEqual([{ reason: 'pause', by: 'parent', parentId: parent.id }]);

    expect(svc.resume({ id: parent.id }).state).toBe('waiting');
    expect(['queued', 'running']).toContain(svc.get({ id: running.id }).state);
    expect(['queued', 'running']).toContain(svc.get({ id: queued.id }).state);
    for (const id of [running.id, queued.id]) {
      await waitFor(() => p.hold.started(id) && svc.get({ id }).state === 'running', `${id} running again`);
      p.hold.release(id);
      await waitState(svc, id, 'completed');
    }
    const done = await waitState(svc, parent.id, 'completed');
    expect(p.runs()).toBe(1); // its own work was done: resume did not list the playlist again
    expect(done).toMatchObject({ attempt: 0, runs: 1 });
  });

  it('a child the user paused before the parent stays paused when the parent resumes', async () => {
    const p = playlist();
    const svc = await startService({ tasks: p.tasks });
    const { parent, running, queued } = await startPlaylist(svc, p.hold);
    svc.pause({ id: queued.id });
    svc.pause({ id: parent.id });
    svc.resume({ id: parent.id });
    expect(svc.get({ id: queued.id }).state).toBe('paused');
    await waitFor(() => p.hold.started(running.id) && svc.get({ id: running.id }).state === 'running', 'resumed child running');
    p.hold.release(running.id);
    await waitState(svc, running.id, 'completed');
    await svc.engine.whenIdle();
    expect(svc.get({ id: parent.id }).state).toBe('waiting'); // still waits for the one the user paused
    svc.resume({ id: queued.id });
    await waitFor(() => p.hold.started(queued.id) && svc.get({ id: queued.id }).state === 'running', 'user-resumed child running');
    p.hold.release(queued.id);
    await waitState(svc, parent.id, 'completed');
  });

  it('a parent paused while its handler runs is re-run on resume; cancel of a paused parent still cancels its children', async () => {
    const hold = gate('hold');
    const slow = gate('slow-list');
    const list = defineTask({
      type: 'list',
      input: z.object({}),
      async run(ctx) {
        await ctx.spawn([{ key: 'b', type: 'hold', input: {} }]);
        return slow.def.run(ctx);
      },
    });
    const svc = await startService({ tasks: [list, hold.def, slow.def] });
    const parent = svc.create({ type: 'list', input: {} });
    await waitFor(() => slow.started(parent.id), 'parent handler running');
    const [b] = svc.list({ parentId: parent.id }).items;
    await waitFor(() => hold.started(b!.id), 'child running');
    svc.pause({ id: parent.id });
    expect(svc.get({ id: b!.id }).state).toBe('paused');
    expect(svc.resume({ id: parent.id }).state).toBe('queued');
    await waitFor(() => slow.started(parent.id) && svc.get({ id: parent.id }).runs === 2, 'parent handler re-run');
    expect(svc.list({ parentId: parent.id }).items).toHaveLength(1); // spawn keys: no duplicate child
    svc.pause({ id: parent.id });
    svc.cancel({ id: parent.id });
    expect(svc.get({ id: b!.id }).state).toBe('cancelled');
  });
});
