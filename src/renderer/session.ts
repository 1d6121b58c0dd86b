import { isPortClosedError } from '../shared/port/link';
import type { CreateTaskRequest } from '../shared/schemas';
import type { TaskEvent } from '../shared/task';
import { errorMessage, type QueueStatsView, type ServiceClient, type TaskAction } from './client';
import { errorCode, explain } from './error-words';
import { Journal } from './journal';
import { ListQuery } from './list-query';
import { ActivityModel } from './store';

/**
 * The Activity Center's controller, DOM-free: loads the task list, keeps one tasks.watch open
 * (the port link re-sends it with lastEventId after a reconnect), runs user actions, and
 * tells the view what to repaint. Failed calls become an alert with the service's message.
 */

export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; message: string | null }
  | { kind: 'gave-up'; message: string }
  /** Another instance holds the data folder (SERVICE_LOCKED): waiting will not help. */
  | { kind: 'locked'; message: string };

/** What changed since the last paint; the view batches these per animation frame. */
export interface Dirty {
  structure: boolean;
  rows: Set<string>;
  chrome: boolean;
  details: boolean;
}

const PAGE = 2_000;
const HISTORY_PAGE = 200;
/** A safety bound on the first load; the watch keeps everything after it current. */
const MAX_PAGES = 40;
const STATS_EVERY_MS = 1_000;
/** Connectivity changes are no task event: while live, the stats are also re-read this often. */
const STATS_POLL_MS = 5_000;
const NO_TYPES: ReadonlySet<string> = new Set();
const LOAD_PAINT_MS = 250;

