import { isTerminal, type Task, type TaskProgress } from '../../shared/task';
import type { TaskStore, TransitionResult } from '../store/types';
import { abortWith, stateAbortKind } from './abort';
import { backoffDelay } from './backoff';
import type { Clock } from './clock';
import type { ProgressCoalescer } from './coalescer';
import { isDbFault, skipIllegal, type DbGuard } from './db-guard';
import { blockedVerdict, dependencyFailed, nextState, parentVerdict } from './next-state';
import type { NetworkState } from './network';
import type { ParentIndex } from './parents';
import type { TaskRegistry } from './registry';
import type { Runner, Settle } from './runner';

/**
 * A task's life, part 2 of 2 (runner.ts claims and runs): how a run ended becomes the task's
 * next state, and memory follows what committed.
 *  1. Outcomes are written in groups: every outcome that arrives within one event-loop turn is
 *     written in one transaction (group commit), with the next claims; nextState (next-state.ts)
 *     decides each. On a database fault the whole group stays pending for the probe to retry.
 *  2. React: once a transition (and its cascade) committed, every task in it that has a live
 *     handler but is no longer `running` gets that handler detached and aborted (cancel or
 *     pause), its progress forgotten, and its parent re-checked.
 *  3. Settlement: a waiting parent completes (or fails with CHILDREN_FAILED) once all its children
 *     are terminal, and shows their aggregate progress meanwhile; blocked tasks move on once
 *     their dependencies settled (on start, and when the database recovers from a fault).
 */

export interface SettlerDeps {
  store: TaskStore;
  registry: TaskRegistry;
  clock: Clock;
  bootId: string;
  random: () => number;
  guard: DbGuard;
  coalescer: ProgressCoalescer;
  parents: ParentIndex;
  runner: Runner;
  network: NetworkState;
  publish(): void;
  /** A task completed at `at` (throughput). */
  completed(at: number): void;
}

export class Settler {
  private settles: Settle[] = [];
  private flushScheduled = false;

  constructor(private readonly d: SettlerDeps) {}

  // ---- 1. outcomes (group commit) ----------------------------------------------------------

  pending(): number {
    return this.settles.length;
  }

