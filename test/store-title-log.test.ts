import { describe, expect, it } from 'vitest';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

/** A running handler's retitle and log lines: journaled, and guarded like its checkpoints. */

describe('store: setTitle and appendLog', () => {
  it('retitles a running task under its lease and journals it once; an unchanged title writes nothing', () => {
    const store = tmpStore();
    const { task } = store.create({ type: 't', input: {}, title: 'http://x/list' }, 1);
    store.claim({ bootId: 'b1', now: 2, limit: 1, capacity: null });
    store.setTitle(task.id, 'My playlist', 3, { leaseOwner: 'b1' });
    expect(store.get(task.id)).toMatchObject({ title: 'My playlist', updatedAt: 3 });
    const before = snapshot(store);
    store.setTitle(task.id, 'My playlist', 4, { leaseOwner: 'b1' });
    expect(snapshot(store)).toBe(before);
    expect(store.events(task.id).items.filter((e) => e.kind === 'title').map((e) => e.data)).toEqual([{ title: 'My playlist' }]);
  });

  it('journals log lines of the run that holds the task', () => {
    const store = tmpStore();
    const { task } = store.create({ type: 't', input: {} }, 1);
    store.claim({ bootId: 'b1', now: 2, limit: 1, capacity: null });
    store.appendLog(task.id, 'yt-dlp: WARNING: x', 3, { leaseOwner: 'b1' });
    expect(store.events(task.id).items.filter((e) => e.kind === 'log').map((e) => e.data)).toEqual([{ line: 'yt-dlp: WARNING: x' }]);
  });

  it('refuses both from a run that no longer holds the task, writing nothing', () => {
    const store = tmpStore();
    const { task } = store.create({ type: 't', input: {} }, 1);
    store.claim({ bootId: 'b1', now: 2, limit: 1, capacity: null });
    const before = snapshot(store);
    expect(errorOf(() => store.setTitle(task.id, 'stale', 3, { leaseOwner: 'b0' })).code).toBe('SERVICE_LOCKED');
    expect(errorOf(() => store.appendLog(task.id, 'stale', 3, { leaseOwner: 'b0' })).code).toBe('SERVICE_LOCKED');
    store.transition(task.id, 'cancelled', 4);
    const cancelled = snapshot(store);
    expect(errorOf(() => store.setTitle(task.id, 'late', 5, { leaseOwner: 'b1' })).code).toBe('CONFLICT');
    expect(errorOf(() => store.appendLog(task.id, 'late', 5, { leaseOwner: 'b1' })).code).toBe('CONFLICT');
    expect(snapshot(store)).toBe(cancelled);
    expect(before).not.toBe(cancelled);
    expect(errorOf(() => store.setTitle('nope', 'x', 5, { leaseOwner: 'b1' })).code).toBe('NOT_FOUND');
  });
});
