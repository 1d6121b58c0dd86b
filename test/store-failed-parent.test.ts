import { describe, expect, it } from 'vitest';
import { tmpStore } from './support/store-fixture';

/** Regression (a failed parent left its children running): failed cascades to descendants like cancelled. */

describe('a parent entering failed', () => {
  it('cancels its non-terminal descendants in the same transaction, with the reason, and leaves finished ones alone', () => {
    const store = tmpStore();
    const p = store.create({ type: 'p', input: {} }, 1).task;
    store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null });
    const [a, done] = store.spawn(p.id, [{ key: 'a', type: 'c', input: {} }, { key: 'done', type: 'c', input: {} }], 3).map((c) => c.task);
    store.claim({ bootId: 'b', now: 4, limit: 2, capacity: null });
    const [grandchild] = store.spawn(a!.id, [{ key: 'g', type: 'g', input: {} }], 5).map((c) => c.task);
    store.transition(done!.id, 'completed', 6, { leaseOwner: null }, 'running');

    const r = store.transition(p.id, 'failed', 7, { leaseOwner: null, error: { code: 'HTTP_ERROR', message: 'broke after spawning', retryable: false } }, 'running');
    expect(r.affected.map((t) => [t.id, t.state])).toEqual([
      [a!.id, 'cancelled'],
      [grandchild!.id, 'cancelled'],
    ]);
    expect(store.get(a!.id)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED', retryable: true } });
    expect(store.get(a!.id).error?.message).toContain(p.id);
    expect(store.events(a!.id).items.at(-1)).toMatchObject({ from: 'running', to: 'cancelled', data: { cause: 'parent failed', parentId: p.id } });
    expect(store.get(done!.id).state).toBe('completed');
    expect(store.get(grandchild!.id).state).toBe('cancelled');
  });
});
