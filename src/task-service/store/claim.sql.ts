import { ServiceError } from '../../shared/errors';
import { sqlOp, sqlShapes, type Db, type Stmt } from '../db/statement';

/**
 * Claim candidates of one type: due queued tasks in claim order, read from tasks_claim_type
 * alone (it holds every column read here), so finding a candidate reads no table row. INDEXED BY
 * pins the plan; should the index ever be dropped the statement fails to prepare instead of
 * silently scanning. The LIMIT is written into the text, one cached statement per limit value: a
 * bound `LIMIT ?` made this read 3-4 times slower (about 11 us against 3 us for one candidate).
 * Callers keep the values few (claim.ts asks for powers of two). Params: [type, now].
 */
const candidateShapes = sqlShapes<[string, number], { id: string; priority: number; run_at: number }>();

export function claimCandidatesOfType(db: Db, limit = 1): Stmt<[string, number], { id: string; priority: number; run_at: number }> {
  const n = Math.floor(limit);
  if (!(n >= 1)) throw new ServiceError('INTERNAL', `A claim limit must be at least 1, got ${limit}`);
  return candidateShapes(
    db,
    `SELECT id, priority, run_at FROM tasks INDEXED BY tasks_claim_type
   WHERE type = ? AND state = 'queued' AND run_at <= ? ORDER BY priority DESC, run_at, id LIMIT ${n}`,
  );
}

/**
 * The types that have queued tasks, one index seek per type (a skip over tasks_claim_type
 * written as a recursive query), for a caller that claims without per-type capacity. No params.
 */
export const selectQueuedTypes = sqlOp<[], { type: string }>(
  `WITH RECURSIVE types(type) AS (
     SELECT (SELECT min(type) FROM tasks INDEXED BY tasks_claim_type WHERE state = 'queued')
     UNION ALL
     SELECT (SELECT min(type) FROM tasks INDEXED BY tasks_claim_type WHERE state = 'queued' AND type > types.type)
     FROM types WHERE types.type IS NOT NULL)
   SELECT type FROM types WHERE type IS NOT NULL`,
);

/**
 * queued -> running under a lease. The caller read the row just before, in the same
 * transaction, and applies the same changes to it: reading the row (raw, task-row-stmt.ts) and
 * updating without RETURNING cost less than UPDATE ... RETURNING of every column, which SQLite
 * materializes in a temporary table (bench/queue). Params: [leaseOwner, now(started_at), now(updated_at), id].
 */
export const claimOne = sqlOp<[string, number, number, string]>(
  `UPDATE tasks SET state = 'running', attempt = attempt + 1, lease_owner = ?,
     started_at = coalesce(started_at, ?), updated_at = ?
   WHERE id = ? AND state = 'queued'`,
);
