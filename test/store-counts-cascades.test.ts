import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { tmpStore } from './support/store-fixture';

/** Counts by state read by a second connection: what stats() kept in memory must equal. */
function recount(store: SqliteTaskStore): Record<string, number> {
  const other = new Database(store.db.name, { readonly: true });
  try {
    const rows = other.prepare('SELECT state, count(*) AS n FROM tasks GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    other.close();
  }
}

function live(store: SqliteTaskStore): Record<string, number> {
  return Object.fromEntries(Object.entries(store.stats().byState).filter(([, n]) => n > 0));
}

describe('stats() kept in memory follow every cascade', () => {
  it('a parent pause cascading to its children, its resume and a retry move the counts like the table', () => {
    const store = tmpStore();
    const parent = store.create({ type: 'p', input: null }, 1).task;
    store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null });
    store.spawn(parent.id, [{ type: 'c', input: 1, key: 'a' }, { type: 'c', input: 2, key: 'b' }], 3, 'b');
    store.transition(parent.id, 'waiting', 4, { leaseOwner: null }, 'running');
    const [running] = store.claim({ bootId: 'b', now: 5, limit: 1, capacity: new Map([['c', 1]]) });
    expect(live(store)).toEqual({ waiting: 1, running: 1, queued: 1 });

    // the parent's pause takes its running and its queued child with it, in one transition
    const paused = store.transition(parent.id, 'paused', 6, { reason: { reason: 'pause' } });
    expect(paused.affected.map((t) => t.state)).toEqual(['paused', 'paused']); // both children
    expect(live(store)).toEqual({ paused: 3 });
    expect(live(store)).toEqual(recount(store));
    // the paused run was refunded: not a failed attempt
    expect(store.get(running!.id)).toMatchObject({ attempt: 0, runs: 1 });

    store.transition(parent.id, store.resumeTarget(parent.id), 7, { reason: { reason: 'resume' } });
    expect(live(store)).toEqual({ waiting: 1, queued: 2 });
    expect(live(store)).toEqual(recount(store));

    const again = store.claim({ bootId: 'b', now: 8, limit: 1, capacity: new Map([['c', 1]]) })[0]!;
    store.transition(again.id, 'failed', 9, { error: { code: 'INTERNAL', message: 'x', retryable: false } }, 'running');
    expect(store.get(again.id).attempt).toBe(1);
    store.transition(again.id, 'queued', 10, { resetAttempts: true }, 'failed');
    expect(store.get(again.id).attempt).toBe(0);
    expect(live(store)).toEqual(recount(store));
  });
});
