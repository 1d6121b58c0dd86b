import { ServiceError } from '../../shared/errors';
import type { Task } from '../../shared/task';
import { abortKindOf, abortWith, describeThrown } from './abort';
import { makeContext } from './context';
import type { EngineCore } from './core';
import type { TaskDefinition } from './define';
import { DueTimer } from './due-timer';
import type { Execution, Outcome, Settle } from './execution';
import { portsFor } from './ports';
import { checkWorkerEntry, resolveWorkerEntry } from './worker-path';
import { runInWorker } from './worker-runner';

/**
 * Claiming and running: claims due tasks within the concurrency limits, runs each handler in its
 * limiter slot, and hands every outcome to `settle` (the group commit). Owns the executions:
 * a detached one (fate decided: cancel, pause, timeout, shutdown) keeps its slot until its
 * handler really returns, and a new run of the same task waits for it, so one task never runs
 * twice at the same time.
 */
export class Dispatcher {
  readonly executions = new Map<string, Execution>();
  private readonly zombies = new Map<string, Promise<void>>();
  readonly handlers = new Set<Promise<void>>();
  readonly dueTimer: DueTimer;
  private pumpScheduled = false;
  /** False once stopped: nothing re-arms timers after stop(). */
  active = false;

  constructor(
    private readonly core: EngineCore,
    private readonly settle: (s: Settle) => void,
  ) {
    this.dueTimer = new DueTimer(core.o.clock, () => this.schedulePump());
  }

  schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  pump(): void {
    if (this.core.isClaiming()) {
      let claimed: Task[];
      try {
        claimed = this.core.guard.write(() => this.claimDue());
      } catch {
        return; // degraded (guard armed the probe) or a store bug; nothing was claimed
      }
      for (const t of claimed) this.launch(t);
      if (claimed.length > 0) this.core.publish();
    }
    this.armDueTimer();
  }

  /**
   * Claims as many due tasks as the free slots allow; inside the caller's transaction when there
   * is one (the group commit claims the next tasks in the same transaction that records the
   * outcomes that freed the slots). Launch the result with launchAll after the commit.
   */
  claimDue(): Task[] {
    const { core } = this;
    if (!core.isClaiming()) return [];
    const capacity = core.limiter.capacity(core.o.registry.types());
    if (capacity.size === 0) return [];
    try {
      return core.o.store.claim({ bootId: core.o.bootId, now: core.o.clock.now(), limit: core.limiter.free(), capacity });
    } catch (e) {
      // Taken over, not yet noticed by the heartbeat: claim nothing (the store wrote nothing),
      // and let the caller's transaction (a group commit) carry on without claims.
      if (e instanceof ServiceError && e.code === 'SERVICE_LOCKED') return [];
      throw e;
    }
  }

  /**
   * Starts handlers for committed claims (the caller publishes). The hot path after a group
   * commit: no due-timer query here, since claims only take tasks already due, and tasks
   * queued for later by the same commit arm the timer through noteQueued.
   */
  launchAll(claimed: Task[]): void {
    for (const t of claimed) this.launch(t);
  }

  /** A run whose outcome committed: no longer running (so nothing aborts it). */
  finished(exec: Execution): void {
    if (this.executions.get(exec.task.id) === exec) this.executions.delete(exec.task.id);
  }

  /**
   * Arms the one timer for the earliest queued task not yet due. Due tasks waiting for a slot
   * are not counted: a finishing task (its group commit) claims them, and counting them would
   * hide a later task of another type behind them.
   */
  armDueTimer(): void {
    if (!this.active) return;
    let next: number | null;
    try {
      next = this.core.guard.read(() => this.core.o.store.nextRunAt(this.core.o.clock.now()));
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
    if (t.runAt > this.core.o.clock.now()) this.dueTimer.armEarlier(t.runAt);
    else this.schedulePump();
  }

  launch(task: Task): void {
    const { core } = this;
    core.parentOf.set(task.id, task.parentId);
    const def = core.o.registry.get(task.type);
    const exec: Execution = { task, controller: new AbortController(), detached: false, timeout: null, done: Promise.resolve() };
    this.executions.set(task.id, exec);
    const prior = this.zombies.get(task.id);
    const run = core.limiter.run(task.type, async () => {
      // A previous run whose result we ignore (cancelled, timed out) may still be going.
      if (prior) await prior;
      let outcome: Outcome;
      try {
        outcome = { ok: true, result: (await this.invoke(def, exec)) ?? null };
      } catch (e) {
        outcome = { ok: false, info: describeThrown(e), abort: abortKindOf(exec.controller.signal) };
      }
      if (exec.timeout !== null) core.o.clock.clearTimeout(exec.timeout);
      if (!exec.detached) this.settle({ task: exec.task, outcome, exec });
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
    const { core } = this;
    const { task } = exec;
    const input = core.o.registry.parseInput(task.type, task.input);
    const load = (): unknown => core.guard.read(() => core.o.store.getCheckpoint(task.id)) ?? null;
    if (def.timeoutMs !== undefined) exec.timeout = core.o.clock.setTimeout(() => this.onTimeout(exec, def.timeoutMs!), def.timeoutMs);
    const ports = portsFor(core, exec);
    if (def.runIn === 'worker') return runInWorker(this.workerEntry(), def, task, input, load(), exec.controller.signal, ports, core.o.workerGraceMs);
    return def.run(makeContext(task, input, null, exec.controller.signal, ports, load));
  }

  private entry: URL | null = null;

  /** Resolved (and checked) once, on first use or at start when worker types exist. */
  workerEntry(): URL {
    if (this.entry === null) {
      const e = resolveWorkerEntry(this.core.o.workerEntry);
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
    this.settle({
      task: exec.task,
      outcome: { ok: false, abort: 'timeout', info: { name: 'TimeoutError', code: 'TIMEOUT', message: `Task exceeded its timeout of ${ms} ms`, permanent: false } },
    });
  }

  /** The engine stops listening to this run; its slot stays held until the handler returns. */
  detach(exec: Execution): void {
    if (exec.detached) return;
    exec.detached = true;
    if (exec.timeout !== null) this.core.o.clock.clearTimeout(exec.timeout);
    exec.timeout = null;
    if (this.executions.get(exec.task.id) === exec) this.executions.delete(exec.task.id);
    if (this.handlers.has(exec.done)) this.zombies.set(exec.task.id, exec.done);
  }
}