  /** True while a group commit waits for the next turn (engine.whenIdle). */
  flushPending(): boolean {
    return this.flushScheduled;
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
    const { d } = this;
    const batch = this.settles;
    this.settles = [];
    const results: TransitionResult[] = [];
    let claimed: Task[] = [];
    try {
      d.guard.write(() =>
        d.store.batch(() => {
          results.length = 0;
          for (const s of batch) {
            const r = skipIllegal(() => this.apply(s));
            if (r) results.push(r);
          }
          // Same transaction, same turn: one commit per finished task at concurrency 1, not two.
          // The slots of these handlers are already free (their limiter jobs ended before this
          // flush ran), and cascades above (unblocked dependents) are visible to this claim.
          claimed = d.runner.claimDue();
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
      if (s.exec) d.runner.finished(s.exec);
      d.coalescer.take(s.task.id); // committed with the outcome: send the final value, forget it
    }
    for (const r of results) this.react(r);
    d.runner.launchAll(claimed);
    d.publish();
  }

  private apply({ task, outcome, exec }: Settle): TransitionResult {
    const { store, clock, registry, random, bootId, coalescer, network } = this.d;
    const now = clock.now();
    const id = task.id;
    // Read, not taken: if this transaction fails (disk full) the value must still be there for
    // the probe's retry; it is forgotten only after the commit (flush).
    const progress = coalescer.latest(id);
    if (progress) store.saveProgress(id, progress, now, { leaseOwner: bootId });
    const def = registry.has(task.type) ? registry.get(task.type) : undefined;
    const networkLost = def?.requiresNetwork === true && (exec ? network.lostSince(exec.netEpoch) : !network.online());
    const decision = nextState(task, outcome, () => store.childSummary(id, def?.toleratedChildErrors), () => store.failedAttempts(id), {
      now,
      delay: (failed) => backoffDelay(failed, def?.backoff, random),
      networkLost,
    });
    // Holds only while the task is still leased to this boot: a process that stalled past
    // staleMs and was taken over must not overwrite the new owner's run (it gets
    // SERVICE_LOCKED, and skipIllegal drops this outcome with nothing written).
    return store.transition(id, decision.to, now, { expectLease: bootId, ...decision.patch }, 'running');
  }

  // ---- 2. react ----------------------------------------------------------------------------

  /** Brings memory in line with a committed transition and its cascade. */
  react(r: TransitionResult): void {
    const { d } = this;
    const parentsToCheck = new Set<string>();
    const now = d.clock.now();
    for (const t of [r.task, ...r.affected]) {
      d.parents.note(t);
      if (t.state === 'completed') d.completed(now);
      const exec = d.runner.get(t.id);
      if (exec && t.state !== 'running') {
        d.runner.detach(exec);
        abortWith(exec.controller, stateAbortKind(t.state), `Task ${t.state}`);
      }
      if (t.state !== 'running') d.coalescer.drop(t.id);
      if (t.state === 'queued') d.runner.noteQueued(t);
      if (t.parentId && isTerminal(t.state)) parentsToCheck.add(t.parentId);
      // A parent resumed into waiting: its children may all have settled while it was paused.
      if (t.state === 'waiting') parentsToCheck.add(t.id);
    }
    for (const p of parentsToCheck) this.checkParent(p);
  }

  // ---- 3. settlement -----------------------------------------------------------------------

  /** A waiting parent whose children are all terminal completes (or fails); else shows their progress. */
  checkParent(parentId: string): void {
    const { store, clock, guard, coalescer, registry } = this.d;
    const p = guard.tryRead(() => store.find(parentId));
    if (!p || p.state !== 'waiting') return;
    const tolerated = registry.has(p.type) ? registry.get(p.type).toleratedChildErrors : undefined;
    const v = parentVerdict(store.childSummary(parentId, tolerated));
    const message = `${v.done} of ${v.total} children finished`;
    if (v.to === 'waiting') {
      coalescer.report(parentId, { ratio: v.ratio, message }, p.progress);
      return;
    }
    const now = clock.now();
    const r = guard.tryWrite(() =>
      store.batch(() => {
        store.saveProgress(parentId, { ratio: v.ratio, message, current: v.done, total: v.total }, now);
        return v.to === 'failed'
          ? store.transition(parentId, 'failed', now, { error: v.error }, 'waiting')
          : store.transition(parentId, 'completed', now, { error: null }, 'waiting');
      }),
    );
    if (r) this.react(r);
  }

  /** Writes coalesced progress in one transaction; parents then aggregate their children's. */
  persistProgress(batch: Array<[string, TaskProgress]>, at: number): void {
    const { store, bootId, guard, parents } = this.d;
    // A run's progress lands only while this boot still holds its lease; a waiting parent's
    // aggregate has no lease (RunGuard orState).
    const runGuard = { leaseOwner: bootId, orState: 'waiting' as const };
    guard.write(() =>
      store.batch(() => {
        for (const [id, p] of batch) skipIllegal(() => store.saveProgress(id, p, at, runGuard));
      }),
    );
    const toCheck = new Set<string>();
    for (const [id] of batch) {
      const p = parents.get(id);
      if (p) toCheck.add(p);
    }
    for (const p of toCheck) this.checkParent(p);
  }

  /** Blocked tasks whose dependencies settled move on; waiting parents with settled children finish. */
  reevaluate(): void {
    const { store, clock, guard } = this.d;
    for (const state of ['blocked', 'waiting'] as const) {
      let cursor: string | undefined;
      do {
        const page = guard.tryRead(() => store.list(cursor === undefined ? { states: [state], limit: 200 } : { states: [state], limit: 200, cursor }));
        if (!page) return;
        for (const t of page.items) {
          if (state === 'waiting') {
            this.checkParent(t.id);
            continue;
          }
          const v = blockedVerdict(t.dependsOn.map((id) => store.find(id)));
          const now = clock.now();
          let r: TransitionResult | null = null;
          if (v.to === 'cancelled')
            r = guard.tryWrite(() =>
              store.transition(t.id, 'cancelled', now, { error: dependencyFailed(v.dependency), reason: { reason: 'dependency', dependency: v.dependency } }, 'blocked'),
            );
          else if (v.to === 'queued') r = guard.tryWrite(() => store.transition(t.id, 'queued', now, {}, 'blocked'));
          if (r) this.react(r);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    this.d.publish();
  }
}
