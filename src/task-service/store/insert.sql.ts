import { sqlOp } from '../db/statement';

/** Named parameters of insertTask (JSON columns already serialized). */
export interface InsertTaskParams {
  id: string;
  type: string;
  title: string;
  state: string;
  priority: number;
  parent_id: string | null;
  spawn_key: string | null;
  input: string;
  error: string | null;
  max_attempts: number;
  run_at: number;
  dedupe_key: string | null;
  created_at: number;
  finished_at: number | null;
}

/** A new task row; attempt, recoveries default to 0. Params: InsertTaskParams. */
export const insertTask = sqlOp<[InsertTaskParams]>(
  `INSERT INTO tasks (id, type, title, state, priority, parent_id, spawn_key, input, error, max_attempts,
     run_at, dedupe_key, created_at, finished_at, updated_at)
   VALUES (@id, @type, @title, @state, @priority, @parent_id, @spawn_key, @input, @error, @max_attempts,
     @run_at, @dedupe_key, @created_at, @finished_at, @created_at)`,
);

/** One dependency edge. Params: [taskId, dependsOnId]. */
export const insertDep = sqlOp<[string, string]>('INSERT OR IGNORE INTO task_deps (task_id, depends_on_id) VALUES (?, ?)');
