import { ServiceError } from '../../shared/errors';
import { jsonProblem, LIMITS, spawnRequest, type SpawnRequest } from '../../shared/schemas';
import type { Task } from '../../shared/task';
import type { RunGuard, TaskStore } from '../store/types';
import { abortKindOf, abortWith, describeThrown } from './abort';
import type { Clock, TimerHandle } from './clock';
import type { ProgressCoalescer } from './coalescer';
import { makeContext, type ExecutionPorts } from './context';
import type { DbGuard } from './db-guard';
import type { TaskDefinition } from './define';
import { DueTimer } from './due-timer';
import type { ConcurrencyLimiter } from './limiter';
import type { Outcome } from './next-state';
import type { NetworkState } from './network';
import type { ParentIndex } from './parents';
import type { TaskRegistry } from './registry';
import { checkWorkerEntry, resolveWorkerEntry } from './worker/worker-path';
import { runInWorker } from './worker/worker-runner';

/** Longer log lines are cut: a tool's output must not bloat the journal. */
const LOG_LINE_CHARS = 2000;

/**
 * A task's life, part 1 of 2 (claim and run; settler.ts writes how it ended): claims due tasks
 * within the concurrency limits, runs each handler in its limiter slot with its ctx, and hands
 * every outcome to `settle` (the settler's group commit). Owns the running set: a detached run
 * (fate decided: cancel, pause, timeout, shutdown) keeps its slot until its handler really
 * returns, and a new run of the same task waits for it, so one task never runs twice at once.
 */

/**
 * One run of one task's handler. `detached` means the engine has already decided the task's
 * fate and ignores whatever the handler does from now on.
 */
export interface Execution {
  readonly task: Task;
  readonly controller: AbortController;
  detached: boolean;
  timeout: TimerHandle | null;
  /** Settles (never rejects) when the handler has returned or thrown. */
  done: Promise<void>;
  /** NetworkState.epoch() at launch: did an outage begin during this run? */
  readonly netEpoch: number;
}

/** An outcome waiting to be written; `exec` leaves the running set once it is committed. */
export interface Settle {
  task: Task;
  outcome: Outcome;
  exec?: Execution;
}

export interface RunnerDeps {
  store: TaskStore;
  registry: TaskRegistry;
  clock: Clock;
  bootId: string;
  limiter: ConcurrencyLimiter;
  network: NetworkState;
  guard: DbGuard;
  coalescer: ProgressCoalescer;
  parents: ParentIndex;
  workerGraceMs: number;
  workerEntry?: string | undefined;
  onLog?: ((taskId: string, message: string) => void) | undefined;
  /** True while claims are allowed (started, queue not paused, not degraded, owner). */
  canClaim(): boolean;
  /** True once another process took the database over. */
  ownerLost(): boolean;
  /** The settler's group commit. */
  settle(s: Settle): void;
  publish(): void;
}

export class Runner {
  private readonly executions = new Map<string, Execution>();
  private readonly zombies = new Map<string, Promise<void>>();
  private readonly handlers = new Set<Promise<void>>();
  private readonly dueTimer: DueTimer;
  private pumpScheduled = false;
  /** False once stopped: nothing re-arms timers after stop(). */
  private active = false;
  private entry: URL | null = null;

  constructor(private readonly d: RunnerDeps) {
    this.dueTimer = new DueTimer(d.clock, () => this.schedulePump());
  }

  // ---- claim -------------------------------------------------------------------------------

  start(): void {
    this.active = true;
    this.schedulePump();
  }

  /** No more timers, no more pumps; running handlers are the caller's to abort. */
  halt(): void {
    this.active = false;
    this.dueTimer.disarm();
  }

  schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** True while a pump waits for the next turn (engine.whenIdle). */
  pumpPending(): boolean {
    return this.pumpScheduled;
  }

  private pump(): void {
    if (this.d.canClaim()) {
      let claimed: Task[];
      try {
        claimed = this.d.guard.write(() => this.claimDue());
      } catch {
        return; // degraded (guard armed the probe) or a store bug; nothing was claimed
      }
      this.launchAll(claimed);
      if (claimed.length > 0) this.d.publish();
    }
    this.armDueTimer();
  }

  /**
   * Claims as many due tasks as the free slots allow; inside the caller's transaction when there
   * is one (the group commit claims the next tasks in the same transaction that records the
   * outcomes that freed the slots). Launch the result with launchAll after the commit.
   */
  claimDue(): Task[] {
    const { d } = this;
    if (!d.canClaim()) return [];
    // Offline: network types get no capacity, so they stay queued (and unclaimed) until online.
    const online = d.network.online();
    const types = d.registry.types().filter((t) => online || d.registry.get(t).requiresNetwork !== true);
    const capacity = d.limiter.capacity(types);
    if (capacity.size === 0) return [];
    try {
      return d.store.claim({ bootId: d.bootId, now: d.clock.now(), limit: d.limiter.free(), capacity });
    } catch (e) {
      // Taken over, not yet noticed by the heartbeat: claim nothing (the store wrote nothing),
      // and let the caller's transaction (a group commit) carry on without claims.
      if (e instanceof ServiceError && e.code === 'SERVICE_LOCKED') return [];
      throw e;
    }
  }

