import { sqlOp } from '../statement';

/**
 * Earliest run_at among queued tasks that are NOT yet due (run_at > after): the moment the due
 * timer must wake for. Due tasks are left out on purpose: they wait for a slot, and a finishing
 * task claims them; counting them would hide a later task of another type behind them.
 * A range on tasks_queued_run_at, so it is one index seek. Params: [after].
 */
export const nextRunAfter = sqlOp<[number], { at: number | null }>(
  "SELECT min(run_at) AS at FROM tasks INDEXED BY tasks_queued_run_at WHERE state = 'queued' AND run_at > ?",
);
