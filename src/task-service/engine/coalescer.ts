import type { TaskProgress } from '../../shared/task';
import type { Clock, TimerHandle } from './clock';

/**
 * Progress coalescing. Handlers may report at any rate; only the latest value per task is kept.
 * Listeners get it at most once per `emitMs` per task (the first report at once, later ones on
 * a tick, latest wins); the store gets it at most once per `persistMs` per task, written for
 * all due tasks in one batch (`persist` receives them together). One timer serves every task
 * and is armed only while something is pending, so an idle engine has no ticking timer.
 */

interface Entry {
  latest: TaskProgress;
  emitted: boolean;
  persisted: boolean;
  lastEmitAt: number;
  lastPersistAt: number;
}

export interface CoalescerOptions {
  clock: Clock;
  emitMs: number;
  persistMs: number;
  emit(taskId: string, progress: TaskProgress, at: number): void;
  /** Writes all due values together; a throw keeps them pending for the next tick. */
  persist(batch: Array<[string, TaskProgress]>, at: number): void;
}

export const EMPTY_PROGRESS: TaskProgress = { ratio: null, message: null, current: null, total: null };

export class ProgressCoalescer {
  private readonly entries = new Map<string, Entry>();
  private timer: TimerHandle | null = null;

  constructor(private readonly o: CoalescerOptions) {}

  /** Merges a partial report into the task's latest value. */
  report(taskId: string, p: Partial<TaskProgress>, base: TaskProgress | null = null): void {
    const now = this.o.clock.now();
    let e = this.entries.get(taskId);
    const prev = e?.latest ?? base ?? EMPTY_PROGRESS;
    const latest: TaskProgress = {
      ratio: p.ratio === undefined ? prev.ratio : clampRatio(p.ratio),
      message: p.message === undefined ? prev.message : p.message,
      current: p.current === undefined ? prev.current : p.current,
      total: p.total === undefined ? prev.total : p.total,
    };
    if (!e) {
      // Never reported before: emit at once, persist on the next tick.
      e = { latest, emitted: false, persisted: false, lastEmitAt: -Infinity, lastPersistAt: now };
      this.entries.set(taskId, e);
    }
    e.latest = latest;
    e.emitted = false;
    e.persisted = false;
    if (now - e.lastEmitAt >= this.o.emitMs) this.emitEntry(taskId, e, now);
    this.arm();
  }

  latest(taskId: string): TaskProgress | null {
    return this.entries.get(taskId)?.latest ?? null;
  }

  /**
   * Takes the task's unpersisted value (if any) and forgets the task: used on a state change,
   * where the caller writes it in the same transaction. Emits the final value if not yet sent.
   */
  take(taskId: string): TaskProgress | null {
    const e = this.entries.get(taskId);
    if (!e) return null;
    this.entries.delete(taskId);
    if (!e.emitted) this.emitEntry(taskId, e, this.o.clock.now());
    return e.persisted ? null : e.latest;
  }

  /** Forgets a task without persisting (e.g. removed). */
  drop(taskId: string): void {
    this.entries.delete(taskId);
  }

  /** Forgets every task without persisting (ownership lost). */
  dropAll(): void {
    this.entries.clear();
  }

  pendingCount(): number {
    return this.entries.size;
  }

  /** Persists and emits everything pending now (shutdown). */
  flushAll(): void {
    this.tick(true);
  }

  dispose(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private emitEntry(taskId: string, e: Entry, now: number): void {
    e.emitted = true;
    e.lastEmitAt = now;
    this.o.emit(taskId, e.latest, now);
  }

  private arm(): void {
    if (this.timer !== null) return;
    let pending = false;
    for (const e of this.entries.values()) if (!e.emitted || !e.persisted) pending = true;
    if (!pending) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      this.tick(false);
    }, this.o.emitMs);
  }

  private tick(force: boolean): void {
    const now = this.o.clock.now();
    const due: Array<[string, TaskProgress]> = [];
    const dueEntries: Entry[] = [];
    for (const [id, e] of this.entries) {
      if (!e.emitted && (force || now - e.lastEmitAt >= this.o.emitMs)) this.emitEntry(id, e, now);
      if (!e.persisted && (force || now - e.lastPersistAt >= this.o.persistMs)) {
        due.push([id, e.latest]);
        dueEntries.push(e);
      }
    }
    if (due.length > 0) {
      try {
        this.o.persist(due, now);
        for (const e of dueEntries) {
          e.persisted = true;
          e.lastPersistAt = now;
        }
      } catch {
        // Kept pending; the engine marks itself degraded and the next tick tries again.
      }
    }
    // Entries fully sent and stored are forgotten so memory tracks only active reporters.
    for (const [id, e] of this.entries) if (e.emitted && e.persisted && now - e.lastEmitAt >= this.o.emitMs) this.entries.delete(id);
    if (!force) this.arm();
  }
}

function clampRatio(r: number | null): number | null {
  if (r === null || !Number.isFinite(r)) return null;
  return Math.min(1, Math.max(0, r));
}