export class Session {
  readonly model = new ActivityModel();
  status: ConnectionStatus = { kind: 'connecting' };
  selected: string | null = null;
  /** The headline of the last failed call, in plain words; the technical detail beside it. */
  alert: string | null = null;
  alertDetail: string | null = null;
  /** Filter, search, sort and collapsed playlists of the list, and its rows. */
  readonly list = new ListQuery(this.model, (rows) => this.emit({ structure: true, rows, chrome: true, details: false }));
  /** The first downloads root the service offers (service.health downloadsRoots[0]), if any. */
  defaultFolder: string | null = null;
  /** Requests made while the service was away: sent again, same dedupeKey, once it is back. */
  readonly unsent: CreateTaskRequest[] = [];
  stats: QueueStatsView | null = null;
  /** Task types that wait in `queued` while the host reports offline (queue.stats().network). */
  offlineTypes: ReadonlySet<string> = NO_TYPES;
  queuePaused = false;
  loaded = false;
  private stopWatch: (() => void) | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private journal: Journal | null = null;
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
          const version = this.model.version;
          const rows = this.model.apply(change, seq);
          const structural = this.model.version !== version;
          const historyGrew = change.kind === 'event' && this.journal !== null && this.journal.append(change.event);
          // A journal event that moved nothing on screen (a checkpoint) repaints nothing.
          if (!structural && rows.size === 0 && !historyGrew) return;
          this.emit({ structure: structural, rows, chrome: structural, details: historyGrew || (this.selected !== null && rows.has(this.selected)) });
          if (structural) this.scheduleStats();
        },
        onState: (state) => {
          // 'locked' stays until a service answers: the client keeps retrying meanwhile.
          if (state === 'reconnecting') {
            if (this.status.kind !== 'locked') this.setStatus({ kind: 'reconnecting', message: null });
          } else void this.becameLive();
        },
        onError: (e) => this.fail(e),
      },
    );
    await this.refresh();
    this.pollTimer ??= setInterval(() => {
      if (this.status.kind === 'live') this.scheduleStats();
    }, STATS_POLL_MS);
  }

  /** Main's view of the service (Electron): says why we wait, or that it gave up. */
  serviceStatus(kind: string, message: string | null): void {
    if (this.status.kind === 'locked') return;
    if (kind === 'gave-up' && message && /SERVICE_LOCKED|another (instance|process)|already (running|in use)/i.test(message)) {
      this.setStatus({ kind: 'locked', message });
    } else if (kind === 'gave-up') this.setStatus({ kind: 'gave-up', message: message ?? 'The task service stopped' });
    else if (kind === 'restarting' && this.status.kind !== 'gave-up') this.setStatus({ kind: 'reconnecting', message });
  }

  /** Whether the service can take requests now; the forms are disabled otherwise. */
  get online(): boolean {
    return this.status.kind === 'live';
  }

  /** The port dropped (seen by the transport before any subscription noticed). */
  disconnected(): void {
    if (this.status.kind === 'live' || this.status.kind === 'connecting') this.setStatus({ kind: 'reconnecting', message: null });
  }

  /** Lists everything again; false when the service could not be asked (the alert or banner says why). */
  async refresh(): Promise<boolean> {
    try {
      let cursor: string | undefined;
      let shownAt = -Infinity;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await this.client.list(cursor === undefined ? { limit: PAGE } : { limit: PAGE, cursor });
        const rows = this.model.merge(res.items);
        // The first page paints at once; later pages at most every LOAD_PAINT_MS (each paint
        // re-sorts everything known, which would otherwise delay the next page's arrival).
        const now = Date.now();
        if (now - shownAt >= LOAD_PAINT_MS || !res.nextCursor) {
          shownAt = now;
          this.emit({ structure: true, rows, chrome: true, details: false });
        }
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      this.loaded = true;
      if (this.status.kind === 'connecting') this.setStatus({ kind: 'live' });
      await this.loadStats();
      await this.loadHealth();
      this.emit({ structure: true, rows: new Set(), chrome: true, details: false });
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  async select(id: string | null): Promise<void> {
    const previous = this.selected;
    this.selected = id;
    this.journal = id === null ? null : new Journal(id);
    const rows = new Set<string>();
    if (previous) rows.add(previous);
    if (id) rows.add(id);
    this.emit({ structure: false, rows, chrome: false, details: true });
    if (id !== null) await this.loadHistory(id);
  }

  /** Pages the next part of the selected task's journal in, up to its end. */
  async loadMoreHistory(): Promise<void> {
    const cursor = this.journal?.nextCursor;
    if (this.selected === null || cursor == null) return;
    await this.loadHistory(this.selected, cursor);
  }

  /** The selected task's journal so far (oldest first). */
  get history(): readonly TaskEvent[] {
    return this.journal?.events ?? [];
  }

  /** More of the selected task's journal can be paged in. */
  get historyMore(): boolean {
    return this.journal?.more ?? false;
  }

  /**
   * Runs a row action. Pausing or resuming a playlist is one call on the parent: the engine
   * cascades it to the children that are not finished.
   */
  async act(action: TaskAction, id: string): Promise<void> {
    await this.call(async () => {
      const task = await this.client.act(action, id);
      if (action !== 'remove') this.emit({ structure: true, rows: this.model.merge([task]), chrome: true, details: this.selected === id });
    });
  }

  /**
   * Creates a task. Each request carries a dedupeKey, so a request cut off by a service restart
   * is sent again when the service is back without creating it twice (a duplicate key returns
   * the existing task): nothing submitted is silently lost.
   */
  async create(req: CreateTaskRequest): Promise<boolean> {
    const keyed: CreateTaskRequest = { ...req, dedupeKey: req.dedupeKey ?? `submit-${randomKey()}` };
    try {
      const task = await this.client.create(keyed);
      if (this.alert !== null) this.dismissAlert();
      this.emit({ structure: true, rows: this.model.merge([task]), chrome: true, details: false });
      return true;
    } catch (e) {
      if (isPortClosedError(e) && this.status.kind !== 'gave-up' && this.status.kind !== 'locked') {
        this.unsent.push(keyed);
        this.disconnected();
        this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
        return false;
      }
      this.fail(e);
      return false;
    }
  }

  /** Removes what clearPlan() lists (completed and cancelled roots; failed ones stay). */
  async clearFinished(): Promise<void> {
    for (const id of this.model.clearPlan().ids) {
      if (!(await this.call(() => this.client.act('remove', id)))) return;
    }
  }

  /** queue.pause / queue.resume answer with the service's stats, so the button shows its word. */
  async toggleQueue(): Promise<void> {
    const pause = !this.queuePaused;
    await this.call(async () => this.setStats(await (pause ? this.client.queuePause() : this.client.queueResume())));
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  /** A message of the page's own (not a failed call), e.g. a file that could not be opened. */
  notify(message: string): void {
    this.alert = message;
    this.alertDetail = null;
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  dismissAlert(): void {
    this.alert = null;
    this.alertDetail = null;
    this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
  }

  dispose(): void {
    if (this.statsTimer !== null) clearTimeout(this.statsTimer);
    this.statsTimer = null;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.pollTimer = null;
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
    for (const req of this.unsent.splice(0)) await this.create(req);
    if (this.selected) await this.loadHistory(this.selected);
  }

  /** The first page (no cursor) replaces the history; a later page extends it. */
  private async loadHistory(id: string, cursor?: string): Promise<void> {
    try {
      const page = await this.client.events(cursor === undefined ? { id, limit: HISTORY_PAGE } : { id, cursor, limit: HISTORY_PAGE });
      if (this.journal?.taskId !== id) return;
      this.journal.absorb(page, cursor !== undefined);
      this.emit({ structure: false, rows: new Set(), chrome: false, details: true });
    } catch (e) {
      this.fail(e);
    }
  }

  /** The default folder for the forms: the service's first downloads root, when it says. */
  private async loadHealth(): Promise<void> {
    if (!this.client.health) return;
    try {
      const roots = (await this.client.health()).downloadsRoots;
      const first = Array.isArray(roots) && typeof roots[0] === 'string' ? roots[0] : null;
      if (first !== this.defaultFolder) {
        this.defaultFolder = first;
        this.emit({ structure: false, rows: new Set(), chrome: true, details: false });
      }
    } catch {
      // a nicety: without it the Folder field keeps its placeholder
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
    const wasOffline = this.offlineTypes.size > 0;
    this.stats = stats;
    this.queuePaused = stats.queuePaused;
    this.offlineTypes = stats.network.online ? NO_TYPES : new Set(stats.network.types);
    // Every queued row of those types reads differently now: repaint the visible rows.
    if (wasOffline !== this.offlineTypes.size > 0) this.emit({ structure: true, rows: new Set(), chrome: true, details: this.selected !== null });
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
    const code = errorCode(e);
    if (code === 'SERVICE_LOCKED') {
      this.setStatus({ kind: 'locked', message: errorMessage(e) });
      return;
    }
    const explained = explain(code, errorMessage(e));
    this.alert = explained.sentence;
    this.alertDetail = explained.detail;
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

function randomKey(): string {
  const c = globalThis.crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
