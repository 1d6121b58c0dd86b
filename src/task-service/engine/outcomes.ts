import type { TransitionResult } from '../store/types';
import { toTaskError } from './abort';
import { backoffDelay } from './backoff';
import { childrenFailed, isDbFault, skipIllegal, type EngineCore } from './core';
import type { Settle } from './execution';

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
    /** Runs after a group committed: the freed slots can take the next tasks. */
    private readonly afterFlush: () => void,
  ) {}

  pending(): number {
    return this.settles.length;
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
    try {
      core.guard.write(() =>
        core.o.store.batch(() => {
          results.length = 0;
          for (const s of batch) {
            const r = skipIllegal(() => this.apply(s));
            if (r) results.push(r);
          }
        }),
      );
    } catch (e) {
      if (isDbFault(e)) {
        this.settles = batch.concat(this.settles);
        return;
      }
      throw e;
    }
    for (const r of results) core.react(r);
    core.publish();
    // Slots of these handlers are already free (the limiter job ended before this flush), so
    // claim the next tasks now rather than one more event-loop turn later.
    this.afterFlush();
  }

  private apply({ task, outcome }: Settle): TransitionResult {
    const { store, clock, registry, random } = this.core.o;
    const now = clock.now();
    const id = task.id;
    const progress = this.core.coalescer.take(id);
    if (progress) store.saveProgress(id, progress, now);
    if (outcome.ok) {
      const s = store.childSummary(id);
      const bad = (s.byState.failed ?? 0) + (s.byState.cancelled ?? 0);
      const open = s.total - bad - (s.byState.completed ?? 0);
      if (open > 0) return store.transition(id, 'waiting', now, { result: outcome.result, leaseOwner: null }, 'running');
      if (bad > 0) return store.transition(id, 'failed', now, { result: outcome.result, leaseOwner: null, error: childrenFailed(bad, s.total) }, 'running');
      return store.transition(id, 'completed', now, { result: outcome.result, leaseOwner: null, error: null }, 'running');
    }
    if (outcome.abort === 'shutdown') {
      return store.transition(id, 'queued', now, { leaseOwner: null, runAt: now, reason: { reason: 'shutdown' } }, 'running');
    }
    const retryable = !outcome.info.permanent;
    const error = toTaskError(outcome.info, retryable);
    if (retryable && task.attempt < task.maxAttempts) {
      const delay = backoffDelay(task.attempt, registry.has(task.type) ? registry.get(task.type).backoff : undefined, random);
      return store.transition(id, 'queued', now, { error, runAt: now + delay, leaseOwner: null, reason: { reason: 'retry', attempt: task.attempt, delayMs: delay } }, 'running');
    }
    return store.transition(id, 'failed', now, { error, leaseOwner: null }, 'running');
  }
}
