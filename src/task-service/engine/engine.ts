import { ServiceError } from '../../shared/errors';
import { spawnRequest, type SpawnRequest } from '../../shared/schemas';
import { isTerminal, type Task, type TaskProgress } from '../../shared/task';
import type { TaskStore, TransitionPatch, TransitionResult } from '../store/types';
import type { TaskState } from '../../shared/task';
import { abortKindOf, abortWith, describeThrown, toTaskError } from './abort';
import { backoffDelay } from './backoff';
import type { Clock, TimerHandle } from './clock';
import { ProgressCoalescer } from './coalescer';
import { makeContext, type ExecutionPorts } from './context';
import { DbGuard } from './db-guard';
import type { AbortKind, TaskDefinition } from './define';
import { DueTimer } from './due-timer';
import type { Execution, Outcome, Settle } from './execution';
import { ConcurrencyLimiter } from './limiter';
import type { TaskRegistry } from './registry';
import { WatchHub } from './watch';
import { runInWorker } from './worker-runner';
import { jsonProblem } from '../../shared/schemas';

/**
 * The scheduler: claims due tasks within the concurrency limits, runs their handlers, writes
 * their outcomes (several per transaction: group commit), and reacts to every committed change
 * (aborting handlers of tasks cancelled by a cascade, finishing parents, publishing events).
 *
 * Memory follows the database, never the other way round: nothing in memory changes and no
 * event is published until the store call that records it has committed; a failed write leaves
 * the outcome queued for the probe to retry.
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
  /** Recheck delay when due tasks exist but no slot is free for them (see armDueTimer). */
  recheckMs: number;
  onLog?: (taskId: string, message: string) => void;
}

const EVENT_PAGE = 1000;

export class Engine {
  readonly limiter: ConcurrencyLimiter;
  readonly hub: WatchHub;
  readonly guard: DbGuard;
  private readonly coalescer: ProgressCoalescer;
  private readonly dueTimer: DueTimer;
  private readonly executions = new Map<string, Execution>();
  private readonly zombies = new Map<string, Promise<void>>();
  private readonly handlers = new Set<Promise<void>>();
  private settles: Settle[] = [];
  private pumpScheduled = false;
  private flushScheduled = false;
  private probeTimer: TimerHandle | null = null;
  private claiming = false;
  private queuePaused = false;
  private publishedSeq = 0;
  private readonly completions: number[] = [];
  private readonly parentOf = new Map<string, string | null>();

