import { ServiceError } from '../../shared/errors';
import type { TaskChange, TaskEvent, Task } from '../../shared/task';

/**
 * Watch subscriptions. Durable journal events carry their own seq; progress ticks carry the last
 * durable seq seen (so a client resuming from it misses no durable event) and are latest-value:
 * a slow consumer holds at most one pending tick per task.
 *
 * Resume without gap or duplicate: a subscription registers for live events FIRST, then replays
 * the journal after `afterSeq` page by page; live events arriving meanwhile are buffered, and
 * everything is delivered in seq order with anything <= the last delivered seq dropped.
 *
 * A consumer that stops reading cannot make memory grow without end: once `maxBacklog` durable
 * events wait for it, its subscription ends with CONFLICT (details.reason 'watch-overflow')
 * naming the last seq it received; resubscribing from there replays the gap from the journal.
 */

/** Default cap on durable events buffered for one subscription. */
export const DEFAULT_WATCH_BACKLOG = 10_000;

export interface WatchItem {
  seq: number;
  change: TaskChange;
}

export interface WatchFilter {
  ids?: string[];
  parentId?: string;
  afterSeq?: number;
}

export interface WatchSource {
  /** Journal page after a seq, with each event's task (null when gone). */
  replay(afterSeq: number, limit: number): Array<{ event: TaskEvent; task: Task | null }>;
  /** The last durable seq published live. */
  publishedSeq(): number;
  /** Parent of a task (for parentId filters of progress ticks), if known. */
  parentOf(taskId: string): string | null | undefined;
}

/** An async iterable that must be ended with `close()` (or by breaking out of for-await). */
export interface Watch extends AsyncIterableIterator<WatchItem> {
  /** The journal seq this watch starts after: everything later is delivered. */
  readonly fromSeq: number;
  close(): void;
}

const REPLAY_PAGE = 500;

export class WatchHub {
  private readonly subs = new Set<Subscription>();

  constructor(
    private readonly source: WatchSource,
    private readonly maxBacklog = DEFAULT_WATCH_BACKLOG,
  ) {}

  size(): number {
    return this.subs.size;
  }

  publishEvent(event: TaskEvent, task: Task | null): void {
    for (const s of this.subs) s.pushEvent(event, task);
  }

  publishProgress(change: Extract<TaskChange, { kind: 'progress' }>, seq: number): void {
    for (const s of this.subs) s.pushProgress(change, seq);
  }

  subscribe(filter: WatchFilter): Watch {
    const sub = new Subscription(filter, this.source, this.maxBacklog, () => this.subs.delete(sub));
    this.subs.add(sub);
    return sub;
  }

  closeAll(): void {
    for (const s of [...this.subs]) s.close();
  }
}

class Subscription implements Watch {
  private readonly ids: Set<string> | null;
  private lastSeq: number;
  readonly fromSeq: number;
  private replaying: boolean;
  private readonly events: WatchItem[] = [];
  private readonly replayBuf: WatchItem[] = [];
  private readonly progress = new Map<string, WatchItem>();
  private waiter: { resolve: (r: IteratorResult<WatchItem>) => void; reject: (e: unknown) => void } | null = null;
  private closed = false;
  /** Set on overflow: thrown once by next(), then the iterator is done. */
  private failure: ServiceError | null = null;

  constructor(
    private readonly filter: WatchFilter,
    private readonly source: WatchSource,
    private readonly maxBacklog: number,
    private readonly onClose: () => void,
  ) {
    this.ids = filter.ids ? new Set(filter.ids) : null;
    this.replaying = filter.afterSeq !== undefined;
    // Always asked (even with afterSeq): the publisher catches up lazily, and must be caught up
    // before the next commit so that it publishes every event after this point.
    const published = source.publishedSeq();
    this.lastSeq = filter.afterSeq ?? published;
    this.fromSeq = this.lastSeq;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchItem> {
    return this;
  }

  private matches(taskId: string, parentId: string | null | undefined): boolean {
    if (this.ids && !this.ids.has(taskId)) return false;
    if (this.filter.parentId !== undefined && parentId !== this.filter.parentId) return false;
    return true;
  }

  pushEvent(event: TaskEvent, task: Task | null): void {
    if (this.closed || !this.matches(event.taskId, task?.parentId ?? this.source.parentOf(event.taskId))) return;
    if (this.events.length >= this.maxBacklog) return this.overflow();
    this.events.push({ seq: event.seq, change: { kind: 'event', event, task } });
    this.wake();
  }

  pushProgress(change: Extract<TaskChange, { kind: 'progress' }>, seq: number): void {
    if (this.closed || !this.matches(change.taskId, this.source.parentOf(change.taskId))) return;
    this.progress.delete(change.taskId); // re-insert so ticks keep arrival order
    this.progress.set(change.taskId, { seq, change });
    this.wake();
  }

  private wake(): void {
    if (!this.waiter) return;
    const item = this.take();
    if (!item) return;
    const w = this.waiter;
    this.waiter = null;
    w.resolve({ value: item, done: false });
  }

  /** Ends the subscription: the consumer fell too far behind to be buffered for. */
  private overflow(): void {
    const lastEventId = this.lastSeq;
    this.failure = new ServiceError(
      'CONFLICT',
      `This watch fell more than ${this.maxBacklog} events behind and was ended; resubscribe with lastEventId ${lastEventId} to continue from the journal without a gap.`,
      { reason: 'watch-overflow', lastEventId, maxBacklog: this.maxBacklog },
    );
    const w = this.waiter;
    this.waiter = null;
    this.close();
    if (w) {
      const f = this.failure;
      this.failure = null;
      w.reject(f);
    }
  }

  private take(): WatchItem | null {
    // Replay first; the live buffer waits until the journal is caught up.
    while (this.replayBuf.length === 0 && this.replaying) {
      const page = this.source.replay(this.lastSeq, REPLAY_PAGE);
      if (page.length < REPLAY_PAGE) this.replaying = false;
      for (const { event, task } of page) {
        if (event.seq <= this.lastSeq) continue;
        if (this.matches(event.taskId, task?.parentId ?? this.source.parentOf(event.taskId))) {
          this.replayBuf.push({ seq: event.seq, change: { kind: 'event', event, task } });
        }
      }
      // Non-matching events count as seen too, so their live copies are dropped below.
      const last = page[page.length - 1];
      if (last && this.replayBuf.length === 0) this.lastSeq = Math.max(this.lastSeq, last.event.seq);
      if (page.length === 0) break;
    }
    const replayed = this.replayBuf.shift();
    if (replayed) {
      this.lastSeq = Math.max(this.lastSeq, replayed.seq);
      return replayed;
    }
    while (this.events.length > 0) {
      const item = this.events.shift()!;
      if (item.seq <= this.lastSeq) continue; // already delivered by the replay
      this.lastSeq = item.seq;
      return item;
    }
    const first = this.progress.entries().next();
    if (!first.done) {
      this.progress.delete(first.value[0]);
      return { seq: this.lastSeq, change: first.value[1].change };
    }
    return null;
  }

  next(): Promise<IteratorResult<WatchItem>> {
    if (this.failure) {
      const f = this.failure;
      this.failure = null;
      return Promise.reject(f);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    const item = this.take();
    if (item) return Promise.resolve({ value: item, done: false });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<WatchItem>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.length = 0;
    this.replayBuf.length = 0;
    this.progress.clear();
    this.onClose();
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ value: undefined, done: true });
  }
}
