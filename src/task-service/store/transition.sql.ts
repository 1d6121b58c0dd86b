import { sqlOp } from '../db/statement';

/**
 * The state write of a transition: every column a transition may change, already computed.
 * Guarded by `state = from` so a stale caller changes nothing (changes = 0) instead of
 * overwriting a concurrent transition, and, for a run's outcome, by the lease (`expectLease`,
 * null for no check), so a process that was taken over never overwrites the new owner's run.
 * Positional: binding 14 named parameters cost about 2 us more per transition.
 * Params: [state, attempt, leaseOwner, error, result, runAt, recoveries, refundedAttempts,
 * startedAt, finishedAt, updatedAt, id, from, expectLease, expectLease] (better-sqlite3 binds no ?NNN).
 */
export const updateState = sqlOp<
  [string, number, string | null, string | null, string | null, number, number, number, number | null, number | null, number, string, string, string | null, string | null]
>(
  `UPDATE tasks SET state = ?, attempt = ?, lease_owner = ?, error = ?, result = ?, run_at = ?, recoveries = ?,
     refunded_attempts = ?, started_at = ?, finished_at = ?, updated_at = ?
   WHERE id = ? AND state = ? AND (? IS NULL OR lease_owner = ?)`,
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
