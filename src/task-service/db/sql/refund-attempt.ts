import { sqlOp } from '../statement';

/**
 * Gives back the attempt a claim took, for a run that ended through no fault of its own
 * (graceful shutdown, crash recovery, pause): it must not use up maxAttempts. Crash recoveries
 * are bounded separately by the recoveries counter (CRASH_LOOP). Params: [id].
 */
export const refundAttempt = sqlOp<[string]>('UPDATE tasks SET refunded_attempts = refunded_attempts + 1 WHERE id = ?');

/** An explicit retry starts the budget afresh (attempt is reset too). Params: [id]. */
export const resetRefunds = sqlOp<[string]>('UPDATE tasks SET refunded_attempts = 0 WHERE id = ?');

/** Params: [id]. */
export const selectRefunds = sqlOp<[string], { refunded: number }>('SELECT refunded_attempts AS refunded FROM tasks WHERE id = ?');
