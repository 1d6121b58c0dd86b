import { describe, expect, it } from 'vitest';
import { TASK_STATES, type TaskState } from '../src/shared/task';
import { canTransition, TRANSITIONS } from '../src/shared/transitions';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

/** Brings a fresh task into `state` through legal moves only. */
function taskIn(store: SqliteTaskStore, state: TaskState): string {
  if (state === 'blocked') {
    const dep = store.create({ type: 'x', input: 'dep' }, 10).task;
    return store.create({ type: 'x', input: 't', dependsOn: [dep.id] }, 10).task.id;
  }
  const id = store.create({ type: 'x', input: 't' }, 10).task.id;
  const path: Record<Exclude<TaskState, 'blocked'>, TaskState[]> = {
    queued: [],
    running: ['running'],
    waiting: ['running', 'waiting'],
    paused: ['paused'],
    completed: ['running', 'completed'],
    failed: ['running', 'failed'],
    cancelled: ['cancelled'],
  };
  for (const s of path[state]) store.transition(id, s, 11, s === 'running' ? { leaseOwner: 'boot-1' } : {});
  expect(store.get(id).state).toBe(state);
  return id;
}

describe('every transition in the table', () => {
  for (const from of TASK_STATES) {
    for (const to of TASK_STATES) {
      const legal = canTransition(from, to);
      it(`${from} -> ${to} is ${legal ? 'applied and journaled' : 'ILLEGAL_TRANSITION writing nothing'}`, () => {
        const store = tmpStore();
        const id = taskIn(store, from);
        const before = snapshot(store);
        const seq = store.lastSeq();
        if (legal) {
          const { task, events } = store.transition(id, to, 100, { reason: { why: 'test' } });
          expect(task.state).toBe(to);
          expect(task.updatedAt).toBe(100);
          expect(store.get(id)).toEqual(task);
          expect(events[0]).toMatchObject({ taskId: id, kind: 'state', from, to, data: { why: 'test' }, at: 100 });
          expect(events[0]!.seq).toBe(seq + 1);
        } else {
          const e = errorOf(() => store.transition(id, to, 100));
          expect(e.code).toBe('ILLEGAL_TRANSITION');
          expect(e.details).toMatchObject({ taskId: id, from, to });
          expect(snapshot(store)).toBe(before);
        }
      });
    }
  }

  it('a waiting parent can be paused, and a paused one can go back to waiting (whole-playlist pause)', () => {
    expect(canTransition('waiting', 'paused')).toBe(true);
    expect(canTransition('paused', 'waiting')).toBe(true);
    expect(canTransition('completed', 'paused')).toBe(false);
  });

  it('the table is covered: each state lists only known states', () => {
    for (const [from, tos] of Object.entries(TRANSITIONS)) {
      expect(TASK_STATES).toContain(from);
      for (const to of tos) expect(TASK_STATES).toContain(to);
    }
  });
});

describe('transition side effects', () => {
  it('sets startedAt on the first run only, finishedAt on terminal, clears the lease leaving running', () => {
    const store = tmpStore();
    const id = store.create({ type: 'x', input: 1 }, 1).task.id;
    const run1 = store.transition(id, 'running', 2, { leaseOwner: 'boot-a' }).task;
    expect(run1).toMatchObject({ startedAt: 2, attempt: 0, runs: 1 }); // a run in progress has not failed
    expect(store.orphans('boot-b').map((t) => t.id)).toEqual([id]);
    store.transition(id, 'queued', 3, { runAt: 50, error: { code: 'NETWORK', message: 'reset', retryable: true } });
    expect(store.orphans('boot-b')).toEqual([]); // lease gone
    const run2 = store.transition(id, 'running', 60, { leaseOwner: 'boot-a' }).task;
    expect(run2).toMatchObject({ startedAt: 2, attempt: 1, runs: 2, finishedAt: null }); // run 1 failed
    const done = store.transition(id, 'completed', 70, { result: { file: 'a.mp4' } }).task;
    expect(done).toMatchObject({ finishedAt: 70, result: { file: 'a.mp4' }, error: null, attempt: 1, runs: 2 }); // a success is refunded
    const kinds = store.events(id).items.map((e) => `${e.kind}:${e.to ?? ''}`);
    expect(kinds).toEqual(['created:queued', 'state:running', 'error:queued', 'state:queued', 'state:running', 'state:completed']);
  });

  it('countRecovery counts a recovery; a retry (resetAttempts) clears finishedAt, failed attempts and recoveries but keeps runs', () => {
    const store = tmpStore();
    const id = store.create({ type: 'x', input: 1 }, 1).task.id;
    store.transition(id, 'running', 2, { leaseOwner: 'boot-a' });
    store.transition(id, 'queued', 3, { countRecovery: true, refundAttempt: true });
    expect(store.recoveries(id)).toBe(1);
    store.transition(id, 'running', 4, { leaseOwner: 'boot-b' });
    const failed = store.transition(id, 'failed', 5, { error: { code: 'NETWORK', message: 'x', retryable: true } }).task;
    expect(failed).toMatchObject({ attempt: 1, runs: 2 });
    const t = store.transition(id, 'queued', 20, { resetAttempts: true }).task;
    expect(t).toMatchObject({ finishedAt: null, attempt: 0, runs: 2 });
    expect(store.get(id)).toMatchObject({ attempt: 0, runs: 2 });
    expect(store.recoveries(id)).toBe(0);
  });

  it('expectFrom that no longer holds is ILLEGAL_TRANSITION and writes nothing', () => {
    const store = tmpStore();
    const id = taskIn(store, 'paused');
    const before = snapshot(store);
    expect(errorOf(() => store.transition(id, 'cancelled', 5, {}, 'running')).code).toBe('ILLEGAL_TRANSITION');
    expect(snapshot(store)).toBe(before);
    expect(store.transition(id, 'cancelled', 5, {}, ['running', 'paused']).task.state).toBe('cancelled');
  });

  it('unknown ids are NOT_FOUND', () => {
    const store = tmpStore();
    expect(errorOf(() => store.transition('NOPE', 'queued', 1)).code).toBe('NOT_FOUND');
  });
});

