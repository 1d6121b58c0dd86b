import { describe, expect, it } from 'vitest';
import { tmpStore } from './support/store-fixture';

/**
 * Regression (spawn with a dedupeKey returned an unrelated task): playlists A and B both contain
 * video X; B's spawn of X returned A's download, which B did not own, so B completed while "its
 * child" still ran. Now B gets its own child that waits for the holder.
 */

function runningParent(store: ReturnType<typeof tmpStore>, input: string) {
  const p = store.create({ type: 'playlist', input }, 1).task;
  expect(store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null }).map((t) => t.id)).toEqual([p.id]);
  return p;
}

describe('spawn of a child whose dedupeKey a live task holds', () => {
  it('held by another parent\'s child: creates an own child without the key that depends on the holder; idempotent by spawn key', () => {
    const store = tmpStore();
    const a = runningParent(store, 'A');
    const [held] = store.spawn(a.id, [{ key: 'x', type: 'video', input: 'X', dedupeKey: 'video:X' }], 3);
    const b = runningParent(store, 'B');
    const [mine] = store.spawn(b.id, [{ key: 'x', type: 'video', input: 'X', dedupeKey: 'video:X' }], 4);
    expect(mine!.deduplicated).toBe(false);
    expect(mine!.task).toMatchObject({ parentId: b.id, spawnKey: 'x', dedupeKey: null, dependsOn: [held!.task.id], state: 'blocked' });
    expect(store.children(b.id).map((t) => t.id)).toEqual([mine!.task.id]);

    // A re-run of B's handler gets the same child back.
    const again = store.spawn(b.id, [{ key: 'x', type: 'video', input: 'X', dedupeKey: 'video:X' }], 5);
    expect(again.map((c) => [c.task.id, c.deduplicated])).toEqual([[mine!.task.id, true]]);

    // The holder finishing releases B's child (never both at once).
    store.claim({ bootId: 'b', now: 6, limit: 1, capacity: null });
    store.transition(held!.task.id, 'completed', 7, { leaseOwner: null }, 'running');
    expect(store.get(mine!.task.id).state).toBe('queued');
  });

  it('held by a task with no parent, mixed with ordinary children: order kept, only that one rewritten', () => {
    const store = tmpStore();
    const solo = store.create({ type: 'video', input: 'X', dedupeKey: 'video:X', runAt: 1e12 }, 1).task;
    const b = runningParent(store, 'B');
    const out = store.spawn(b.id, [
      { key: 'w', type: 'video', input: 'W' },
      { key: 'x', type: 'video', input: 'X', dedupeKey: 'video:X' },
      { key: 'y', type: 'video', input: 'Y', dedupeKey: 'video:Y' },
    ], 3);
    expect(out.map((c) => [c.task.spawnKey, c.task.parentId, c.task.dedupeKey, c.task.dependsOn])).toEqual([
      ['w', b.id, null, []],
      ['x', b.id, null, [solo.id]],
      ['y', b.id, 'video:Y', []],
    ]);
  });

  it('held by this parent\'s own child: returns it (unchanged); held by the parent itself: an own child that does not wait for it', () => {
    const store = tmpStore();
    const p = store.create({ type: 'playlist', input: 'P', dedupeKey: 'video:P' }, 1).task;
    store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null });
    const [first] = store.spawn(p.id, [{ key: 'x1', type: 'video', input: 'X', dedupeKey: 'video:X' }], 3);
    const [dup] = store.spawn(p.id, [{ key: 'x2', type: 'video', input: 'X', dedupeKey: 'video:X' }], 4);
    expect([dup!.task.id, dup!.deduplicated]).toEqual([first!.task.id, true]);
    const [own] = store.spawn(p.id, [{ key: 'self', type: 'video', input: 'P', dedupeKey: 'video:P' }], 5);
    expect(own!.task).toMatchObject({ parentId: p.id, dedupeKey: null, dependsOn: [], state: 'queued' });
  });

  it('still refuses what spawn always refused: a parent that is not running', () => {
    const store = tmpStore();
    store.create({ type: 'video', input: 'X', dedupeKey: 'video:X' }, 1);
    const idle = store.create({ type: 'playlist', input: 'idle', runAt: 1e12 }, 1).task;
    expect(() => store.spawn(idle.id, [{ key: 'x', type: 'video', input: 'X', dedupeKey: 'video:X' }], 2)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(store.children(idle.id)).toEqual([]);
  });
});
