import type { Task, TaskState } from '../../shared/task';
import type { TaskStore, TransitionPatch, TransitionResult } from '../store/types';
import { abortWith } from './abort';
import type { Clock } from './clock';
import { ProgressCoalescer } from './coalescer';
import { DbGuard } from './db-guard';
import { FaultProbe } from './faults';
import { ConcurrencyLimiter } from './limiter';
import { NetworkState } from './network';
import { ParentIndex } from './parents';
import { Publisher } from './publisher';
import type { TaskRegistry } from './registry';
import { Runner } from './runner';
import { Settler } from './settler';
import { WatchHub } from './watch';

/**
 * The scheduler. A task's life reads top to bottom in two files: runner.ts claims it and runs
 * its handler, settler.ts writes how the run ended (deciding with next-state.ts) and settles
 * parents and dependents. This file wires them with their collaborators (passed explicitly,
 * no shared "core" object), and holds the engine's lifecycle and the user's control changes.
 *
 * Memory follows the database, never the other way round: nothing in memory changes and no
 * event is published until the store call that records it has committed; a failed write leaves
 * the outcome queued for the probe (faults.ts) to retry.
 */

export interface EngineOptions {
  store: TaskStore;
  registry: TaskRegistry;
  clock: Clock;
  random: () => number;
  bootId: string;
  concurrency: { global: number; perType?: Record<string, number> };
  progress: { persistMs: number; emitMs: number };
  /** How often a degraded engine tries a write to see whether the database recovered. */
  probeMs: number;
  /** How long a worker that ignores its abort may run before it is terminated. */
  workerGraceMs: number;
  onLog?: (taskId: string, message: string) => void;
  /** Worker-thread entry (path or file URL); default: see worker/worker-path.ts. */
  workerEntry?: string;
  /** Durable events buffered per watch subscription before it is ended (default 10,000). */
  watchBacklog?: number;
  /** What the host last reported about connectivity (default online); see network.ts. */
  online?: boolean;
}

/** Settings key of the persisted queue-wide pause. */
const QUEUE_PAUSED = 'queue.paused';

export class Engine {
  readonly limiter: ConcurrencyLimiter;
  readonly hub: WatchHub;
  readonly guard: DbGuard;
  readonly network: NetworkState;
  private readonly coalescer: ProgressCoalescer;
  private readonly parents = new ParentIndex();
  private readonly runner: Runner;
  private readonly settler: Settler;
  private readonly publisher: Publisher;
  private readonly probe: FaultProbe;
  private readonly completions: number[] = [];
  private claiming = false;
  private queuePaused = false;
  private lost = false;

