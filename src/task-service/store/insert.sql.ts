import { sqlOp } from '../db/statement';

/** One dependency edge. Params: [taskId, dependsOnId]. */
export const insertDep = sqlOp<[string, string]>('INSERT OR IGNORE INTO task_deps (task_id, depends_on_id) VALUES (?, ?)');
