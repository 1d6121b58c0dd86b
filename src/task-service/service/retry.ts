import { assertTransition } from '../../shared/transitions';
import type { Task } from '../../shared/task';
import type { TaskStore, TransitionResult } from '../store/types';
import type { Engine } from '../engine/engine';
import { planRetry } from './retry-plan';

/**
 * A user's retry of a failed or cancelled task: attempts and error reset, back to queued (or
 * blocked while dependencies are unmet); its failed and cancelled descendants are retried with
 * it, and a parent that failed because of its children waits for them again (see retry-plan.ts).
 * All in one transaction. Then every parent put back to `waiting` is re-checked: one whose
 * children had all settled meanwhile (retried one by one, or removed) would otherwise wait forever.
 */
export function retryTask(engine: Engine, store: TaskStore, id: string, now: number): Task {
  const results = engine.guard.write(() =>
    store.batch(() => {
      const root = store.get(id);
      assertTransition(id, root.state, 'queued'); // ILLEGAL_TRANSITION for anything not failed/cancelled
      const out: TransitionResult[] = [];
      for (const step of planRetry(store, root)) {
        const reason = { reason: 'retry', by: 'user', ...(step.task.id === id ? {} : { root: id }), ...(step.children > 0 ? { children: step.children } : {}) };
        const patch = step.to === 'waiting' ? { error: null, reason } : { resetAttempts: true, error: null, runAt: now, reason };
        out.push(store.transition(step.task.id, step.to, now, patch, step.task.state));
      }
      return out;
    }),
  );
  for (const r of results) engine.react(r);
  // Deepest first, so a child that completes here lets its parent complete in the same pass.
  for (const r of [...results].reverse()) if (r.task.state === 'waiting') engine.checkParent(r.task.id);
  engine.publish();
  engine.schedulePump();
  return engine.guard.tryRead(() => store.find(id)) ?? results[0]!.task;
}
