import { sqlOp } from '../statement';
import { TASK_COLUMNS, type TaskRow } from './task-row';

/**
 * Claim candidates: due queued tasks in claim order. The partial indexes tasks_claim and
 * tasks_claim_type (WHERE state = 'queued') serve both the filter and the ORDER BY, so the scan
 * stops after LIMIT rows. INDEXED BY pins that plan: without ANALYZE statistics SQLite
 * prefers tasks_state_id plus a sort of every queued row, and if the index is ever dropped
 * the statement fails to prepare instead of silently scanning. Params: [now, limit] / [type, now, limit].
 */
export const claimCandidates = sqlOp<[number, number], TaskRow>(
  `SELECT ${TASK_COLUMNS} FROM tasks t INDEXED BY tasks_claim
   WHERE t.state = 'queued' AND t.run_at <= ? ORDER BY t.priority DESC, t.run_at, t.id LIMIT ?`,
);

export const claimCandidatesOfType = sqlOp<[string, number, number], TaskRow>(
  `SELECT ${TASK_COLUMNS} FROM tasks t INDEXED BY tasks_claim_type
   WHERE t.type = ? AND t.state = 'queued' AND t.run_at <= ? ORDER BY t.priority DESC, t.run_at, t.id LIMIT ?`,
);

/** queued -> running under a lease. Params: [leaseOwner, now(started_at), now(updated_at), id]. */
export const claimOne = sqlOp<[string, number, number, string]>(
  `UPDATE tasks SET state = 'running', attempt = attempt + 1, lease_owner = ?,
     started_at = coalesce(started_at, ?), updated_at = ?
   WHERE id = ? AND state = 'queued'`,
);

/** Earliest run_at among queued tasks; served by tasks_queued_run_at. No params. */
export const nextRunAt = sqlOp<[], { at: number | null }>("SELECT min(run_at) AS at FROM tasks INDEXED BY tasks_queued_run_at WHERE state = 'queued'");
