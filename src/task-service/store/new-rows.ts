import { sqlOp, type Db, type Stmt } from '../db/statement';
import { journal, reserveSeqs } from '../db/sql/insert-event';
import { insertDep } from './insert.sql';

/**
 * How new task rows are written: one at once (writeNewRow), or, for a batch, held back with
 * their 'created' journal entries and written together in multi-row INSERTs: one statement per
 * chunk of up to 64 rows cost about half as much per row as one INSERT each (bench/queue, bulk). createGraph collects its nodes here; insertNew flushes
 * before any read (a dedupe key, a parent, a dependency), so a read always sees every row
 * before it. Everything runs in the caller's transaction: a failure rolls the rows back with it.
 */

const TASK_COLS = `id, type, title, state, priority, parent_id, spawn_key, input, error, max_attempts,
  run_at, dedupe_key, created_at, finished_at, updated_at`;
const TASK_PARAMS = 15;
const EVENT_PARAMS = 7;
/** Chunk sizes, largest first: any count is written with at most a few statements per size. */
const CHUNKS = [64, 16, 4, 1];

const EVENT_COLS = 'seq, task_id, kind, from_state, to_state, data, at';

/** One INSERT per table and chunk size, each an sqlOp. */
function insertsOf(table: 'tasks' | 'task_events'): Map<number, (db: Db) => Stmt> {
  const [cols, width] = table === 'tasks' ? [TASK_COLS, TASK_PARAMS] : [EVENT_COLS, EVENT_PARAMS];
  const one = `(${Array(width).fill('?').join(',')})`;
  return new Map(CHUNKS.map((n) => [n, sqlOp(`INSERT INTO ${table} (${cols}) VALUES ${Array(n).fill(one).join(',')}`)]));
}
const INSERTS = { tasks: insertsOf('tasks'), task_events: insertsOf('task_events') };

function multiInsert(db: Db, table: 'tasks' | 'task_events', rows: number): Stmt {
  return INSERTS[table].get(rows)!(db);
}

/** Writes one row per item, in CHUNKS; `put` appends an item's params to a chunk's array. */
function writeChunked<T>(db: Db, table: 'tasks' | 'task_events', items: readonly T[], put: (params: unknown[], item: T, index: number) => void): void {
  let at = 0;
  for (const size of CHUNKS) {
    while (items.length - at >= size) {
      const params: unknown[] = [];
      for (let i = at; i < at + size; i++) put(params, items[i]!, i);
      multiInsert(db, table, size).run(...params); // spread: binding an array argument was slower
      at += size;
    }
  }
}

/** One new task as insertNew computed it (JSON already serialized). */
export interface NewTaskRow {
  id: string;
  type: string;
  title: string;
  state: string;
  priority: number;
  parentId: string | null;
  spawnKey: string | null;
  input: string;
  error: string | null;
  maxAttempts: number;
  runAt: number;
  dedupeKey: string | null;
  now: number;
  finishedAt: number | null;
  deps: readonly string[];
  /** The 'created' entry's data. */
  eventData: string | null;
}

function putTask(params: unknown[], r: NewTaskRow): void {
  params.push(r.id, r.type, r.title, r.state, r.priority, r.parentId, r.spawnKey, r.input, r.error, r.maxAttempts, r.runAt, r.dedupeKey, r.now, r.finishedAt, r.now);
}

/** One new task written at once (a single create): the row, its edges, its 'created' entry. */
export function writeNewRow(db: Db, r: NewTaskRow): void {
  const params: unknown[] = [];
  putTask(params, r);
  multiInsert(db, 'tasks', 1).run(...params);
  for (const depId of r.deps) insertDep(db).run(r.id, depId);
  journal(db, r.id, 'created', null, r.state, r.eventData, r.now);
}

export class NewRows {
  private rows: NewTaskRow[] = [];

  add(row: NewTaskRow): void {
    this.rows.push(row);
  }

  /** Writes every held row: tasks first, then their dependency edges and journal entries. */
  flush(db: Db): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    writeChunked(db, 'tasks', rows, putTask);
    for (const r of rows) for (const depId of r.deps) insertDep(db).run(r.id, depId);
    reserveSeqs(db, rows.length, (first) => {
      writeChunked(db, 'task_events', rows, (params, r, i) => params.push(first + i, r.id, 'created', null, r.state, r.eventData, r.now));
    });
  }
}
