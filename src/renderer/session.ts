import { isPortClosedError } from '../shared/port/link';
import type { CreateTaskRequest } from '../shared/schemas';
import type { TaskEvent } from '../shared/task';
import { errorMessage, type QueueStatsView, type ServiceClient, type TaskAction } from './client';
import { ActivityModel, type Filter } from './store';

/**
 * The Activity Center's controller, DOM-free: loads the task list, keeps one tasks.watch open
 * (the port link re-sends it with lastEventId after a reconnect), runs user actions, and
 * tells the view what to repaint. Failed calls become an alert with the service's message.
 */

export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; message: string | null }
  | { kind: 'gave-up'; message: string };

/** What changed since the last paint; the view batches these per animation frame. */
export interface Dirty {
  structure: boolean;
  rows: Set<string>;
  chrome: boolean;
  details: boolean;
}

const PAGE = 500;
/** A safety bound on the first load; the watch keeps everything after it current. */
const MAX_PAGES = 40;
const STATS_EVERY_MS = 1_000;

export class Session {
  readonly model = new ActivityModel();
  status: ConnectionStatus = { kind: 'connecting' };
  filter: Filter = 'all';
  selected: string | null = null;
  history: TaskEvent[] = [];
  alert: string | null = null;
  stats: QueueStatsView | null = null;
  queuePaused = false;
  loaded = false;
  private stopWatch: (() => void) | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private historyLive = true;
  private readonly listeners = new Set<(d: Dirty) => void>();

  constructor(private readonly client: ServiceClient) {}

