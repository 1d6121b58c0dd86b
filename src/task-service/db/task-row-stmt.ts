import { perConnection, type Db } from './statement';
import type { TaskRow } from './sql/task-row';

/**
 * A statement over TASK_COLUMNS (in that order) read in raw mode, each row turned into a TaskRow
 * here. better-sqlite3 builds a row object in C++ one named property at a time: for these 23
 * columns that was about half the cost of a claim or a transition's read (bench/queue). An array
 * plus one object literal costs a fraction of it. Prepared once per connection, like sqlOp.
 */
export interface TaskRowStmt<P extends unknown[]> {
  /** The SQL text (query-plan tests read it). */
  readonly source: string;
  get(...params: P): TaskRow | undefined;
  all(...params: P): TaskRow[];
}

export function rowFromArray(a: unknown[]): TaskRow {
  return {
    id: a[0] as string,
    type: a[1] as string,
    title: a[2] as string,
    state: a[3] as string,
    priority: a[4] as number,
    parent_id: a[5] as string | null,
    spawn_key: a[6] as string | null,
    deps: a[7] as string,
    input: a[8] as string,
    result: a[9] as string | null,
    error: a[10] as string | null,
    progress: a[11] as string | null,
    attempt: a[12] as number,
    max_attempts: a[13] as number,
    run_at: a[14] as number,
    dedupe_key: a[15] as string | null,
    lease_owner: a[16] as string | null,
    recoveries: a[17] as number,
    refunded_attempts: a[18] as number,
    created_at: a[19] as number,
    started_at: a[20] as number | null,
    finished_at: a[21] as number | null,
    updated_at: a[22] as number,
  };
}

/** Wraps a prepared statement whose columns are TASK_COLUMNS. */
export function taskRowStmt<P extends unknown[]>(db: Db, text: string): TaskRowStmt<P> {
  const stmt = db.prepare(text).raw(true);
  return {
    source: stmt.source,
    get: (...params) => {
      const a = stmt.get(...params) as unknown[] | undefined;
      return a === undefined ? undefined : rowFromArray(a);
    },
    all: (...params) => (stmt.all(...params) as unknown[][]).map(rowFromArray),
  };
}

/** sqlOp for TASK_COLUMNS statements. */
export function taskRowOp<P extends unknown[]>(text: string): (db: Db) => TaskRowStmt<P> {
  return perConnection((db) => taskRowStmt<P>(db, text));
}
