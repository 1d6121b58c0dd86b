import { describe, expect, it } from 'vitest';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

function finished(store: SqliteTaskStore, at: number, input: unknown = at): string {
  const id = store.create({ type: 'x', input }, at).task.id;
  store.transition(id, 'cancelled', at);
  return id;
}

const count = (store: SqliteTaskStore, table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention', () => {
  it('prunes terminal tasks older than N ms with their events and edges, keeping live and recent ones', () => {
    const store = tmpStore();
    const old = finished(store, 100);
    const recent = finished(store, 900);
    const live = store.create({ type: 'x', input: 'live' }, 50).task.id;
    const done = store.create({ type: 'x', input: 'dep' }, 60).task.id;
    store.transition(done, 'running', 61);
    store.transition(done, 'completed', 62);
    const dependent = store.create({ type: 'x', input: 'dependent', dependsOn: [done] }, 63).task.id;
    store.transition(dependent, 'cancelled', 64);
    expect(count(store, 'task_deps')).toBe(1);
    expect(store.prune({ olderThanMs: 500, now: 1000 })).toBe(3);
    expect(store.find(old)).toBeUndefined();
    expect(store.find(done)).toBeUndefined();
    expect(store.find(recent)).toBeDefined();
    expect(store.find(live)).toBeDefined();
    expect(count(store, 'task_deps')).toBe(0);
    expect(store.events(old).items).toEqual([]);
  });

  it('deletes at most maxRoots root trees per call, so a backlog is trimmed in short transactions', () => {
    const store = tmpStore();
    const ids = [10, 20, 30, 40, 50].map((t) => finished(store, t));
    expect(store.prune({ olderThanMs: 10, now: 1000, maxRoots: 2 })).toBe(2);
    expect(store.prune({ olderThanMs: 10, now: 1000, maxRoots: 2 })).toBe(2);
    expect(store.prune({ olderThanMs: 10, now: 1000, maxRoots: 2 })).toBe(1);
    expect(store.prune({ olderThanMs: 10, now: 1000, maxRoots: 2 })).toBe(0);
    expect(ids.every((id) => store.find(id) === undefined)).toBe(true);
  });

  it('keeps only the newest M finished root tasks', () => {
    const store = tmpStore();
    const ids = [10, 20, 30, 40].map((t) => finished(store, t));
    expect(store.prune({ keepNewest: 2, now: 100 })).toBe(2);
    expect(ids.map((id) => store.find(id) !== undefined)).toEqual([false, false, true, true]);
    expect(store.prune({ keepNewest: 2, now: 100 })).toBe(0);
  });

  it('never prunes a task whose parent is unfinished, nor a dependency of an unfinished task', () => {
    const store = tmpStore();
    const parent = store.create({ type: 'p', input: 0 }, 1).task.id;
    store.transition(parent, 'running', 2);
    const child = store.spawn(parent, [{ type: 'x', input: 1, key: 'c' }], 3)[0]!.task.id;
    store.transition(child, 'cancelled', 4);
    const dep = store.create({ type: 'x', input: 'dep' }, 5).task.id;
    store.transition(dep, 'running', 6);
    store.transition(dep, 'completed', 7);
    const other = store.create({ type: 'x', input: 'other' }, 8).task.id;
    store.create({ type: 'x', input: 'waits', dependsOn: [dep, other] }, 9); // blocked on `other`
    const before = snapshot(store);
    expect(store.prune({ olderThanMs: 0, keepNewest: 0, now: 1000 })).toBe(0);
    expect(snapshot(store)).toBe(before);
    // once the parent finishes, parent and child go together
    store.transition(parent, 'completed', 10);
    expect(store.prune({ olderThanMs: 0, now: 1000 })).toBe(2);
    expect(store.find(child)).toBeUndefined();
  });

  it('remove deletes a finished subtree, journals removal, and refuses unfinished work with CONFLICT', () => {
    const store = tmpStore();
    const parent = store.create({ type: 'p', input: 0 }, 1).task.id;
    store.transition(parent, 'running', 2);
    const child = store.spawn(parent, [{ type: 'x', input: 1, key: 'c' }], 3)[0]!.task.id;
    const before = snapshot(store);
    const e = errorOf(() => store.remove(parent, 4));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain(child);
    expect(snapshot(store)).toBe(before);
    store.transition(parent, 'cancelled', 5);
    store.remove(parent, 6);
    expect(store.find(parent)).toBeUndefined();
    expect(store.find(child)).toBeUndefined();
    const removed = store.eventsAfter(0, 100).filter((ev) => ev.kind === 'removed');
    expect(removed.map((ev) => ev.taskId).sort()).toEqual([parent, child].sort());
    expect(errorOf(() => store.remove(parent, 7)).code).toBe('NOT_FOUND');
    // old 'removed' entries are trimmed by age-based retention
    store.prune({ olderThanMs: 10, now: 100 });
    expect(store.eventsAfter(0, 100)).toEqual([]);
  });
});
