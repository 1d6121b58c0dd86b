import type { Task, TaskState } from '../../shared/task';
import type { TransitionPatch, TransitionResult } from '../store/types';
import { abortWith } from './abort';
import { ProgressCoalescer } from './coalescer';
import { isDbFault, skipIllegal, type EngineCore, type EngineOptions } from './core';
import { DbGuard } from './db-guard';
import { Dispatcher } from './dispatch';
import { FaultProbe } from './faults';
import { OutcomeWriter } from './outcomes';
import { Publisher } from './publisher';
import { react } from './reactions';
import { persistProgress, reevaluate } from './settlement';
import { ConcurrencyLimiter } from './limiter';
import { WatchHub } from './watch';

export type { EngineOptions } from './core';

/** Settings key of the persisted queue-wide pause. */
const QUEUE_PAUSED = 'queue.paused';

/**
 * The scheduler, composed of its parts (see core.ts): claims due tasks within the concurrency
 * limits, runs their handlers, writes their outcomes in groups, and reacts to every committed
 * change (aborting handlers of tasks cancelled by a cascade, finishing parents, publishing).
 *
 * Memory follows the database, never the other way round: nothing in memory changes and no
 * event is published until the store call that records it has committed; a failed write leaves
 * the outcome queued for the probe to retry.
 */
export class Engine implements EngineCore {
  readonly limiter: ConcurrencyLimiter;
  readonly hub: WatchHub;
  readonly guard: DbGuard;
  readonly coalescer: ProgressCoalescer;
  readonly parentOf = new Map<string, string | null>();
  private readonly dispatch: Dispatcher;
  private readonly outcomes: OutcomeWriter;
  private readonly publisher: Publisher;
  private readonly probe: FaultProbe;
  private readonly completions: number[] = [];
  private claiming = false;
  private queuePaused = false;
  private lost = false;

