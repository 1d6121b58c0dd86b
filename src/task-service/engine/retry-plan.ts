import { ServiceError } from '../../shared/errors';
import type { Task } from '../../shared/task';
import type { TaskStore } from '../store/types';

/**
 * What a user's retry of a failed or cancelled task changes, worked out before anything is
 * written: a dependency that failed, was cancelled or removed and is not retried with it would
 * keep its dependent blocked forever, so the retry is refused with CONFLICT naming it.
 */

const retryable = (t: Task): boolean => t.state === 'failed' || t.state === 'cancelled';

/** True when every dependency completed; false when one is live or retried in the plan. */
export function depsMet(store: TaskStore, task: Task, inPlan: ReadonlySet<string>): boolean {
  let met = true;
  for (const id of task.dependsOn) {
    const dep = store.find(id);
    if (dep?.state === 'completed') continue;
    met = false;
    if (dep !== undefined && (inPlan.has(id) || !retryable(dep))) continue;
    const what = dep === undefined ? 'was removed' : `is ${dep.state}`;
    const fix = dep === undefined ? `it can never run again; create a new task without that dependency` : `retry ${id} first, then retry ${task.id}`;
    throw new ServiceError('CONFLICT', `Task ${task.id} depends on ${id}, which ${what}: a retry would leave it blocked forever; ${fix}`, {
      taskId: task.id,
      dependency: id,
      dependencyState: dep?.state ?? null,
    });
  }
  return met;
}