  /**
   * Arms the one timer for the earliest queued task not yet due. Due tasks waiting for a slot
   * are not counted: a finishing task (its group commit) claims them, and counting them would
   * hide a later task of another type behind them.
   */
  private armDueTimer(): void {
    if (!this.active) return;
    let next: number | null;
    try {
      next = this.d.guard.read(() => this.d.store.nextRunAt(this.d.clock.now()));
    } catch {
      return;
    }
    if (next === null) this.dueTimer.disarm();
    else this.dueTimer.arm(next);
  }

  /**
   * A task entered `queued` (committed): wake for it if it is due before the timer. One that is
   * due already (its short backoff passed while the commit ran, after that commit's own claim
   * looked) gets a pump, since no timer will come for it.
   */
  noteQueued(t: Task): void {
    if (!this.active || t.state !== 'queued') return;
    if (t.runAt > this.d.clock.now()) this.dueTimer.armEarlier(t.runAt);
    else this.schedulePump();
  }

  // ---- launch ------------------------------------------------------------------------------

  /**
   * Starts handlers for committed claims (the caller publishes). The hot path after a group
   * commit: no due-timer query here, since claims only take tasks already due, and tasks
   * queued for later by the same commit arm the timer through noteQueued.
   */
  launchAll(claimed: Task[]): void {
    for (const t of claimed) this.launch(t);
  }

  private launch(task: Task): void {
    const { d } = this;
    d.parents.set(task.id, task.parentId);
    const def = d.registry.get(task.type);
    const exec: Execution = { task, controller: new AbortController(), detached: false, timeout: null, done: Promise.resolve(), netEpoch: d.network.epoch() };
    this.executions.set(task.id, exec);
    const prior = this.zombies.get(task.id);
    const run = d.limiter.run(task.type, async () => {
      // A previous run whose result we ignore (cancelled, timed out) may still be going.
      if (prior) await prior;
      let outcome: Outcome;
      try {
        outcome = { ok: true, result: (await this.invoke(def, exec)) ?? null };
      } catch (e) {
        outcome = { ok: false, info: describeThrown(e), abort: abortKindOf(exec.controller.signal) };
      }
      if (exec.timeout !== null) d.clock.clearTimeout(exec.timeout);
      if (!exec.detached) d.settle({ task: exec.task, outcome, exec });
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
      // A run that ended normally frees its slot before its outcome's group commit, which claims
      // the next tasks itself; pumping here too would claim in a second transaction and race
      // it. A detached run's outcome was written earlier, so its slot frees only now.
      if (exec.detached) this.schedulePump();
    });
  }

  private async invoke(def: TaskDefinition, exec: Execution): Promise<unknown> {
    const { d } = this;
    const { task } = exec;
    const input = d.registry.parseInput(task.type, task.input);
    const load = (): unknown => d.guard.read(() => d.store.getCheckpoint(task.id)) ?? null;
    if (def.timeoutMs !== undefined) exec.timeout = d.clock.setTimeout(() => this.onTimeout(exec, def.timeoutMs!), def.timeoutMs);
    const ports = this.portsFor(exec);
    if (def.runIn === 'worker') return runInWorker(this.workerEntry(), def, task, input, load(), exec.controller.signal, ports, d.workerGraceMs);
    return def.run(makeContext(task, input, null, exec.controller.signal, ports, load));
  }

  /** Resolved (and checked) once, on first use or at start when worker types exist. */
  workerEntry(): URL {
    if (this.entry === null) {
      const e = resolveWorkerEntry(this.d.workerEntry);
      checkWorkerEntry(e);
      this.entry = e;
    }
    return this.entry;
  }

  private onTimeout(exec: Execution, ms: number): void {
    exec.timeout = null;
    if (exec.detached) return;
    abortWith(exec.controller, 'timeout', `Task timed out after ${ms} ms`);
    this.detach(exec);
    this.d.settle({
      task: exec.task,
      outcome: { ok: false, abort: 'timeout', info: { name: 'TimeoutError', code: 'TIMEOUT', message: `Task exceeded its timeout of ${ms} ms`, permanent: false } },
    });
  }

  // ---- context: what a handler may do while it runs ----------------------------------------

