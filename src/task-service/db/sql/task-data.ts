import { sqlOp } from '../statement';

/** Latest progress (not journaled: progress is not history). Params: [progressJson, updatedAt, id]. */
export const updateProgress = sqlOp<[string, number, string]>('UPDATE tasks SET progress = ?, updated_at = ? WHERE id = ?');

/** Durable checkpoint. Params: [checkpointJson, updatedAt, id]. */
export const updateCheckpoint = sqlOp<[string, number, string]>('UPDATE tasks SET checkpoint = ?, updated_at = ? WHERE id = ?');

/** Params: [id]. */
export const selectCheckpoint = sqlOp<[string], { checkpoint: string | null }>('SELECT checkpoint FROM tasks WHERE id = ?');

/** Params: [id]. */
export const selectRecoveries = sqlOp<[string], { recoveries: number }>('SELECT recoveries FROM tasks WHERE id = ?');
