import { sqlShapes, type Db, type Stmt } from '../statement';
import { TASK_COLUMNS, type TaskRow } from './task-row';

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

const shapes = sqlShapes<unknown[], TaskRow>();

/**
 * One page of tasks, newest first (id DESC: ids are time-sortable). Keyset pagination on id
 * means rows inserted while paging sort above the cursor and never shift later pages.
 * Served by tasks_state_id, tasks_type_id, tasks_parent_id or the primary key, reading only
 * `limit` rows: a multi-valued filter (`state IN (a, b)`) would make SQLite sort every match,
 * so it runs as one indexed query per value, merged here (each already in id order).
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
    where.push(`t.state IN (${f.states.map(() => '?').join(',')})`);
    params.push(...f.states);
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
  const stmt: Stmt<unknown[], TaskRow> = shapes(db, text);
  return stmt.all(...params);
}
