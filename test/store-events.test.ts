import { describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../src/task-service/db/migrations/index';
import { tmpStore } from './support/store-fixture';

describe('journal, progress and checkpoints', () => {
  it('pages a task’s events oldest first and reads globally after a seq', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    const b = store.create({ type: 'x', input: 2 }, 2).task;
    store.transition(a.id, 'running', 3);
    store.saveCheckpoint(a.id, { offset: 10 }, 4);
    store.transition(a.id, 'paused', 5);
    const p1 = store.events(a.id, undefined, 2);
    expect(p1.items.map((e) => e.kind)).toEqual(['created', 'state']);
    const p2 = store.events(a.id, p1.nextCursor!, 2);
    expect(p2.items.map((e) => [e.kind, e.to])).toEqual([['checkpoint', null], ['state', 'paused']]);
    expect(p2.nextCursor).toBeNull();
    expect(p2.items[0]!.data).toEqual({ bytes: JSON.stringify({ offset: 10 }).length });

    const all = store.eventsAfter(0, 100);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all[1]!.taskId).toBe(b.id);
    expect(store.eventsAfter(3, 100).map((e) => e.seq)).toEqual([4, 5]);
    expect(store.eventsAfter(3, 1).map((e) => e.seq)).toEqual([4]);
    expect(store.lastSeq()).toBe(5);
  });

  it('saves progress (not journaled) and checkpoints (journaled), NOT_FOUND for unknown ids', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    expect(store.getCheckpoint(a.id)).toBeNull();
    const seq = store.lastSeq();
    store.saveProgress(a.id, { ratio: 0.25, message: 'downloading', current: 25, total: 100 }, 7);
    expect(store.lastSeq()).toBe(seq);
    expect(store.get(a.id)).toMatchObject({ progress: { ratio: 0.25, message: 'downloading' }, updatedAt: 7 });
    store.saveCheckpoint(a.id, { part: 3, etag: 'abc' }, 8);
    expect(store.getCheckpoint(a.id)).toEqual({ part: 3, etag: 'abc' });
    expect(store.lastSeq()).toBe(seq + 1);
    expect(() => store.saveProgress('nope', { ratio: null, message: null, current: null, total: null }, 1)).toThrow(/does not exist/);
    expect(() => store.saveCheckpoint('nope', {}, 1)).toThrow(/does not exist/);
    expect(() => store.getCheckpoint('nope')).toThrow(/does not exist/);
  });

  it('the global sequence never goes back, even after the newest events are pruned', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    store.transition(a.id, 'cancelled', 2);
    const seq = store.lastSeq();
    expect(store.prune({ olderThanMs: 0, now: 10 })).toBe(1);
    expect(store.eventsAfter(0, 10)).toEqual([]);
    expect(store.lastSeq()).toBe(seq);
    store.create({ type: 'x', input: 2 }, 11);
    expect(store.eventsAfter(0, 10).map((e) => e.seq)).toEqual([seq + 1]);
  });

  it('removing the task that holds the newest events journals its removal past them, never reusing their seq', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    store.transition(a.id, 'cancelled', 2);
    const seq = store.lastSeq();
    store.remove(a.id, 3);
    expect(store.eventsAfter(0, 10).map((e) => [e.seq, e.kind])).toEqual([[seq + 1, 'removed']]);
    // trimming that newest 'removed' entry leaves the floor where it was, too
    store.prune({ olderThanMs: 0, now: 10 });
    expect(store.eventsAfter(0, 10)).toEqual([]);
    expect(store.lastSeq()).toBe(seq + 1);
    store.create({ type: 'x', input: 2 }, 11);
    expect(store.eventsAfter(0, 10).map((e) => e.seq)).toEqual([seq + 2]);
  });

  it('wal.checkpoint and schemaVersion report the database state', () => {
    const store = tmpStore();
    store.create({ type: 'x', input: 1 }, 1);
    expect(store.wal.checkpoint('TRUNCATE')).toMatchObject({ busy: false, logFrames: 0 });
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
  });
});
