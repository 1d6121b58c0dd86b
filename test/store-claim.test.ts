import { describe, expect, it } from 'vitest';
import { tmpStore } from './support/store-fixture';

describe('TaskStore.claim', () => {
  it('claims due queued tasks by priority desc, runAt, then creation; sets lease, runs, startedAt', () => {
    const store = tmpStore();
    const low = store.create({ type: 'x', input: 'low', priority: 0, runAt: 10 }, 1).task;
    const highLate = store.create({ type: 'x', input: 'high-late', priority: 5, runAt: 20 }, 1).task;
    const highEarly = store.create({ type: 'x', input: 'high-early', priority: 5, runAt: 15 }, 1).task;
    const lowSame = store.create({ type: 'x', input: 'low-2', priority: 0, runAt: 10 }, 1).task;
    const future = store.create({ type: 'x', input: 'future', priority: 9, runAt: 1000 }, 1).task;
    const claimed = store.claim({ bootId: 'boot-1', now: 100, limit: 10, capacity: null });
    expect(claimed.map((t) => t.id)).toEqual([highEarly.id, highLate.id, low.id, lowSame.id]);
    expect(claimed[0]).toMatchObject({ state: 'running', attempt: 0, runs: 1, startedAt: 100, updatedAt: 100 });
    expect(store.get(highEarly.id)).toEqual(claimed[0]);
    expect(store.orphans('boot-2').map((t) => t.id).sort()).toEqual(claimed.map((t) => t.id).sort());
    expect(store.orphans('boot-1')).toEqual([]);
    expect(store.get(future.id).state).toBe('queued');
    expect(store.nextRunAt()).toBe(1000);
    expect(store.events(low.id).items.at(-1)).toMatchObject({ kind: 'state', from: 'queued', to: 'running', data: { leaseOwner: 'boot-1' } });
  });

  it('respects the limit and per-type capacity in one go, skipping types without room', () => {
    const store = tmpStore();
    for (let i = 0; i < 5; i++) store.create({ type: 'video-download', input: i, priority: 1 }, 1);
    for (let i = 0; i < 3; i++) store.create({ type: 'playlist-import', input: i }, 1);
    store.create({ type: 'other', input: 0, priority: 100 }, 1);
    const capacity = new Map([['video-download', 2], ['playlist-import', 1], ['other', 0]]);
    const claimed = store.claim({ bootId: 'b', now: 5, limit: 10, capacity });
    expect(claimed.map((t) => t.type)).toEqual(['video-download', 'video-download', 'playlist-import']);
    expect(store.claim({ bootId: 'b', now: 5, limit: 2, capacity: new Map([['video-download', 5]]) })).toHaveLength(2);
    expect(store.claim({ bootId: 'b', now: 5, limit: 0, capacity: null })).toEqual([]);
    expect(store.stats().byState).toMatchObject({ running: 5, queued: 4 });
  });

  it('never claims blocked, paused or running tasks, and a claimed task is not claimed twice', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    store.create({ type: 'x', input: 2, dependsOn: [a.id] }, 1);
    const p = store.create({ type: 'x', input: 3 }, 1).task;
    store.transition(p.id, 'paused', 2);
    expect(store.claim({ bootId: 'b', now: 5, limit: 10, capacity: null }).map((t) => t.id)).toEqual([a.id]);
    expect(store.claim({ bootId: 'b', now: 5, limit: 10, capacity: null })).toEqual([]);
    expect(store.nextRunAt()).toBeNull();
  });

  it('a claimed task carries its dependency ids, as any read of it does', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    const b = store.create({ type: 'x', input: 2, dependsOn: [a.id] }, 1).task;
    store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null });
    store.transition(a.id, 'completed', 3, {}, 'running'); // b is queued by the cascade
    const [claimed] = store.claim({ bootId: 'b', now: 4, limit: 1, capacity: null });
    expect(claimed).toMatchObject({ id: b.id, dependsOn: [a.id], state: 'running' });
    expect(claimed).toEqual(store.get(b.id));
  });

  it('a claimed task reads its failed attempts like any other read (the claim returns refunded_attempts too)', () => {
    const store = tmpStore();
    const t = store.create({ type: 'x', input: 1 }, 1).task;
    const fail = { code: 'INTERNAL' as const, message: 'boom', retryable: true };
    store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null });
    store.transition(t.id, 'queued', 3, { error: fail }, 'running'); // a failed try, retried
    store.claim({ bootId: 'b', now: 4, limit: 1, capacity: null });
    store.transition(t.id, 'queued', 5, { refundAttempt: true }, 'running'); // a shutdown: refunded
    const [claimed] = store.claim({ bootId: 'b', now: 6, limit: 1, capacity: null });
    expect(claimed).toMatchObject({ state: 'running', attempt: 1, runs: 3 });
    expect(claimed).toEqual(store.get(t.id));
  });

  it('batch groups several writes in one transaction and rolls all back on error', () => {
    const store = tmpStore();
    const seq = store.lastSeq();
    expect(() =>
      store.batch(() => {
        store.create({ type: 'x', input: 1 }, 1);
        store.create({ type: 'x', input: 2, dependsOn: ['missing'] }, 1);
      }),
    ).toThrow(/missing/);
    expect(store.list({}).items).toEqual([]);
    expect(store.lastSeq()).toBe(seq);
    const ids = store.batch(() => [store.create({ type: 'x', input: 1 }, 1).task.id, store.create({ type: 'x', input: 2 }, 1).task.id]);
    expect(store.list({}).items.map((t) => t.id)).toEqual([...ids].reverse());
  });
});
