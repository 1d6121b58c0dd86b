import type { Task, TaskState } from '../../shared/task';
import type { TaskStore } from '../store/types';
import type { Engine } from './engine';
import { depsMet } from './retry-plan';
import { checkParent } from './settlement';

/**
 * A user's retry of a failed or cancelled task: attempts and error reset, back to queued (or
 * blocked while dependencies are unmet). A parent that failed because of its children
 * (CHILDREN_FAILED) retries its failed and cancelled children too and waits for them again,
 * all in one transaction. The parent is then re-checked: when its children had all settled
 * meanwhile (the failed one retried on its own and completed, or removed), nothing else would
 * ever wake it and it would stay `waiting` forever.
 */
export function retryTask(engine: Engine, store: TaskStore, id: string, now: number): Task {
  const t = store.get(id);
  const patch = { resetAttempts: true, error: null, runAt: now, reason: { reason: 'retry', by: 'user' } };
  if (t.state === 'failed' && t.error?.code === 'CHILDREN_FAILED') {
    const kids = store.children(id).filter((c: Task) => c.state === 'failed' || c.state === 'cancelled');
    const inPlan = new Set(kids.map((k) => k.id));
    const targets = kids.map((c) => depsMet(store, c, inPlan)); // CONFLICT before anything is written
    const results = engine.guard.write(() =>
      store.batch(() => [
        ...kids.map((c, i) => store.transition(c.id, targets[i] ? 'queued' : 'blocked', now, patch, c.state)),
        store.transition(id, 'waiting', now, { error: null, reason: { reason: 'retry', by: 'user', children: kids.length } }, 'failed'),
      ]),
    );
    for (const r of results) engine.react(r);
    checkParent(engine, id);
    engine.publish();
    engine.schedulePump();
    return engine.tryRead(() => store.find(id)) ?? results[results.length - 1]!.task;
  }
  const from: TaskState[] = ['failed', 'cancelled'];
  if (!from.includes(t.state)) return engine.change(id, 'queued', patch, from); // ILLEGAL_TRANSITION
  return engine.change(id, depsMet(store, t, new Set([id])) ? 'queued' : 'blocked', patch, from);
}
