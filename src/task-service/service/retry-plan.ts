import { ServiceError } from '../../shared/errors';
import type { Task, TaskState } from '../../shared/task';
import type { TaskStore } from '../store/types';

/**
 * What a user's retry of a failed or cancelled task changes, worked out before anything is
 * written. Three rules, each from a task that was left stuck:
 *  - a task that failed only because of its children (CHILDREN_FAILED) goes back to `waiting`
 *    (its own work stands) and its failed and cancelled children are retried;
 *  - any other retried task goes to `queued` (or `blocked` behind a dependency that is still
 *    live or retried in the same plan), and its failed and cancelled children are retried too,
 *    since its re-run's spawn returns them by key and would fail again at once;
 *  - this applies level by level (a worklist, not recursion), so grandchildren are reached;
 *  - a dependency that failed, was cancelled or removed and is not part of the plan would keep
 *    its dependent blocked forever: the retry is refused with CONFLICT naming it.
 */

/** One task of the plan and where it goes. */
export interface RetryStep {
  task: Task;
  to: Extract<TaskState, 'queued' | 'blocked' | 'waiting'>;
  /** How many of its children the plan retries. */
  children: number;
}

const retryable = (t: Task): boolean => t.state === 'failed' || t.state === 'cancelled';

/** Root first, then level by level. Throws CONFLICT (nothing written yet) for a dead dependency. */
export function planRetry(store: TaskStore, root: Task): RetryStep[] {
  const inPlan = new Set<string>([root.id]);
  const tasks: Task[] = [root];
  const kidsOf = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const kids = store.children(tasks[i]!.id).filter(retryable);
    kidsOf.set(tasks[i]!.id, kids.length);
    for (const k of kids) if (!inPlan.has(k.id)) (inPlan.add(k.id), tasks.push(k));
  }
  return tasks.map((task) => {
    const children = kidsOf.get(task.id) ?? 0;
    if (task.state === 'failed' && task.error?.code === 'CHILDREN_FAILED') return { task, to: 'waiting', children };
    return { task, to: depsMet(store, task, inPlan) ? 'queued' : 'blocked', children };
  });
}

/** True when every dependency completed; false when one is live or retried in the plan. */
function depsMet(store: TaskStore, task: Task, inPlan: ReadonlySet<string>): boolean {
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