  /**
   * The engine side of a handler's ctx (main thread or worker alike). Every write is guarded in
   * SQL by this boot's lease (RunGuard): a process that stalled past staleMs and was taken over
   * can no longer write on behalf of a task the new owner runs, even before its heartbeat notices.
   *
   * Every call is refused once the run is detached: a handler that ignores its signal can no
   * longer write for a task whose fate was decided. One exception: a handler stopped by pause,
   * timeout or our own shutdown may still save its final checkpoint on the way out, since "pause
   * keeps the checkpoint" — never after ownership loss, and only while the task is where that
   * stop left it (see finalGuard).
   */
  private portsFor(exec: Execution): ExecutionPorts {
    const { store, registry, clock, bootId, guard, coalescer, parents } = this.d;
    const id = exec.task.id;
    const live: RunGuard = { leaseOwner: bootId };
    const finalGuard = (): RunGuard | null => {
      if (this.d.ownerLost()) return null; // the new owner may be running the task: nothing of ours lands
      switch (abortKindOf(exec.controller.signal)) {
        // Still paused (not resumed and re-claimed: a newer run would own the checkpoint then).
        case 'pause':
          return { leaseOwner: null, orState: 'paused' };
        // Queued for its retry, or re-claimed by us (the new run waits for this handler to settle).
        case 'timeout':
          return { leaseOwner: bootId, orState: 'queued' };
        // Our own stop: the task is still running under our lease until stop requeues it.
        case 'shutdown':
          return live;
        default:
          return null;
      }
    };
    const gone = (): ServiceError => new ServiceError('CONFLICT', `Task ${id} is no longer running under this handler`);
    return {
      progress: (p) => {
        if (!exec.detached) coalescer.report(id, p, exec.task.progress);
      },
      saveCheckpoint: async (state) => {
        const runGuard = exec.detached ? finalGuard() : live;
        if (runGuard === null) throw gone();
        const problem = jsonProblem(state);
        if (problem) throw new ServiceError('BAD_INPUT', `Checkpoint ${problem}`);
        guard.write(() => store.saveCheckpoint(id, state, clock.now(), runGuard));
        this.d.publish();
      },
      spawn: async (children: SpawnRequest[]) => {
        if (exec.detached) throw gone();
        for (const c of children) {
          const r = spawnRequest.safeParse(c);
          if (!r.success) throw new ServiceError('BAD_INPUT', `Child ${String((c as { key?: unknown }).key)}: ${r.error.issues.map((i) => i.message).join('; ')}`);
          registry.parseInput(c.type, c.input);
        }
        const withDefaults = children.map((c) => ({ ...c, maxAttempts: c.maxAttempts ?? registry.get(c.type).maxAttempts }));
        const created = guard.write(() => store.spawn(id, withDefaults.map(stripUndefined), clock.now(), bootId));
        for (const c of created) parents.set(c.task.id, id);
        this.d.publish();
        this.schedulePump();
        return created.map((c) => c.task);
      },
      log: (message) => {
        this.d.onLog?.(id, message);
        if (exec.detached) return;
        // Best effort: a log line that cannot be journaled (DB busy or degraded) must not fail the run.
        try {
          guard.write(() => store.appendLog(id, message.slice(0, LOG_LINE_CHARS), clock.now(), live));
          this.d.publish();
        } catch {
          // The line still went to onLog above.
        }
      },
      setTitle: async (title) => {
        if (exec.detached) throw gone();
        const clean = title.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, LIMITS.titleChars);
        if (clean === '') return;
        guard.write(() => store.setTitle(id, clean, clock.now(), live));
        this.d.publish();
      },
    };
  }

  // ---- the running set ---------------------------------------------------------------------

  /** The live (not detached) run of a task, if any. */
  get(id: string): Execution | undefined {
    return this.executions.get(id);
  }

  /** Every live run. */
  running(): Execution[] {
    return [...this.executions.values()];
  }

  size(): number {
    return this.executions.size;
  }

  /** True while any handler (including ignored ones) has not settled. */
  busy(): boolean {
    return this.handlers.size > 0;
  }

  /** A run whose outcome committed: no longer running (so nothing aborts it). */
  finished(exec: Execution): void {
    if (this.executions.get(exec.task.id) === exec) this.executions.delete(exec.task.id);
  }

  /** The engine stops listening to this run; its slot stays held until the handler returns. */
  detach(exec: Execution): void {
    if (exec.detached) return;
    exec.detached = true;
    if (exec.timeout !== null) this.d.clock.clearTimeout(exec.timeout);
    exec.timeout = null;
    if (this.executions.get(exec.task.id) === exec) this.executions.delete(exec.task.id);
    if (this.handlers.has(exec.done)) this.zombies.set(exec.task.id, exec.done);
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
