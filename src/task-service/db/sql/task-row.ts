/**
 * The tasks row as read by every Task-returning query. `deps` is the task's dependency ids as
 * a JSON array, gathered in the same statement so a Task costs one read, not two.
 * `checkpoint` is left out on purpose: it can be large and only getCheckpoint needs it.
 */
export interface TaskRow {
  id: string;
  type: string;
  title: string;
  state: string;
  priority: number;
  parent_id: string | null;
  spawn_key: string | null;
  deps: string;
  input: string;
  result: string | null;
  error: string | null;
  progress: string | null;
  attempt: number;
  max_attempts: number;
  run_at: number;
  dedupe_key: string | null;
  lease_owner: string | null;
  recoveries: number;
  /** Runs that were not failed attempts (see store/rows.ts). */
  refunded_attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

/** Column list for `SELECT ${TASK_COLUMNS} FROM tasks t ...`. */
export const TASK_COLUMNS = `t.id, t.type, t.title, t.state, t.priority, t.parent_id, t.spawn_key,
  (SELECT json_group_array(d.depends_on_id) FROM task_deps d WHERE d.task_id = t.id) AS deps,
  t.input, t.result, t.error, t.progress, t.attempt, t.max_attempts, t.run_at, t.dedupe_key,
  t.lease_owner, t.recoveries, t.refunded_attempts, t.created_at, t.started_at, t.finished_at, t.updated_at`;

export const TERMINAL_SQL = "('completed','failed','cancelled')";

/**
 * The WHERE of the partial index tasks_live_state, verbatim: SQLite uses a partial index only
 * when the query repeats its condition (state = 'running' alone does not prove it), so a query
 * meant for that index adds this term.
 */
export const LIVE_STATE_SQL = "state IN ('blocked','running','waiting','paused')";
export const LIVE_STATES: readonly string[] = ['blocked', 'running', 'waiting', 'paused'];
