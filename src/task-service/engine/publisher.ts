import type { Task } from '../../shared/task';
import type { TaskStore } from '../store/types';
import type { WatchHub } from './watch';

const EVENT_PAGE = 1000;

/**
 * Publishes committed journal events to watchers, in seq order, each exactly once. Reads the
 * journal rather than trusting in-memory copies, so what a watcher sees is what a replay after a
 * reconnect would see.
 */
export class Publisher {
  private seq = 0;
  /** With no watcher nothing is read per change; the seq is caught up when one is needed. */
  private stale = false;

  constructor(
    private readonly store: TaskStore,
    private readonly hub: WatchHub,
  ) {}

  /** The last durable seq published. */
  publishedSeq(): number {
    if (this.stale) {
      try {
        this.seq = this.store.lastSeq();
        this.stale = false;
      } catch {
        // I/O error: the last known seq is still a valid (older) resume point.
      }
    }
    return this.seq;
  }

  /** Starts from the journal's end (earlier events are replayed by subscribers who ask). */
  reset(): void {
    this.seq = this.store.lastSeq();
  }

  publish(): void {
    try {
      if (this.hub.size() === 0) {
        this.stale = true;
        return;
      }
      if (this.stale) this.publishedSeq();
      for (;;) {
        const events = this.store.eventsAfter(this.seq, EVENT_PAGE);
        const tasks = new Map<string, Task | null>();
        for (const ev of events) {
          if (!tasks.has(ev.taskId)) tasks.set(ev.taskId, this.store.find(ev.taskId) ?? null);
          this.seq = ev.seq;
          this.hub.publishEvent(ev, tasks.get(ev.taskId) ?? null);
        }
        if (events.length < EVENT_PAGE) return;
      }
    } catch {
      // A read failed (I/O error): the next publish continues from seq; nothing lost.
    }
  }
}
