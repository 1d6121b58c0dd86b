import { describe, expect, it } from 'vitest';
import { tmpStore } from './support/store-fixture';

/** The crash-recovery count behind CRASH_LOOP: reset by real progress, not by a repeated value. */
describe('recoveries count only crashes without progress between them', () => {
  function recoveredTwice() {
    const store = tmpStore();
    const id = store.create({ type: 'x', input: 1 }, 1).task.id;
    for (const boot of ['a', 'b']) {
      store.transition(id, 'running', 2, { leaseOwner: boot });
      store.transition(id, 'queued', 3, { countRecovery: true, refundAttempt: true });
    }
    store.transition(id, 'running', 4, { leaseOwner: 'c' });
    return { store, id };
  }

  it('a new checkpoint resets the count; the same checkpoint again does not', () => {
    const { store, id } = recoveredTwice();
    expect(store.recoveries(id)).toBe(2);
    store.saveCheckpoint(id, { step: 1 }, 5, { leaseOwner: 'c' });
    expect(store.recoveries(id)).toBe(0);
    store.transition(id, 'queued', 6, { countRecovery: true, refundAttempt: true });
    store.transition(id, 'running', 7, { leaseOwner: 'd' });
    store.saveCheckpoint(id, { step: 1 }, 8, { leaseOwner: 'd' });
    expect(store.recoveries(id)).toBe(1);
  });

  it('new persisted progress resets the count; a repeated value does not', () => {
    const { store, id } = recoveredTwice();
    const p = { ratio: 0.5, message: null, current: 5, total: 10 };
    store.saveProgress(id, p, 5, { leaseOwner: 'c' });
    expect(store.recoveries(id)).toBe(0);
    store.transition(id, 'queued', 6, { countRecovery: true, refundAttempt: true });
    store.transition(id, 'running', 7, { leaseOwner: 'd' });
    store.saveProgress(id, p, 8, { leaseOwner: 'd' });
    expect(store.recoveries(id)).toBe(1);
    store.saveProgress(id, { ...p, current: 6, ratio: 0.6 }, 9, { leaseOwner: 'd' });
    expect(store.recoveries(id)).toBe(0);
  });
});