describe('cascades', () => {
  it('completing the last unmet dependency queues a blocked dependent, not before', () => {
    const store = tmpStore();
    const [a, b, c] = store.createGraph(
      { tasks: [{ key: 'a', type: 'x', input: 1 }, { key: 'b', type: 'x', input: 2 }, { key: 'c', type: 'x', input: 3, dependsOn: ['a', 'b'] }] },
      1,
    ).map((x) => x.task);
    store.transition(a!.id, 'running', 2);
    expect(store.transition(a!.id, 'completed', 3).affected).toEqual([]);
    store.transition(b!.id, 'running', 4);
    const r = store.transition(b!.id, 'completed', 5);
    expect(r.affected.map((t) => [t.id, t.state])).toEqual([[c!.id, 'queued']]);
    expect(r.events.map((e) => [e.taskId, e.to])).toEqual([[b!.id, 'completed'], [c!.id, 'queued']]);
  });

  it('a failed dependency cancels dependents transitively with DEPENDENCY_FAILED naming it', () => {
    const store = tmpStore();
    const [a, b, c, d] = store.createGraph(
      {
        tasks: [
          { key: 'a', type: 'x', input: 1 },
          { key: 'b', type: 'x', input: 2, dependsOn: ['a'] },
          { key: 'c', type: 'x', input: 3, dependsOn: ['b'] },
          { key: 'd', type: 'x', input: 4, dependsOn: ['a', 'b'] }, // diamond: reached twice, changed once
        ],
      },
      1,
    ).map((x) => x.task);
    store.transition(a!.id, 'running', 2);
    const r = store.transition(a!.id, 'failed', 3, { error: { code: 'HTTP_ERROR', message: '500', retryable: true } });
    expect(new Set(r.affected.map((t) => t.id))).toEqual(new Set([b!.id, c!.id, d!.id]));
    expect(r.affected).toHaveLength(3);
    const bAfter = store.get(b!.id);
    expect(bAfter).toMatchObject({ state: 'cancelled', error: { code: 'DEPENDENCY_FAILED' } });
    expect(bAfter.error!.message).toContain(a!.id);
    expect(store.events(c!.id).items.at(-1)?.data).toMatchObject({ cause: 'dependency', dependency: b!.id });
  });

  it('cancelling a parent cancels its unfinished descendants, leaving finished ones alone', () => {
    const store = tmpStore();
    const parent = store.create({ type: 'p', input: 0 }, 1).task;
    store.transition(parent.id, 'running', 2);
    const [c1, c2] = store.spawn(parent.id, [{ type: 'x', input: 1, key: '1' }, { type: 'x', input: 2, key: '2' }], 3).map((c) => c.task);
    store.transition(c1!.id, 'running', 4);
    const grand = store.spawn(c1!.id, [{ type: 'x', input: 3, key: 'g' }], 5)[0]!.task;
    store.transition(c2!.id, 'running', 6);
    store.transition(c2!.id, 'completed', 7);
    const r = store.transition(parent.id, 'cancelled', 8, { reason: { by: 'user' } });
    expect(r.affected.map((t) => t.id).sort()).toEqual([c1!.id, grand.id].sort());
    expect(store.get(c2!.id).state).toBe('completed');
    expect(store.get(grand.id).state).toBe('cancelled');
  });
});
