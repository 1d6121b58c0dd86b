import { sqlOp } from '../db/statement';

/** Counts by type and state. No params. */
export const selectCounts = sqlOp<[], { type: string; state: string; n: number }>(
  'SELECT type, state, count(*) AS n FROM tasks GROUP BY type, state',
);
