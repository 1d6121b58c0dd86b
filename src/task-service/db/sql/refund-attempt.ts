import { sqlOp } from '../statement';

/**
 * Runs that did not fail (success, cancel, pause, graceful shutdown, crash recovery, a network
 * outage) are refunded: they must not use up maxAttempts, so failed attempts = runs - refunded.
 * The transition's own UPDATE writes the count (store/transition.ts). Params: [id].
 */
export const selectRefunds = sqlOp<[string], { refunded: number }>('SELECT refunded_attempts AS refunded FROM tasks WHERE id = ?');
