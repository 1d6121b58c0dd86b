import { describe, expect, it } from 'vitest';
import type { Stmt } from '../src/task-service/db/statement';
import { SKIP_MARGIN } from '../src/task-service/store/retention';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { tmpStore } from './support/store-fixture';

/**
 * Regression: every prune call read every candidate root (no LIMIT) and re-read the ones it
 * skipped, so trimming 80,000 finished roots in batches of 200 was quadratic (51 s in total, the
 * worst transaction 359 ms). A call now reads a bounded page after a cursor. Measured here in rows
 * read, not in time.
 */

/** Counts the rows each candidate query of this store's connection returns (wraps its statements as they are prepared). */
function countCandidateReads(store: SqliteTaskStore): { rows: number } {
  const counter = { rows: 0 };
  const prepare = store.db.prepare.bind(store.db);
  store.db.prepare = ((sql: string) => {
    const stmt = prepare(sql) as Stmt;
    if (!sql.includes('tasks_finished_roots')) return stmt;
    return new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'all') return (...args: unknown[]) => {
          const rows = target.all(...args);
          counter.rows += rows.length;
          return rows;
        };
        if (prop === 'get') return (...args: unknown[]) => {
          const row = target.get(...args);
          if (row !== undefined) counter.rows++;
          return row;
        };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }) as typeof store.db.prepare;
  return counter;
}

/** `n` finished roots, finished at start, start + 1, ... */
function finishedRoots(store: SqliteTaskStore, n: number, start: number, state: 'cancelled' | 'completed' = 'cancelled'): string[] {
  return store.batch(() =>
    Array.from({ length: n }, (_, i) => {
      const id = store.create({ type: 'x', input: i }, start + i).task.id;
      if (state === 'completed') store.transition(id, 'running', start + i);
      store.transition(id, state, start + i);
      return id;
    }),
  );
}

const remaining = (store: SqliteTaskStore, ids: string[]) => ids.filter((id) => store.find(id) !== undefined).length;

describe('retention in bounded batches', () => {
  it('each call reads at most maxRoots + SKIP_MARGIN candidates, however large the backlog', () => {
    const store = tmpStore();
    const ids = finishedRoots(store, 2_000, 1_000);
    const reads = countCandidateReads(store);
    const perCall: number[] = [];
    let deleted: number;
    do {
      const before = reads.rows;
      deleted = store.prune({ olderThanMs: 0, maxRoots: 40, now: 1e6 });
      perCall.push(reads.rows - before);
    } while (deleted > 0);
    expect(remaining(store, ids)).toBe(0);
    expect(perCall).toHaveLength(2_000 / 40 + 1); // 50 full batches, then one that finds nothing
    expect(Math.max(...perCall)).toBeLessThanOrEqual(40 + SKIP_MARGIN);
  });

  it('roots that must stay do not starve the ones behind them: the cursor moves past them', () => {
    const store = tmpStore();
    // 3 pages' worth of finished roots that cannot go (an unfinished task depends on each), oldest first
    const held = finishedRoots(store, 3 * (10 + SKIP_MARGIN), 1_000, 'completed');
    const waiting = store.batch(() => held.map((dep) => store.create({ type: 'x', input: dep, dependsOn: [dep] }, 5_000).task.id));
    expect(store.get(waiting[0]!).state).toBe('queued');
    const free = finishedRoots(store, 25, 2_000);
    const reads = countCandidateReads(store);
    const results: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = reads.rows;
      results.push(store.prune({ olderThanMs: 0, maxRoots: 10, now: 1e6 }));
      expect(reads.rows - before).toBeLessThanOrEqual(10 + SKIP_MARGIN);
    }
    expect(results).toEqual([0, 0, 0, 10, 10, 5]);
    expect(remaining(store, free)).toBe(0);
    expect(remaining(store, held)).toBe(held.length);

    // That round reached the end, so the next starts over and finds the held roots once they are free.
    store.batch(() => waiting.forEach((id) => store.transition(id, 'cancelled', 6_000)));
    let total = 0;
    for (let n = store.prune({ olderThanMs: 0, maxRoots: 10, now: 1e6 }); n > 0; n = store.prune({ olderThanMs: 0, maxRoots: 10, now: 1e6 })) total += n;
    expect(remaining(store, held)).toBe(0);
    expect(remaining(store, waiting)).toBe(0); // finished roots themselves now
    expect(total).toBe(held.length + waiting.length);
  });

  it('keepNewest in batches keeps exactly the newest N roots', () => {
    const store = tmpStore();
    const ids = finishedRoots(store, 300, 1_000);
    const counts: number[] = [];
    for (let n = -1; n !== 0; ) counts.push((n = store.prune({ keepNewest: 100, maxRoots: 60, now: 1e6 })));
    expect(counts).toEqual([60, 60, 60, 20, 0]);
    expect(ids.map((id) => store.find(id) !== undefined)).toEqual(ids.map((_, i) => i >= 200));
  });

  it('age and keepNewest together prune the longer prefix of the finish order', () => {
    const store = tmpStore();
    const ids = finishedRoots(store, 50, 1_000); // finished at 1000..1049
    // age alone would take 1000..1009; keepNewest 30 takes 1000..1019
    expect(store.prune({ olderThanMs: 1e6 - 1_010, keepNewest: 30, maxRoots: 7, now: 1e6 })).toBe(7);
    expect(store.prune({ olderThanMs: 1e6 - 1_010, keepNewest: 30, now: 1e6 })).toBe(13);
    expect(ids.map((id) => store.find(id) !== undefined)).toEqual(ids.map((_, i) => i >= 20));
    // age beyond keepNewest: the age rule wins
    expect(store.prune({ olderThanMs: 1e6 - 1_040, keepNewest: 30, now: 1e6 })).toBe(20);
    expect(remaining(store, ids)).toBe(10);
  });
});