  constructor(private readonly o: EngineOptions) {
    const { store, registry, clock, bootId } = o;
    const per: Record<string, number> = {};
    for (const t of registry.types()) {
      const c = registry.get(t).concurrency;
      if (c !== undefined) per[t] = c;
    }
    this.limiter = new ConcurrencyLimiter(o.concurrency.global, { ...per, ...o.concurrency.perType });
    this.guard = new DbGuard(() => this.probe.arm());
    // Back online: network types that waited in queued are claimable again.
    this.network = new NetworkState(o.online ?? true, (online) => {
      if (online) this.schedulePump();
    });
    this.hub = new WatchHub(
      {
        replay: (after, limit) => store.eventsAfter(after, limit).map((event) => ({ event, task: store.find(event.taskId) ?? null })),
        publishedSeq: () => this.publisher.publishedSeq(),
        parentOf: (id) => this.lookupParent(id),
      },
      o.watchBacklog,
    );
    this.publisher = new Publisher(store, this.hub);
    this.coalescer = new ProgressCoalescer({
      clock,
      emitMs: o.progress.emitMs,
      persistMs: o.progress.persistMs,
      emit: (taskId, progress, at) => this.hub.publishProgress({ kind: 'progress', taskId, progress, at }, this.publisher.publishedSeq()),
      persist: (batch, at) => this.settler.persistProgress(batch, at),
    });
    const { guard, coalescer, parents, limiter, network } = this;
    const publish = (): void => this.publish();
    this.runner = new Runner({
      store, registry, clock, bootId, limiter, network, guard, coalescer, parents,
      workerGraceMs: o.workerGraceMs,
      workerEntry: o.workerEntry,
      onLog: o.onLog,
      canClaim: () => this.isClaiming(),
      ownerLost: () => this.lost,
      settle: (s) => this.settler.enqueue(s),
      publish,
    });
    this.settler = new Settler({
      store, registry, clock, bootId, guard, coalescer, parents,
      random: o.random,
      runner: this.runner,
      network,
      publish,
      completed: (at) => this.completions.push(at),
    });
    this.probe = new FaultProbe(
      { store, guard, clock, probeMs: o.probeMs },
      () => this.settler.pending(),
      () => this.settler.flush(),
      () => {
        this.settler.reevaluate();
        this.schedulePump();
      },
    );
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Checks what start needs; throws before anything is written. */
  preflight(): void {
    // A missing worker entry (a build that did not emit it) fails the start, not a task later.
    if (this.o.registry.types().some((t) => this.o.registry.get(t).runIn === 'worker')) this.runner.workerEntry();
  }

  /** Starts claiming (after recovery ran). */
  begin(): void {
    this.queuePaused = this.o.store.settings.get(QUEUE_PAUSED) === true;
    this.publisher.reset();
    this.claiming = true;
    this.runner.start();
  }

  private isClaiming(): boolean {
    return this.claiming && !this.queuePaused && this.guard.degraded() === null;
  }

  /**
   * Graceful stop: no more claims, handlers aborted with 'shutdown', a bounded wait (real time:
   * it bounds real handlers), then every task still running goes back to queued, not failed.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.claiming = false;
    this.runner.halt();
    const running = this.runner.running();
    for (const exec of running) abortWith(exec.controller, 'shutdown', 'Service shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running.map((e) => e.done)), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.settler.flush();
    const now = this.o.clock.now();
    for (const exec of this.runner.running()) {
      this.runner.detach(exec);
      this.guard.tryWrite(() =>
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
    this.runner.halt();
    for (const exec of this.runner.running()) {
      this.runner.detach(exec);
      abortWith(exec.controller, 'shutdown', 'Another task service took over this database');
    }
    this.settler.drop();
    this.coalescer.dispose();
    this.coalescer.dropAll();
    this.probe.dispose();
  }

  /**
   * Resolves once the engine has no work queued for the next event-loop turns: no pump and no
   * group commit scheduled, for two turns in a row (work that a handler's promise chain
   * schedules shows up within one). Handlers may still be running, blocked on their own work;
   * timers (due tasks, backoff, the probe, progress) are not waited for. Tests use it before
   * asserting that something did NOT happen, instead of counting setImmediate rounds.
   */
  async whenIdle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      await new Promise<void>((r) => setImmediate(r));
      quiet = this.runner.pumpPending() || this.settler.flushPending() ? 0 : quiet + 1;
    }
  }

  // ---- what the service's own jobs (recovery, user retry) need -----------------------------

  schedulePump(): void {
    this.runner.schedulePump();
  }

  /** Brings memory in line with a committed transition and its cascade. */
  react(r: TransitionResult): void {
    this.settler.react(r);
  }

  /** A waiting parent whose children all settled finishes. */
  checkParent(id: string): void {
    this.settler.checkParent(id);
  }

  /** Blocked tasks whose dependencies settled move on; waiting parents with settled children finish. */
  reevaluate(): void {
    this.settler.reevaluate();
  }

  /** Publishes every committed journal event not yet published. */
  publish(): void {
    this.publisher.publish();
  }

  private lookupParent(id: string): string | null | undefined {
    if (this.parents.has(id)) return this.parents.get(id);
    const t = this.guard.tryRead(() => this.o.store.find(id));
    if (t) this.parents.note(t); // kept only while live (ParentIndex)
    return t?.parentId;
  }

  // ---- control operations ------------------------------------------------------------------

  /** Runs a user-initiated change (with the task's latest progress saved in the same transaction). */
  change(id: string, to: TaskState, patch: TransitionPatch, expectFrom?: TaskState | TaskState[]): Task {
    const { store, clock } = this.o;
    const now = clock.now();
    const r = this.guard.write(() =>
      store.batch(() => {
        const latest = this.coalescer.latest(id);
        if (latest && this.runner.get(id)) store.saveProgress(id, latest, now, { leaseOwner: this.o.bootId });
        return store.transition(id, to, now, patch, expectFrom);
      }),
    );
    this.react(r);
    this.publish();
    this.schedulePump();
    return r.task;
  }

  /** The task left the database: memory lets go of it too. */
  forget(id: string): void {
    this.coalescer.drop(id);
    this.parents.forget(id);
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
    return this.runner.size();
  }

  /** Tasks whose parent the engine keeps in memory (live ones only). */
  trackedParents(): number {
    return this.parents.size();
  }

  /** Completions in the last `windowMs`. */
  throughput(windowMs = 60_000): number {
    const since = this.o.clock.now() - windowMs;
    while (this.completions.length > 0 && this.completions[0]! < since) this.completions.shift();
    return this.completions.length;
  }

  /** True while any handler (including ignored ones) has not settled. */
  busy(): boolean {
    return this.runner.busy() || this.settler.pending() > 0 || this.coalescer.pendingCount() > 0;
  }
}