  constructor(readonly o: EngineOptions) {
    const per: Record<string, number> = {};
    for (const t of o.registry.types()) {
      const c = o.registry.get(t).concurrency;
      if (c !== undefined) per[t] = c;
    }
    this.limiter = new ConcurrencyLimiter(o.concurrency.global, { ...per, ...o.concurrency.perType });
    this.guard = new DbGuard(() => this.probe.arm());
    this.hub = new WatchHub({
      replay: (after, limit) => o.store.eventsAfter(after, limit).map((event) => ({ event, task: o.store.find(event.taskId) ?? null })),
      publishedSeq: () => this.publisher.publishedSeq(),
      parentOf: (id) => this.lookupParent(id),
    }, o.watchBacklog);
    this.publisher = new Publisher(o.store, this.hub);
    this.coalescer = new ProgressCoalescer({
      clock: o.clock,
      emitMs: o.progress.emitMs,
      persistMs: o.progress.persistMs,
      emit: (taskId, progress, at) => this.hub.publishProgress({ kind: 'progress', taskId, progress, at }, this.publisher.publishedSeq()),
      persist: (batch, at) => persistProgress(this, batch, at),
    });
    this.outcomes = new OutcomeWriter(this, {
      claimDue: () => this.dispatch.claimDue(),
      launchAll: (claimed) => this.dispatch.launchAll(claimed),
      finished: (exec) => this.dispatch.finished(exec),
    });
    this.dispatch = new Dispatcher(this, (s) => this.outcomes.enqueue(s));
    this.probe = new FaultProbe(
      this,
      () => this.outcomes.pending(),
      () => this.outcomes.flush(),
      () => {
        reevaluate(this);
        this.schedulePump();
      },
    );
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Checks what start needs; throws before anything is written. */
  preflight(): void {
    // A missing worker entry (a build that did not emit it) fails the start, not a task later.
    if (this.o.registry.types().some((t) => this.o.registry.get(t).runIn === 'worker')) this.dispatch.workerEntry();
  }

  /** Starts claiming (after recovery ran). */
  begin(): void {
    this.queuePaused = this.o.store.settings.get(QUEUE_PAUSED) === true;
    this.publisher.reset();
    this.claiming = true;
    this.dispatch.active = true;
    this.schedulePump();
  }

  ownerLost(): boolean {
    return this.lost;
  }

  isClaiming(): boolean {
    return this.claiming && !this.queuePaused && this.guard.degraded() === null;
  }

  /**
   * Graceful stop: no more claims, handlers aborted with 'shutdown', a bounded wait (real time:
   * it bounds real handlers), then every task still running goes back to queued, not failed.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.claiming = false;
    this.dispatch.active = false;
    this.dispatch.dueTimer.disarm();
    const running = [...this.dispatch.executions.values()];
    for (const exec of running) abortWith(exec.controller, 'shutdown', 'Service shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running.map((e) => e.done)), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.outcomes.flush();
    const now = this.o.clock.now();
    for (const exec of [...this.dispatch.executions.values()]) {
      this.dispatch.detach(exec);
      this.tryWrite(() =>
        this.o.store.transition(exec.task.id, 'queued', now, { expectLease: this.o.bootId, leaseOwner: null, runAt: now, refundAttempt: true, reason: { reason: 'shutdown' } }, 'running'),
      );
    }
    this.coalescer.flushAll();
    this.coalescer.dispose();
    this.probe.dispose();
    this.publish();
    this.hub.closeAll();
  }

  /**
   * Another process took the database over (our heartbeat went stale, e.g. after a long stall):
   * the tasks we were running are its now. Stop claiming for good, abort every handler with
   * kind 'shutdown' and ignore whatever they still do; pending outcomes and progress are
   * dropped, never written: the new owner recovered those tasks and may be running them.
   */
  relinquish(): void {
    this.lost = true;
    this.claiming = false;
    this.dispatch.active = false;
    this.dispatch.dueTimer.disarm();
    for (const exec of [...this.dispatch.executions.values()]) {
      this.dispatch.detach(exec);
      abortWith(exec.controller, 'shutdown', 'Another task service took over this database');
    }
    this.outcomes.drop();
    this.coalescer.dispose();
    this.coalescer.dropAll();
    this.probe.dispose();
  }

  // ---- shared by the parts (EngineCore) ----------------------------------------------------

  schedulePump(): void {
    this.dispatch.schedulePump();
  }

  react(r: TransitionResult): void {
    react(this, this.dispatch, this.completions, r);
  }

  publish(): void {
    this.publisher.publish();
  }

  tryWrite<T>(fn: () => T): T | null {
    try {
      return skipIllegal(() => this.guard.write(fn));
    } catch (e) {
      if (isDbFault(e)) return null;
      throw e;
    }
  }

  tryRead<T>(fn: () => T): T | null {
    try {
      return this.guard.read(fn);
    } catch (e) {
      if (isDbFault(e)) return null;
      throw e;
    }
  }

  private lookupParent(id: string): string | null | undefined {
    if (this.parentOf.has(id)) return this.parentOf.get(id);
    const t = this.tryRead(() => this.o.store.find(id));
    if (t) this.parentOf.set(id, t.parentId);
    return t?.parentId;
  }

  /** Blocked tasks whose dependencies settled move on; waiting parents with settled children finish. */
  reevaluate(): void {
    reevaluate(this);
  }

  // ---- control operations ------------------------------------------------------------------

  /** Runs a user-initiated change (with the task's latest progress saved in the same transaction). */
  change(id: string, to: TaskState, patch: TransitionPatch, expectFrom?: TaskState | TaskState[]): Task {
    const { store, clock } = this.o;
    const now = clock.now();
    const r = this.guard.write(() =>
      store.batch(() => {
        const latest = this.coalescer.latest(id);
        if (latest && this.dispatch.executions.has(id)) store.saveProgress(id, latest, now, { leaseOwner: this.o.bootId });
        return store.transition(id, to, now, patch, expectFrom);
      }),
    );
    this.react(r);
    this.publish();
    this.schedulePump();
    return r.task;
  }

  /** Depends-on all completed? */
  depsMet(t: Task): boolean {
    return t.dependsOn.every((d) => this.o.store.find(d)?.state === 'completed');
  }

  /**
   * Queue-wide pause, persisted (settings table) so a paused queue stays paused across a
   * restart. Written before memory changes: on a database fault this throws and nothing changed.
   */
  setQueuePaused(paused: boolean, persist = true): void {
    if (persist) this.guard.write(() => this.o.store.settings.set(QUEUE_PAUSED, paused, this.o.clock.now()));
    this.queuePaused = paused;
    if (!paused) this.schedulePump();
  }

  queueIsPaused(): boolean {
    return this.queuePaused;
  }

  runningCount(): number {
    return this.dispatch.executions.size;
  }

  /** Completions in the last `windowMs`. */
  throughput(windowMs = 60_000): number {
    const since = this.o.clock.now() - windowMs;
    while (this.completions.length > 0 && this.completions[0]! < since) this.completions.shift();
    return this.completions.length;
  }

  /** True while any handler (including ignored ones) has not settled. */
  busy(): boolean {
    return this.dispatch.handlers.size > 0 || this.outcomes.pending() > 0 || this.coalescer.pendingCount() > 0;
  }

  forgetProgress(id: string): void {
    this.coalescer.drop(id);
  }
}
