import { TASK_STATES, type TaskState } from '../../shared/task';
import type { Db } from '../db/statement';
import { selectCounts } from './counts.sql';
import type { QueueStats } from './types';

/**
 * Task counts by type and state, kept in memory so stats() costs nothing at 100,000 tasks
 * (counting rows took 35-75 ms there; an index on state would cost a page on every write).
 * Counted once from the table, then moved by every insert, state change and delete the store
 * makes. Those changes follow the transactions they happen in: each write opens a frame; a
 * frame that commits folds into its parent (a savepoint's into its transaction's), one that
 * rolls back is dropped, so the counts never show what the database does not hold. A write by
 * another connection (a tool, a test) shows in PRAGMA data_version, and the next read recounts.
 */

type Key = string; // `${type}\0${state}`
const key = (type: string, state: string): Key => `${type}\u0000${state}`;

class TaskCounts {
  private counts: Map<Key, number> | null = null;
  private version = -1;
  private readonly frames: Array<Map<Key, number>> = [];

  constructor(private readonly db: Db) {}

  note(type: string, from: string | null, to: string | null): void {
    if (from === to) return;
    // Outside a store write a statement commits on its own: it moves the counts at once.
    const into = this.frames.length > 0 ? this.frames[this.frames.length - 1]! : this.counts;
    if (into === null) return; // not counted yet: the first read counts the table
    if (from !== null) bump(into, key(type, from), -1, into === this.counts);
    if (to !== null) bump(into, key(type, to), 1, into === this.counts);
  }

  begin(): void {
    this.frames.push(new Map());
  }

  end(committed: boolean): void {
    const frame = this.frames.pop()!;
    if (!committed) return;
    const into = this.frames.length > 0 ? this.frames[this.frames.length - 1]! : this.counts;
    if (into === null) return; // not counted yet: the first read counts the committed table
    for (const [k, d] of frame) bump(into, k, d, into === this.counts);
  }

  read(): QueueStats {
    let counts: Map<Key, number>;
    if (this.frames.length > 0) {
      // Read inside a write: the table already holds this transaction's changes, the counts do
      // not yet (they may never): count the table, and keep nothing.
      counts = countTable(this.db);
    } else {
      const version = this.db.pragma('data_version', { simple: true }) as number;
      if (this.counts === null || version !== this.version) {
        this.counts = countTable(this.db);
        this.version = version;
      }
      counts = this.counts;
    }
    const byState = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    const byType: QueueStats['byType'] = {};
    for (const [k, n] of counts) {
      const [type, state] = k.split('\u0000') as [string, TaskState];
      byState[state] += n;
      (byType[type] ??= {})[state] = n;
    }
    return { byState, byType };
  }
}

function countTable(db: Db): Map<Key, number> {
  return new Map(selectCounts(db).all().map((r) => [key(r.type, r.state), r.n]));
}

/** Adds d to one count; settled counts drop zeros (stats list only what exists). */
function bump(into: Map<Key, number>, k: Key, d: number, settled: boolean): void {
  const n = (into.get(k) ?? 0) + d;
  if (n === 0 && settled) into.delete(k);
  else into.set(k, n);
}

const byDb = new WeakMap<Db, TaskCounts>();

/** The counts of a connection (one per connection: data_version is per connection). */
export function countsOf(db: Db): TaskCounts {
  let c = byDb.get(db);
  if (c === undefined) {
    c = new TaskCounts(db);
    byDb.set(db, c);
  }
  return c;
}

/** Records a task entering `to` from `from` (null: inserted / deleted) in the open write. */
export function noteState(db: Db, type: string, from: string | null, to: string | null): void {
  countsOf(db).note(type, from, to);
}
