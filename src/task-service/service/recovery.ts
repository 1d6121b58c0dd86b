import type { TaskStore } from '../store/types';
import type { Engine } from '../engine/engine';

/**
 * Start-up recovery, run after ownership is acquired and before claiming: tasks left `running`
 * by an earlier boot go back to `queued` (their checkpoint stays, and the attempt the crashed
 * run took is given back: a crash is counted by `recoveries`, not as a failed attempt), unless they were recovered
 * maxRecoveries times already with no progress in between — a task that keeps killing the service
 * without getting anywhere fails with CRASH_LOOP. A new checkpoint or new persisted progress resets
 * the count (db/sql/task-data.ts), and so does a user's retry (store/transition.ts).
 * Then blocked and waiting tasks are re-evaluated (their dependencies or children may have
 * settled while nobody was watching).
 */
export function recover(engine: Engine, store: TaskStore, o: { bootId: string; now: number; maxRecoveries: number }): void {
  for (const t of store.orphans(o.bootId)) {
    const n = store.recoveries(t.id);
    const r =
      n >= o.maxRecoveries
        ? engine.guard.tryWrite(() =>
            store.transition(t.id, 'failed', o.now, {
              leaseOwner: null,
              error: { code: 'CRASH_LOOP', message: `The service stopped while running this task ${n + 1} times in a row without progress; it will not be retried automatically. Retry it to try again.`, retryable: false },
              reason: { reason: 'crash-loop', recoveries: n },
            }, 'running'),
          )
        : engine.guard.tryWrite(() =>
            store.transition(t.id, 'queued', o.now, { leaseOwner: null, runAt: o.now, countRecovery: true, refundAttempt: true, reason: { reason: 'recovery', recoveries: n + 1 } }, 'running'),
          );
    if (r) engine.react(r);
  }
  engine.reevaluate();
}
