import { sqlOp } from '../db/statement';

/**
 * Earliest run_at among queued tasks that are NOT yet due (run_at > after): the moment the due
 * timer must wake for. Due tasks are left out on purpose: they wait for a slot, and a finishing
 * task claims them; counting them would hide a later task of another type behind them.
 * Only tasks delayed past their creation can be not yet due (a task due when created stays due),
 * and tasks_delayed holds exactly those: one index seek. Params: [after].
 */
export const nextRunAfter = sqlOp<[number], { at: number | null }>(
  "SELECT min(run_at) AS at FROM tasks INDEXED BY tasks_delayed WHERE state = 'queued' AND run_at > created_at AND run_at > ?",
);

/**
 * Earliest run_at among all queued tasks (diagnostics and tests; the engine asks nextRunAfter):
 * a walk of tasks_claim_type's entries, no table row read. No params.
 */
export const nextRunAt = sqlOp<[], { at: number | null }>("SELECT min(run_at) AS at FROM tasks INDEXED BY tasks_claim_type WHERE state = 'queued'");
