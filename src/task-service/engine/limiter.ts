import PQueue from 'p-queue';

/**
 * Concurrency slots: one global p-queue plus one p-queue per task type, both resizable at run
 * time. The engine only claims as many tasks as `capacity()` allows, so jobs start at once and
 * the queues never hold a backlog: the backlog lives in SQLite, ordered by priority and runAt.
 * Lowering a limit never preempts: running jobs finish and new claims wait until below it.
 */
export class ConcurrencyLimiter {
  private readonly global: PQueue;
  private readonly perType = new Map<string, PQueue>();
  private readonly typeLimits = new Map<string, number>();

  constructor(globalLimit: number, typeLimits: Record<string, number | undefined> = {}) {
    this.global = new PQueue({ concurrency: globalLimit });
    for (const [type, limit] of Object.entries(typeLimits)) if (limit !== undefined) this.setLimit(type, limit);
  }

  /** Changes the global limit (type undefined) or one type's limit. */
  setLimit(type: string | undefined, limit: number): void {
    if (type === undefined) {
      this.global.concurrency = limit;
      return;
    }
    this.typeLimits.set(type, limit);
    const q = this.perType.get(type);
    if (q) q.concurrency = limit;
  }

  limits(): { global: number; perType: Record<string, number> } {
    return { global: this.global.concurrency, perType: Object.fromEntries(this.typeLimits) };
  }

  private queueFor(type: string): PQueue {
    let q = this.perType.get(type);
    if (!q) {
      q = new PQueue({ concurrency: this.typeLimits.get(type) ?? Number.POSITIVE_INFINITY });
      this.perType.set(type, q);
    }
    return q;
  }

  /** Jobs currently holding a global slot. */
  running(): number {
    return this.global.pending + this.global.size;
  }

  runningOf(type: string): number {
    const q = this.perType.get(type);
    return q ? q.pending + q.size : 0;
  }

  /** Free global slots (never negative, even after a limit was lowered). */
  free(): number {
    return Math.max(0, this.global.concurrency - this.running());
  }

  /**
   * Remaining room per known type (`types`), capped by the global room; the map the store's
   * claim expects. Types with no room are left out so the store skips them.
   */
  capacity(types: Iterable<string>): Map<string, number> {
    const free = this.free();
    const out = new Map<string, number>();
    if (free === 0) return out;
    for (const type of types) {
      const limit = this.typeLimits.get(type) ?? Number.POSITIVE_INFINITY;
      const room = Math.min(free, Math.max(0, limit - this.runningOf(type)));
      if (room > 0) out.set(type, room);
    }
    return out;
  }

  /**
   * Runs fn holding one global and one type slot until it settles. Both counters move
   * synchronously (p-queue starts a job inside add when a slot is free), so capacity() is
   * exact right after run() returns.
   */
  run<T>(type: string, fn: () => Promise<T>): Promise<T> {
    const typeQueue = this.queueFor(type);
    return this.global.add(() => typeQueue.add(fn)) as Promise<T>;
  }

  /** Resolves when no job holds a slot. */
  async idle(): Promise<void> {
    await this.global.onIdle();
  }
}
