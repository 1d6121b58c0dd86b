import { describe, expect, it } from 'vitest';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

/**
 * Regression (stale owner overwrote the new owner's run): every write a run makes is guarded in
 * SQL by its lease. Here boot "old" claimed a task, stalled, and boot "new" recovered and
 * re-claimed it; old's writes must all be refused with nothing written.
 */

function takenOver() {
  const store = tmpStore();
  const t = store.create({ type: 'x', input: {} }, 1).task;
  store.claim({ bootId: 'old', now: 2, limit: 1, capacity: null });
  store.owner.acquire({ bootId: 'new', pid: 4242 }, 100, 10);
  store.transition(t.id, 'queued', 100, { leaseOwner: null, runAt: 100, countRecovery: true, refundAttempt: true }, 'running');
  store.claim({ bootId: 'new', now: 100, limit: 1, capacity: null });
  store.saveCheckpoint(t.id, { by: 'new' }, 101, { leaseOwner: 'new' });
  return { store, id: t.id };
}

describe('writes of a run whose lease another boot holds', () => {
  it('are refused with SERVICE_LOCKED and write nothing: outcome, checkpoint, progress, spawn, claim', () => {
    const { store, id } = takenOver();
    const before = snapshot(store);
    expect(errorOf(() => store.transition(id, 'completed', 200, { expectLease: 'old', leaseOwner: null, result: 'stale' }, 'running')).code).toBe('SERVICE_LOCKED');
    expect(errorOf(() => store.saveCheckpoint(id, { by: 'old' }, 200, { leaseOwner: 'old' })).code).toBe('SERVICE_LOCKED');
    expect(errorOf(() => store.saveProgress(id, { ratio: 1, message: 'old', current: null, total: null }, 200, { leaseOwner: 'old', orState: 'waiting' })).code).toBe('SERVICE_LOCKED');
    expect(errorOf(() => store.spawn(id, [{ key: 'k', type: 'x', input: {} }], 200, 'old')).code).toBe('SERVICE_LOCKED');
    store.create({ type: 'x', input: 'due' }, 1);
    const withDue = snapshot(store);
    expect(errorOf(() => store.claim({ bootId: 'old', now: 200, limit: 5, capacity: null })).code).toBe('SERVICE_LOCKED');
    expect(snapshot(store)).toBe(withDue);
    expect(store.get(id)).toMatchObject({ state: 'running', runs: 2, result: null });
    expect(store.getCheckpoint(id)).toEqual({ by: 'new' });
    expect(before).not.toBe(withDue); // sanity: the snapshot sees writes
  });

  it('succeed for the lease holder, and a guard naming a state admits only that state', () => {
    const { store, id } = takenOver();
    store.saveProgress(id, { ratio: 0.5, message: null, current: null, total: null }, 200, { leaseOwner: 'new' });
    expect(store.get(id).progress?.ratio).toBe(0.5);
    store.transition(id, 'paused', 201, { leaseOwner: null }, 'running');
    // A paused run's final checkpoint is admitted while the task is still paused...
    store.saveCheckpoint(id, { final: true }, 202, { leaseOwner: null, orState: 'paused' });
    expect(store.getCheckpoint(id)).toEqual({ final: true });
    // ...and refused (CONFLICT: nobody else runs it) once it moved on.
    store.transition(id, 'queued', 203, {}, 'paused');
    const before = snapshot(store);
    expect(errorOf(() => store.saveCheckpoint(id, { late: true }, 204, { leaseOwner: null, orState: 'paused' })).code).toBe('CONFLICT');
    expect(errorOf(() => store.transition(id, 'completed', 204, { expectLease: 'new' }, 'queued')).code).toBe('CONFLICT');
    expect(snapshot(store)).toBe(before);
  });
});
