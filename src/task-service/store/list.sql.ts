import { TASK_STATES } from '../../shared/task';
import { perConnectionByText, type Db } from '../db/statement';
import { LIVE_STATE_SQL, LIVE_STATES, TASK_COLUMNS, type TaskRow } from '../db/sql/task-row';
import { taskRowStmt, type TaskRowStmt } from '../db/task-row-stmt';

/** Filters of a list page; arrays are non-empty when present. */
export interface ListFilter {
  states?: string[];
  types?: string[];
  /** null = root tasks only; undefined = any parent. */
  parentId?: string | null;
  /** Keyset: only ids strictly below this one (the list runs newest first). */
  beforeId?: string;
  limit: number;
}

/** One prepared statement per filter shape and connection. */
const shape = perConnectionByText<TaskRowStmt<unknown[]>>((db, text) => taskRowStmt(db, text));

/**
 * One page of tasks, newest first (id DESC: ids are time-sortable). Keyset pagination on id
 * means rows inserted while paging sort above the cursor and never shift later pages.
 * A filter on a live state that is not queued (blocked, running, waiting, paused) is served by
 * tasks_live_state and a parent filter by tasks_parent_id, reading only `limit` rows. Filters on
 * queued or finished states, on types, or on roots only (parentId null), walk the primary key newest first and skip what does
 * not match: no index is kept for them, since every enqueue and every finished task would pay
 * for it, and finished rows are most of the table (such a page reads the rows down to its last
 * match). A multi-valued filter (`state IN (a, b)`) would make SQLite sort every match, so it
 * runs as one query per value, merged here (each already in id order).
 * A state is written into the statement as a literal (it is one of TASK_STATES, checked here):
 * SQLite can use the partial index tasks_live_state only when it sees the value at prepare time.
 * Statement text depends only on the filter's shape, so each shape is prepared once per
 * connection. Params: built from ListFilter.
 */
export function listTasks(db: Db, f: ListFilter): TaskRow[] {
  const split = (f.states?.length ?? 0) > 1 ? 'states' : (f.types?.length ?? 0) > 1 ? 'types' : null;
  if (split === null) return listOne(db, f);
  const merged = f[split]!.flatMap((v) => listOne(db, { ...f, [split]: [v] }));
  merged.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return merged.slice(0, f.limit);
}

function listOne(db: Db, f: ListFilter): TaskRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.states !== undefined) {
    for (const s of f.states) if (!(TASK_STATES as readonly string[]).includes(s)) throw new Error(`not a task state: ${s}`);
    where.push(`t.state IN (${f.states.map((s) => `'${s}'`).join(',')})`);
    if (f.states.every((s) => LIVE_STATES.includes(s))) where.push(`t.${LIVE_STATE_SQL}`);
  }
  if (f.types !== undefined) {
    where.push(`t.type IN (${f.types.map(() => '?').join(',')})`);
    params.push(...f.types);
  }
  if (f.parentId === null) where.push('t.parent_id IS NULL');
  else if (f.parentId !== undefined) {
    where.push('t.parent_id = ?');
    params.push(f.parentId);
  }
  if (f.beforeId !== undefined) {
    where.push('t.id < ?');
    params.push(f.beforeId);
  }
  params.push(f.limit);
  const text = `SELECT ${TASK_COLUMNS} FROM tasks t ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id DESC LIMIT ?`;
  return shape(db, text).all(...params);
}