  constructor(private readonly o: EngineOptions) {
    const per: Record<string, number> = {};
    for (const t of o.registry.types()) {
      const c = o.registry.get(t).concurrency;
      if (c !== undefined) per[t] = c;
    }
    this.limiter = new ConcurrencyLimiter(o.concurrency.global, { ...per, ...o.concurrency.perType });
    this.guard = new DbGuard(() => this.armProbe());
    this.dueTimer = new DueTimer(o.clock, () => this.schedulePump());
    this.hub = new WatchHub({
      replay: (after, limit) => this.o.store.eventsAfter(after, limit).map((event) => ({ event, task: this.o.store.find(event.taskId) ?? null })),
      publishedSeq: () => this.publishedSeq,
      parentOf: (id) => this.lookupParent(id),
    });
    this.coalescer = new ProgressCoalescer({
      clock: o.clock,
      emitMs: o.progress.emitMs,
      persistMs: o.progress.persistMs,
      emit: (taskId, progress, at) => this.hub.publishProgress({ kind: 'progress', taskId, progress, at }, this.publishedSeq),
      persist: (batch, at) => this.persistProgress(batch, at),
    });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Starts claiming (after recovery ran). */
  begin(): void {
    this.publishedSeq = this.o.store.lastSeq();
    this.claiming = true;
    this.schedulePump();
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
    this.dueTimer.disarm();
    for (const exec of this.executions.values()) abortWith(exec.controller, 'shutdown', 'Service shutting down');
    const all = Promise.all([...this.executions.values()].map((e) => e.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.flushSettles();
    const now = this.o.clock.now();
    for (const exec of [...this.executions.values()]) {
      this.detach(exec);
      this.tryWrite(() => this.o.store.transition(exec.task.id, 'queued', now, { leaseOwner: null, runAt: now, reason: { reason: 'shutdown' } }, 'running'));
    }
    this.coalescer.flushAll();
    this.coalescer.dispose();
    if (this.probeTimer !== null) this.o.clock.clearTimeout(this.probeTimer);
    this.publish();
    this.hub.closeAll();
  }

  // ---- scheduling --------------------------------------------------------------------------

  schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.isClaiming()) return;
    const capacity = this.limiter.capacity(this.o.registry.types());
    if (capacity.size > 0) {
      let claimed: Task[] = [];
      try {
        claimed = this.guard.write(() =>
          this.o.store.claim({ bootId: this.o.bootId, now: this.o.clock.now(), limit: this.limiter.free(), capacity }),
        );
      } catch {
        return; // degraded (guard armed the probe) or a store bug; nothing was claimed
      }
      for (const t of claimed) this.launch(t);
      if (claimed.length > 0) this.publish();
    }
    this.armDueTimer();
  }

  /**
   * One timer for the earliest queued runAt. If that moment has already passed, due tasks are
   * waiting for a slot (a finishing handler pumps again) — but a later-due task of another type
   * may hide behind them, so a slow recheck is armed instead of nothing.
   */
  armDueTimer(): void {
    if (!this.claiming) return;
    let next: number | null;
    try {
      next = this.guard.read(() => this.o.store.nextRunAt());
    } catch {
      return;
    }
    const now = this.o.clock.now();
    if (next === null) this.dueTimer.disarm();
    else this.dueTimer.arm(next > now ? next : now + this.o.recheckMs);
  }

  private launch(task: Task): void {
    this.parentOf.set(task.id, task.parentId);
    const def = this.o.registry.get(task.type);
    const exec: Execution = { task, controller: new AbortController(), detached: false, timeout: null, done: Promise.resolve() };
    this.executions.set(task.id, exec);
    const prior = this.zombies.get(task.id);
    const run = this.limiter.run(task.type, async () => {
      // A previous run whose result we ignore (cancelled, timed out) may still be going.
      if (prior) await prior;
      let outcome: Outcome;
      try {
        outcome = { ok: true, result: (await this.invoke(def, exec)) ?? null };
      } catch (e) {
        outcome = { ok: false, info: describeThrown(e), abort: abortKindOf(exec.controller.signal) };
      }
      if (exec.timeout !== null) this.o.clock.clearTimeout(exec.timeout);
      if (!exec.detached) this.enqueueSettle({ task: exec.task, outcome });
    });
    exec.done = run.then(
      () => undefined,
      () => undefined,
    );
    this.handlers.add(exec.done);
    void exec.done.then(() => {
      this.handlers.delete(exec.done);
      if (this.zombies.get(task.id) === exec.done) this.zombies.delete(task.id);
      if (this.executions.get(task.id) === exec && exec.detached) this.executions.delete(task.id);
      this.schedulePump();
    });
  }

  private async invoke(def: TaskDefinition, exec: Execution): Promise<unknown> {
    const { task } = exec;
    const input = this.o.registry.parseInput(task.type, task.input);
    const checkpoint = this.guard.read(() => this.o.store.getCheckpoint(task.id)) ?? null;
    if (def.timeoutMs !== undefined) exec.timeout = this.o.clock.setTimeout(() => this.onTimeout(exec, def.timeoutMs!), def.timeoutMs);
    const ports = this.portsFor(exec);
    if (def.runIn === 'worker') return runInWorker(def, task, input, checkpoint, exec.controller.signal, ports, this.o.workerGraceMs);
    return def.run(makeContext(task, input, checkpoint, exec.controller.signal, ports));
  }

  private onTimeout(exec: Execution, ms: number): void {
    exec.timeout = null;
    if (exec.detached) return;
    abortWith(exec.controller, 'timeout', `Task timed out after ${ms} ms`);
    this.detach(exec);
    this.enqueueSettle({
      task: exec.task,
      outcome: { ok: false, abort: 'timeout', info: { name: 'TimeoutError', code: 'TIMEOUT', message: `Task exceeded its timeout of ${ms} ms`, permanent: false } },
    });
  }

  private detach(exec: Execution): void {
    if (exec.detached) return;
    exec.detached = true;
    if (exec.timeout !== null) this.o.clock.clearTimeout(exec.timeout);
    exec.timeout = null;
    if (this.executions.get(exec.task.id) === exec) this.executions.delete(exec.task.id);
    if (this.handlers.has(exec.done)) this.zombies.set(exec.task.id, exec.done);
  }

  private portsFor(exec: Execution): ExecutionPorts {
    const id = exec.task.id;
    const gone = (): ServiceError => new ServiceError('CONFLICT', `Task ${id} is no longer running under this handler`);
    return {
      progress: (p) => {
        if (!exec.detached) this.coalescer.report(id, p, exec.task.progress);
      },
      saveCheckpoint: async (state) => {
        if (exec.detached) throw gone();
        const problem = jsonProblem(state);
        if (problem) throw new ServiceError('BAD_INPUT', `Checkpoint ${problem}`);
        this.guard.write(() => this.o.store.saveCheckpoint(id, state, this.o.clock.now()));
        this.publish();
      },
      spawn: async (children: SpawnRequest[]) => {
        if (exec.detached) throw gone();
        for (const c of children) {
          const r = spawnRequest.safeParse(c);
          if (!r.success) throw new ServiceError('BAD_INPUT', `Child ${String((c as { key?: unknown }).key)}: ${r.error.issues.map((i) => i.message).join('; ')}`);
          this.o.registry.parseInput(c.type, c.input);
        }
        const withDefaults = children.map((c) => ({ ...c, maxAttempts: c.maxAttempts ?? this.o.registry.get(c.type).maxAttempts }));
        const created = this.guard.write(() => this.o.store.spawn(id, withDefaults.map(stripUndefined), this.o.clock.now()));
        for (const c of created) this.parentOf.set(c.task.id, id);
        this.publish();
        this.schedulePump();
        return created.map((c) => c.task);
      },
      log: (message) => this.o.onLog?.(id, message),
    };
  }

  // ---- outcomes (group commit) -------------------------------------------------------------

  private enqueueSettle(s: Settle): void {
    this.settles.push(s);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushSettles();
    });
  }

  /** Writes every pending outcome in one transaction; on a database fault keeps them for the probe. */
  flushSettles(): void {
    if (this.settles.length === 0) return;
    const batch = this.settles;
    this.settles = [];
    const results: TransitionResult[] = [];
    try {
      this.guard.write(() =>
        this.o.store.batch(() => {
          results.length = 0;
          for (const s of batch) {
            const r = this.skipIllegal(() => this.applyOutcome(s));
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
    for (const r of results) this.react(r);
    this.publish();
    // Slots of these handlers are already free (the limiter job ended before this flush), so
    // claim the next tasks now rather than one more event-loop turn later.
    this.pump();
  }

  private applyOutcome({ task, outcome }: Settle): TransitionResult {
    const { store, clock } = this.o;
    const now = clock.now();
    const id = task.id;
    const progress = this.coalescer.take(id);
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
      const delay = backoffDelay(task.attempt, this.o.registry.has(task.type) ? this.o.registry.get(task.type).backoff : undefined, this.o.random);
      return store.transition(id, 'queued', now, { error, runAt: now + delay, leaseOwner: null, reason: { reason: 'retry', attempt: task.attempt, delayMs: delay } }, 'running');
    }
    return store.transition(id, 'failed', now, { error, leaseOwner: null }, 'running');
  }

  /** A task changed meanwhile (e.g. cancelled by a cascade): its outcome no longer applies. */
  private skipIllegal<T>(fn: () => T): T | null {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ServiceError && (e.code === 'ILLEGAL_TRANSITION' || e.code === 'CONFLICT' || e.code === 'NOT_FOUND')) return null;
      throw e;
    }
  }

  // ---- reactions to committed changes ------------------------------------------------------

  /** Brings memory in line with a committed transition and its cascade. */
  react(r: TransitionResult): void {
    const parents = new Set<string>();
    const now = this.o.clock.now();
    for (const t of [r.task, ...r.affected]) {
      this.parentOf.set(t.id, t.parentId);
      if (t.state === 'completed') this.completions.push(now);
      const exec = this.executions.get(t.id);
      if (exec && t.state !== 'running') {
        this.detach(exec);
        abortWith(exec.controller, stateAbortKind(t.state), `Task ${t.state}`);
      }
      if (t.state !== 'running') this.coalescer.drop(t.id);
      if (t.parentId && isTerminal(t.state)) parents.add(t.parentId);
    }
    for (const p of parents) this.checkParent(p);
  }

  /** A waiting parent whose children are all terminal completes (or fails); else shows their progress. */
  checkParent(parentId: string): void {
    const { store, clock } = this.o;
    const p = this.tryRead(() => store.find(parentId));
    if (!p || p.state !== 'waiting') return;
    const s = store.childSummary(parentId);
    const bad = (s.byState.failed ?? 0) + (s.byState.cancelled ?? 0);
    const done = bad + (s.byState.completed ?? 0);
    if (done < s.total) {
      this.coalescer.report(parentId, { ratio: s.ratio, message: `${done} of ${s.total} children finished` }, p.progress);
      return;
    }
    const now = clock.now();
    const r = this.tryWrite(() =>
      store.batch(() => {
        store.saveProgress(parentId, { ratio: bad > 0 ? s.ratio : 1, message: `${done} of ${s.total} children finished`, current: done, total: s.total }, now);
        return bad > 0
          ? store.transition(parentId, 'failed', now, { error: childrenFailed(bad, s.total) }, 'waiting')
          : store.transition(parentId, 'completed', now, { error: null }, 'waiting');
      }),
    );
    if (r) this.react(r);
  }

  private persistProgress(batch: Array<[string, TaskProgress]>, at: number): void {
    this.guard.write(() =>
      this.o.store.batch(() => {
        for (const [id, p] of batch) this.skipIllegal(() => this.o.store.saveProgress(id, p, at));
      }),
    );
    // Parents aggregate persisted child progress.
    const parents = new Set<string>();
    for (const [id] of batch) {
      const p = this.parentOf.get(id);
      if (p) parents.add(p);
    }
    for (const p of parents) this.checkParent(p);
  }

  /** Publishes every committed journal event not yet published, in seq order. */
  publish(): void {
    try {
      if (this.hub.size() === 0) {
        this.publishedSeq = this.o.store.lastSeq();
        return;
      }
      for (;;) {
        const events = this.o.store.eventsAfter(this.publishedSeq, EVENT_PAGE);
        const tasks = new Map<string, Task | null>();
        for (const ev of events) {
          if (!tasks.has(ev.taskId)) tasks.set(ev.taskId, this.o.store.find(ev.taskId) ?? null);
          this.publishedSeq = ev.seq;
          this.hub.publishEvent(ev, tasks.get(ev.taskId) ?? null);
        }
        if (events.length < EVENT_PAGE) return;
      }
    } catch {
      // A read failed (I/O error): the next publish continues from publishedSeq; nothing lost.
    }
  }

  // ---- database faults ---------------------------------------------------------------------

  private armProbe(): void {
    if (this.probeTimer !== null) return;
    this.probeTimer = this.o.clock.setTimeout(() => {
      this.probeTimer = null;
      this.probe();
    }, this.o.probeMs);
  }

  /** While degraded: retry the pending outcomes, or a heartbeat write; on success resume. */
  private probe(): void {
    if (this.guard.degraded() === null) return;
    try {
      if (this.settles.length > 0) this.flushSettles();
      else this.guard.write(() => this.o.store.heartbeat(this.o.bootId, this.o.clock.now()));
    } catch {
      // still failing
    }
    if (this.guard.degraded() !== null) {
      this.armProbe();
      return;
    }
    this.reevaluate();
    this.schedulePump();
  }

  tryWrite<T>(fn: () => T): T | null {
    try {
      return this.skipIllegal(() => this.guard.write(fn));
    } catch (e) {
      if (isDbFault(e)) return null;
      throw e;
    }
  }

  private tryRead<T>(fn: () => T): T | null {
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

  // ---- re-evaluation (start, recovery from a fault) ----------------------------------------

  /** Blocked tasks whose dependencies settled move on; waiting parents with settled children finish. */
  reevaluate(): void {
    const { store, clock } = this.o;
    for (const state of ['blocked', 'waiting'] as const) {
      let cursor: string | undefined;
      do {
        const page = this.tryRead(() => store.list(cursor === undefined ? { states: [state], limit: 200 } : { states: [state], limit: 200, cursor }));
        if (!page) return;
        for (const t of page.items) {
          if (state === 'waiting') {
            this.checkParent(t.id);
            continue;
          }
          const deps = t.dependsOn.map((d) => store.find(d));
          const dead = deps.find((d) => !d || d.state === 'failed' || d.state === 'cancelled');
          const now = clock.now();
          let r: TransitionResult | null = null;
          if (dead !== undefined)
            r = this.tryWrite(() => store.transition(t.id, 'cancelled', now, { error: { code: 'DEPENDENCY_FAILED', message: `Dependency ${dead?.id ?? '(removed)'} did not complete`, retryable: false }, reason: { reason: 'dependency', dependency: dead?.id ?? null } }, 'blocked'));
          else if (deps.every((d) => d?.state === 'completed')) r = this.tryWrite(() => store.transition(t.id, 'queued', now, {}, 'blocked'));
          if (r) this.react(r);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    this.publish();
  }

  // ---- control operations ------------------------------------------------------------------

  /** Runs a user-initiated change (with the task's latest progress saved in the same transaction). */
  change(id: string, to: TaskState, patch: TransitionPatch, expectFrom?: TaskState | TaskState[]): Task {
    const { store, clock } = this.o;
    const now = clock.now();
    const r = this.guard.write(() =>
      store.batch(() => {
        const latest = this.coalescer.latest(id);
        if (latest && this.executions.has(id)) store.saveProgress(id, latest, now);
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

  setQueuePaused(paused: boolean): void {
    this.queuePaused = paused;
    if (!paused) this.schedulePump();
  }

  queueIsPaused(): boolean {
    return this.queuePaused;
  }

  runningCount(): number {
    return this.executions.size;
  }

  /** Completions in the last `windowMs`. */
  throughput(windowMs = 60_000): number {
    const since = this.o.clock.now() - windowMs;
    while (this.completions.length > 0 && this.completions[0]! < since) this.completions.shift();
    return this.completions.length;
  }

  /** True while any handler (including ignored ones) has not settled. */
  busy(): boolean {
    return this.handlers.size > 0 || this.settles.length > 0 || this.coalescer.pendingCount() > 0;
  }

  forgetProgress(id: string): void {
    this.coalescer.drop(id);
  }
}

function stateAbortKind(state: TaskState): AbortKind {
  return state === 'paused' ? 'pause' : 'cancel';
}

function childrenFailed(bad: number, total: number): { code: string; message: string; retryable: boolean } {
  return { code: 'CHILDREN_FAILED', message: `${bad} of ${total} children failed or were cancelled; retry the parent to retry them`, retryable: true };
}

function isDbFault(e: unknown): boolean {
  return e instanceof ServiceError && (e.code === 'DISK_FULL' || e.code === 'DB_UNAVAILABLE');
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
