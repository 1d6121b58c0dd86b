import { sqlOp } from '../db/statement';

/** Every column a transition may change, already computed. */
export interface UpdateStateParams {
  id: string;
  /** Guard: the state the transition was checked against. */
  from: string;
  state: string;
  attempt: number;
  lease_owner: string | null;
  error: string | null;
  result: string | null;
  run_at: number;
  recoveries: number;
  /** Runs that do not count against maxAttempts (computed from the row read in this transaction). */
  refunded_attempts: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  /** Guard: the lease the task must still be under (a run's own outcome), or null for no check. */
  expect_lease: string | null;
}

/**
 * The state write of a transition. Guarded by `state = @from` so a stale caller changes
 * nothing (changes = 0) instead of overwriting a concurrent transition, and, for a run's
 * outcome, by the lease, so a process that was taken over never overwrites the new owner's run.
 * Params: UpdateStateParams.
 */
export const updateState = sqlOp<[UpdateStateParams]>(
  `UPDATE tasks SET state = @state, attempt = @attempt, lease_owner = @lease_owner, error = @error,
     result = @result, run_at = @run_at, recoveries = @recoveries,
     refunded_attempts = @refunded_attempts, started_at = @started_at,
     finished_at = @finished_at, updated_at = @updated_at
   WHERE id = @id AND state = @from AND (@expect_lease IS NULL OR lease_owner = @expect_lease)`,
);

/**
 * The journal entry that paused a task last: the state it left (a paused parent that was
 * `waiting` goes back to waiting on resume, without re-running its handler) and the reason (a
 * child paused by its parent's pause is resumed with it; one the user paused stays paused).
 * Walks task_events_task backwards from the newest event. Params: [taskId].
 */
export const selectLastPause = sqlOp<[string], { from_state: string | null; data: string | null }>(
  `SELECT from_state, data FROM task_events INDEXED BY task_events_task
   WHERE task_id = ? AND kind = 'state' AND to_state = 'paused' ORDER BY seq DESC LIMIT 1`,
);
