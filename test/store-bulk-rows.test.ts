import { describe, expect, it } from 'vitest';
import { onTestFinished } from 'vitest';
import { openTaskStore } from '../src/task-service/store/open-store';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';
import { tmpDbPath } from './support/tmp';

/**
 * createGraph writes its nodes in multi-row INSERTs (store/new-rows.ts) and the journal names
 * its seqs from memory (db/sql/insert-event.ts). These pin what that must not change: every
 * node and its one 'created' entry land, in node order, reads inside the graph see earlier
 * nodes, a refusal writes nothing, and a seq is never handed out twice, even when another
 * connection writes events meanwhile.
 */

const nodes = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, type: 'x', input: { i } }));

describe('bulk creation in multi-row writes', () => {
  it('writes every node and one created entry each, in node order, across chunk sizes', () => {
    const store = tmpStore();
    // 149 = 64 + 64 + 16 + 4 + 1: every chunk size, and a remainder.
    const created = store.createGraph({ tasks: nodes(149) }, 10);
    expect(created).toHaveLength(149);
    const events = store.eventsAfter(0, 1000);
    expect(events.map((e) => e.taskId)).toEqual(created.map((c) => c.task.id));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 149 }, (_, i) => i + 1));
    expect(events.every((e) => e.kind === 'created' && e.to === 'queued' && e.at === 10)).toBe(true);
    for (const c of created) expect(store.get(c.task.id)).toEqual(c.task);
    expect(store.stats().byState.queued).toBe(149);
  });

  it('lets a node see the nodes before it: in-graph dependencies and dedupe keys', () => {
    const store = tmpStore();
    const tasks = [
      ...nodes(70, 'a'),
      { key: 'dep', type: 'x', input: 1, dependsOn: ['a3', 'a69'] },
      { key: 'd1', type: 'x', input: 2, dedupeKey: 'same' },
      ...nodes(5, 'b'),
      { key: 'd2', type: 'x', input: 3, dedupeKey: 'same' },
    ];
    const created = store.createGraph({ tasks }, 5);
    const byKey = new Map(tasks.map((t, i) => [t.key, created[i]!]));
    expect(byKey.get('dep')!.task).toMatchObject({ state: 'blocked', dependsOn: [byKey.get('a3')!.task.id, byKey.get('a69')!.task.id].sort() });
    expect(byKey.get('d2')!.deduplicated).toBe(true);
    expect(byKey.get('d2')!.task.id).toBe(byKey.get('d1')!.task.id);
    // One created entry per task actually created (the duplicate made none), seqs without gaps.
    const events = store.eventsAfter(0, 1000);
    expect(events).toHaveLength(created.length - 1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.taskId)).size).toBe(events.length);
    expect(store.get(byKey.get('dep')!.task.id).state).toBe('blocked');
  });

  it('writes nothing when a node late in the graph is refused', () => {
    const store = tmpStore();
    store.create({ type: 'x', input: 0 }, 1);
    const before = snapshot(store);
    const err = errorOf(() => store.createGraph({ tasks: [...nodes(100), { key: 'orphan', type: 'x', input: 1, parentId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }] }, 2));
    expect(err.code).toBe('NOT_FOUND');
    expect(snapshot(store)).toBe(before);
    // The seq handed out in memory for the rolled-back rows is not reused as a duplicate either.
    store.createGraph({ tasks: nodes(3) }, 3);
    const seqs = store.eventsAfter(0, 1000).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('never reuses a seq another connection took meanwhile', () => {
    const file = tmpDbPath();
    const a = openTaskStore(file).store;
    onTestFinished(() => a.close());
    a.create({ type: 'x', input: 0 }, 1); // a now remembers seq 1
    const b = openTaskStore(file).store;
    b.createGraph({ tasks: nodes(20, 'b') }, 2); // seqs 2..21, unseen by a
    b.close();
    const single = a.create({ type: 'x', input: 1 }, 3).task;
    a.createGraph({ tasks: nodes(70, 'c') }, 4);
    const events = a.eventsAfter(0, 1000);
    expect(events).toHaveLength(1 + 20 + 1 + 70);
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.find((e) => e.taskId === single.id)!.seq).toBeGreaterThan(21);
    expect(a.lastSeq()).toBe(Math.max(...seqs));
  });
});
