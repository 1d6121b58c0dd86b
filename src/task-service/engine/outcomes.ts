import type { Task } from '../../shared/task';
import type { TransitionResult } from '../store/types';
import { toTaskError } from './abort';
import { backoffDelay } from './backoff';
import { childrenFailed, isDbFault, skipIllegal, type EngineCore } from './core';
import type { Execution, Settle } from './execution';

/** What the outcome writer needs from the dispatcher. */
export interface OutcomeHooks {
  /** Claims the next due tasks inside the group's transaction (the slots just freed). */
  claimDue(): Task[];
  /** Launches what claimDue claimed, after the commit. */
  launchAll(claimed: Task[]): void;
  /** A run whose outcome committed leaves the running set. */
  finished(exec: Execution): void;
}

/**
 * Handler outcomes, written in groups: every outcome that arrives within one event-loop turn is
 * written in one transaction (group commit). Memory changes only after that commit; on a
 * database fault the whole group stays pending and the degraded probe retries it.
 */
export class OutcomeWriter {
  private settles: Settle[] = [];
  private flushScheduled = false;

  constructor(
    private readonly core: EngineCore,
    private readonly runs: OutcomeHooks,
  ) {}

  pending(): number {
    return this.settles.length;
  }

  /** Forgets every pending outcome (ownership lost: they are no longer ours to write). */
  drop(): void {
    this.settles = [];
  }

  enqueue(s: Settle): void {
    this.settles.push(s);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Writes every pending outcome in one transaction; on a database fault keeps them for the probe. */
  flush(): void {
    if (this.settles.length === 0) return;
    const { core } = this;
    const batch = this.settles;
    this.settles = [];
    const results: TransitionResult[] = [];
    let claimed: Task[] = [];
    try {
      core.guard.write(() =>
        core.o.store.batch(() => {
          results.length = 0;
          for (const s of batch) {
            const r = skipIllegal(() => this.apply(s));
            if (r) results.push(r);
          }
          // Same transaction, same turn: one commit per finished task at concurrency 1, not two.
          // The slots of these handlers are already free (their limiter jobs ended before this
          // flush ran), and cascades above (unblocked dependents) are visible to this claim.
          claimed = this.runs.claimDue();
        }),
      );
    } catch (e) {
      if (isDbFault(e)) {
        this.settles = batch.concat(this.settles);
        return;
      }
      throw e;
    }
    // These runs are over: out of the running set before react, which would otherwise abort
    // (and detach) every execution whose task left `running`.
    for (const s of batch) {
      if (s.exec) this.runs.finished(s.exec);
      core.coalescer.take(s.task.id); // committed with the outcome: send the final value, forget it
    }
    for (const r of results) core.react(r);
    this.runs.launchAll(claimed);
    core.publish();
  }

  private apply({ task, outcome }: Settle): TransitionResult {
    const { store, clock, registry, random, bootId } = this.core.o;
    const now = clock.now();
    const id = task.id;
    // Every write here holds only while the task is still leased to this boot: a process that
    // stalled past staleMs and was taken over must not overwrite the new owner's run (it gets
    // SERVICE_LOCKED, and skipIllegal drops this outcome with nothing written).
    const lease = { expectLease: bootId };
    // Read, not taken: if this transaction fails (disk full) the value must still be there for
    // the probe's retry; it is forgotten only after the commit (flush).
    const progress = this.core.coalescer.latest(id);
    if (progress) store.saveProgress(id, progress, now, { leaseOwner: bootId });
    if (outcome.ok) {
      const s = store.childSummary(id);
      const bad = (s.byState.failed ?? 0) + (s.byState.cancelled ?? 0);
      const open = s.total - bad - (s.byState.completed ?? 0);
      if (open > 0) return store.transition(id, 'waiting', now, { ...lease, result: outcome.result, leaseOwner: null }, 'running');
      if (bad > 0) return store.transition(id, 'failed', now, { ...lease, result: outcome.result, leaseOwner: null, error: childrenFailed(bad, s.total) }, 'running');
      return store.transition(id, 'completed', now, { ...lease, result: outcome.result, leaseOwner: null, error: null }, 'running');
    }
    if (outcome.abort === 'shutdown') {
      return store.transition(id, 'queued', now, { ...lease, leaseOwner: null, runAt: now, refundAttempt: true, reason: { reason: 'shutdown' } }, 'running');
    }
    const retryable = !outcome.info.permanent;
    const error = toTaskError(outcome.info, retryable);
    // Runs ended by shutdown, crash recovery or pause do not use up the budget (only read on
    // this failure path, never for a success).
    const failed = retryable ? store.failedAttempts(id) : task.attempt;
    if (retryable && failed < task.maxAttempts) {
      const delay = backoffDelay(failed, registry.has(task.type) ? registry.get(task.type).backoff : undefined, random);
      return store.transition(id, 'queued', now, { ...lease, error, runAt: now + delay, leaseOwner: null, reason: { reason: 'retry', attempt: task.attempt, failedAttempts: failed, delayMs: delay } }, 'running');
    }
    return store.transition(id, 'failed', now, { ...lease, error, leaseOwner: null }, 'running');
  }
}