  onDirty(fn: (d: Dirty) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Subscribe first, then list: events that race the listing are merged, never lost. */
  async start(): Promise<void> {
    this.stopWatch = this.client.watch(
      {},
      {
        onChange: (change, seq) => {
          const rows = this.model.apply(change, seq);
          const structural = change.kind === 'event';
          const historyGrew = structural && this.appendHistory(change.event);
          this.emit({ structure: structural, rows, chrome: structural, details: historyGrew || (structural && this.selected !== null && rows.has(this.selected)) });
          if (structural) this.scheduleStats();
        },
        onState: (state) => {
          if (state === 'reconnecting') this.setStatus({ kind: 'reconnecting', message: null });
          else void this.becameLive();
        },
        onError: (e) => this.fail(e),
      },
    );
    await this.refresh();
  }

  /** Main's view of the service (Electron): says why we wait, or that it gave up. */
  serviceStatus(kind: string, message: string | null): void {
    if (kind === 'gave-up') this.setStatus({ kind: 'gave-up', message: message ?? 'The task service stopped' });
    else if (kind === 'restarting' && this.status.kind !== 'gave-up') this.setStatus({ kind: 'reconnecting', message });
  }

  /** The port dropped (seen by the transport before any subscription noticed). */
  disconnected(): void {
    if (this.status.kind === 'live' || this.status.kind === 'connecting') this.setStatus({ kind: 'reconnecting', message: null });
  }

  /** Lists everything again; false when the service could not be asked (the alert or banner says why). */
  async refresh(): Promise<boolean> {
    try {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await this.client.list(cursor === undefined ? { limit: PAGE } : { limit: PAGE, cursor });
        const rows = this.model.merge(res.items);
        this.emit({ structure: true, rows, chrome: true, details: false });
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      this.loaded = true;
      if (this.status.kind === 'connecting') this.setStatus({ kind: 'live' });
      await this.loadStats();
      this.emit({ structure: true, rows: new Set(), chrome: true, details: false });
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  setFilter(filter: Filter): void {
    this.filter = filter;
    this.emit({ structure: true, rows: new Set(), chrome: true, details: false });
  }

  async select(id: string | null): Promise<void> {
    this.selected = id;
    this.history = [];
    this.historyLive = true;
    this.emit({ structure: false, rows: new Set(), chrome: false, details: true });
    if (id !== null) await this.loadHistory(id);
  }

  async act(action: TaskAction, id: string): Promise<void> {
    await this.call(async () => {
      const task = await this.client.act(action, id);
      if (action !== 'remove') this.emit({ structure: true, rows: this.model.merge([task]), chrome: true, details: this.selected === id });
    });
  }

  async create(req: CreateTaskRequest): Promise<boolean> {
    return this.call(async () => {
      const task = await this.client.create(req);
      this.emit({ structure: true, rows: this.model.merge([task]), chrome: true, details: false });
    });
  }

  async clearFinished(): Promise<void> {
    for (const id of this.model.finishedRoots()) {
      if (!(await this.call(() => this.client.act('remove', id)))) return;
    }
  }

  /** queue.pause / queue.resume answer with the service's stats, so the button shows its word. */
  async toggleQueue(): Promise<void> {
    const pause = !this.queuePaused;
    await this.call(async () => this.setStats(await (pause ? this.client.queuePause() : this.client.queueResume())));
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  dismissAlert(): void {
    this.alert = null;
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  dispose(): void {
    if (this.statsTimer !== null) clearTimeout(this.statsTimer);
    this.statsTimer = null;
    this.stopWatch?.();
    this.stopWatch = null;
  }

  /**
   * The watch is on a port again (first start, or re-sent after a reconnect). After a drop we
   * are live only once the service answers a listing on the new port: a port can open and close
   * again while the service is still restarting. The watch replays events from lastEventId
   * meanwhile; the listing also brings back live progress rows.
   */
  private async becameLive(): Promise<void> {
    if (this.status.kind === 'connecting') this.setStatus({ kind: 'live' });
    if (this.status.kind !== 'reconnecting') return;
    if (!(await this.refresh()) || this.status.kind !== 'reconnecting') return;
    this.setStatus({ kind: 'live' });
    if (this.selected) await this.loadHistory(this.selected);
  }

  /** The open history follows the journal live; replayed or already listed events are skipped. */
  private appendHistory(event: TaskEvent): boolean {
    if (event.taskId !== this.selected || !this.historyLive) return false;
    const last = this.history[this.history.length - 1];
    if (last && event.seq <= last.seq) return false;
    this.history.push(event);
    return true;
  }

  private async loadHistory(id: string): Promise<void> {
    try {
      const page = await this.client.events({ id, limit: 200 });
      if (this.selected !== id) return;
      // Events the watch appended while this page was on its way are kept after it.
      const lastListed = page.items[page.items.length - 1]?.seq ?? -1;
      this.history = [...page.items, ...this.history.filter((e) => e.seq > lastListed)];
      // A history cut at the page limit is not extended live: the gap would not show.
      this.historyLive = page.nextCursor === null;
      this.emit({ structure: false, rows: new Set(), chrome: false, details: true });
    } catch (e) {
      this.fail(e);
    }
  }

  private async loadStats(): Promise<void> {
    try {
      this.setStats(await this.client.stats());
    } catch {
      this.stats = null; // stats are a nicety; the list and the alert already show real failures
    }
  }

  /**
   * Throughput and the queue's paused flag (another window may toggle it) are the service's
   * figures, not derivable from events: re-read them after state changes, at most once a second.
   */
  private scheduleStats(): void {
    if (this.statsTimer !== null) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      void this.loadStats().then(() => this.emit({ structure: false, rows: new Set(), chrome: true, details: false }));
    }, STATS_EVERY_MS);
  }

  private setStats(stats: QueueStatsView): void {
    this.stats = stats;
    this.queuePaused = stats.queuePaused;
  }

  /** Runs a user action; a failure becomes the alert. Returns whether it succeeded. */
  private async call(fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      if (this.alert !== null) this.dismissAlert();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private fail(e: unknown): void {
    // A call cut off by a dropped port is the reconnecting banner's news, not an error.
    if (isPortClosedError(e) && this.status.kind !== 'gave-up') {
      this.disconnected();
      return;
    }
    this.alert = errorMessage(e);
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  private setStatus(s: ConnectionStatus): void {
    this.status = s;
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  private emit(d: Dirty): void {
    for (const fn of this.listeners) fn(d);
  }
}
