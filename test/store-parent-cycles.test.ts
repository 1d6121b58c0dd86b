import { describe, expect, it } from 'vitest';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { findWaitCycle, type Waiter } from '../src/task-service/store/cycles';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

/**
 * Regression: create({parentId: P, dependsOn: [P]}) was accepted; P ended `waiting` for the
 * child and the child `blocked` on P, forever (a restart re-evaluated both into the same
 * states). A parent waits for its children, so depending on the parent, an ancestor, or work
 * that waits for one closes a cycle and is refused with DEPENDENCY_CYCLE naming the path.
 */

function running(store: SqliteTaskStore, parentId?: string): string {
  const id = store.create({ type: 'x', input: null, ...(parentId === undefined ? {} : { parentId }) }, 1).task.id;
  store.transition(id, 'running', 2);
  return id;
}

describe('a new child depending on what waits for it', () => {
  it('refuses a child that depends on its own parent, writing nothing', () => {
    const store = tmpStore();
    const p = running(store);
    const before = snapshot(store);
    const e = errorOf(() => store.create({ type: 'x', input: null, parentId: p, dependsOn: [p] }, 3));
    expect(e.code).toBe('DEPENDENCY_CYCLE');
    expect(e.details?.cycle).toEqual(['(new task)', p, '(new task)']);
    expect(e.message).toContain(`(new task) -> ${p} -> (new task) (${p} waits for its children)`);
    expect(snapshot(store)).toBe(before);
  });

  it('refuses a dependency on a grandparent, naming the path down to the parent', () => {
    const store = tmpStore();
    const g = running(store);
    const p = running(store, g);
    const e = errorOf(() => store.create({ type: 'x', input: null, parentId: p, dependsOn: [g] }, 3));
    expect(e.code).toBe('DEPENDENCY_CYCLE');
    expect(e.details?.cycle).toEqual(['(new task)', g, p, '(new task)']);
    expect(e.message).toContain(`${g}, ${p} wait for their children`);
  });

  it('refuses a dependency on work that is blocked on the parent', () => {
    const store = tmpStore();
    const p = running(store);
    const d = store.create({ type: 'x', input: 'd', dependsOn: [p] }, 3).task.id; // blocked until p completes
    const e = errorOf(() => store.create({ type: 'x', input: null, parentId: p, dependsOn: [d] }, 4));
    expect(e.code).toBe('DEPENDENCY_CYCLE');
    expect(e.details?.cycle).toEqual(['(new task)', d, p, '(new task)']);
  });

  it('accepts dependencies that do not wait for the parent: siblings, other trees, finished work', () => {
    const store = tmpStore();
    const p = running(store);
    const sibling = store.create({ type: 'x', input: 's', parentId: p }, 3).task.id;
    const other = running(store);
    const cancelled = store.create({ type: 'x', input: 'c', dependsOn: [p] }, 3).task.id;
    store.transition(cancelled, 'cancelled', 4); // finished: it no longer waits for p
    expect(store.create({ type: 'x', input: 1, parentId: p, dependsOn: [sibling, other] }, 5).task.state).toBe('blocked');
    expect(store.create({ type: 'x', input: 2, parentId: p, dependsOn: [cancelled] }, 5).task.state).toBe('cancelled');
  });

  it('createGraph: a node whose parent is an existing task cannot depend on it, directly or through the batch', () => {
    const store = tmpStore();
    const p = running(store);
    const before = snapshot(store);
    const direct = errorOf(() => store.createGraph({ tasks: [{ key: 'a', type: 'x', input: null, parentId: p, dependsOn: [p] }] }, 3));
    expect(direct.code).toBe('DEPENDENCY_CYCLE');
    expect(direct.details?.cycle).toEqual(['a', p, 'a']);
    const viaBatch = errorOf(() =>
      store.createGraph(
        {
          tasks: [
            { key: 'a', type: 'x', input: null, parentId: p, dependsOn: ['b'] },
            { key: 'b', type: 'x', input: null, dependsOn: [p] },
          ],
        },
        3,
      ),
    );
    expect(viaBatch.code).toBe('DEPENDENCY_CYCLE');
    expect(viaBatch.details?.cycle).toEqual(['a', 'b', p, 'a']); // batch nodes named by key
    expect(snapshot(store)).toBe(before);
    // the same shape without the parent edge is a plain DAG
    expect(store.createGraph({ tasks: [{ key: 'a', type: 'x', input: null, dependsOn: ['b'] }, { key: 'b', type: 'x', input: null, dependsOn: [p] }] }, 4)).toHaveLength(2);
  });

  it('findWaitCycle names the shortest path and visits each task once', () => {
    const waiters = new Map<string, Waiter[]>([
      ['P', [{ id: 'G', as: 'child' }, { id: 'D1', as: 'dependency' }]],
      ['G', [{ id: 'P', as: 'dependency' }]], // a loop among existing tasks must not hang the search
      ['D1', [{ id: 'D2', as: 'dependency' }]],
      ['D2', [{ id: 'D1', as: 'dependency' }]],
    ]);
    const asked: string[] = [];
    const of = (id: string) => {
      asked.push(id);
      return waiters.get(id) ?? [];
    };
    expect(findWaitCycle('P', new Set(['D2', 'X']), of)).toEqual([
      { id: 'D2', as: 'dependency' },
      { id: 'D1', as: 'dependency' },
      { id: 'P', as: 'child' },
    ]);
    asked.length = 0;
    expect(findWaitCycle('P', new Set(['X']), of)).toBeNull();
    expect(asked.sort()).toEqual(['D1', 'D2', 'G', 'P']);
  });
});
