import { sqlOp } from '../db/statement';

/**
 * A running handler retitles its own task, under the run guard of the other run-data writes
 * (task-data.ts): only while the task is running under `lease`, or is in `or_state`.
 * Params: {id, title, now, lease, or_state}.
 */
export const updateTitleGuarded = sqlOp<[{ id: string; title: string; now: number; lease: string | null; or_state: string | null }]>(
  `UPDATE tasks SET title = @title, updated_at = @now
   WHERE id = @id AND ((state = 'running' AND lease_owner = @lease) OR state = @or_state)`,
);

/** Params: [id]. */
export const selectTitle = sqlOp<[string], { title: string }>('SELECT title FROM tasks WHERE id = ?');

/** 1 when the run guard admits the task (as in updateTitleGuarded). Params: {id, lease, or_state}. */
export const selectRunAdmits = sqlOp<[{ id: string; lease: string | null; or_state: string | null }], { ok: number }>(
  `SELECT 1 AS ok FROM tasks WHERE id = @id AND ((state = 'running' AND lease_owner = @lease) OR state = @or_state)`,
);
