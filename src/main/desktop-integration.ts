import type { Task, TaskChange, TaskState } from '../shared/task';

/**
 * What the desktop shows outside the window, decided without Electron: OS notifications when
 * a download or a playlist finishes or fails (coalesced: a playlist finishing 200 videos is one
 * notification, not 200), taskbar/dock progress from the aggregate of running downloads, and a
 * badge with the number of failed tasks. Electron's functions come in as parameters
 * (Notification, win.setProgressBar, app.setBadgeCount), so the logic is tested under Node.
 */

export interface DesktopFns {
  notify(title: string, body: string): void;
  /** Electron's convention: -1 removes the bar, 0..1 a fraction, 2 an indeterminate bar. */
  setProgressBar(value: number): void;
  /** Returns false where the platform has no badge (Electron's app.setBadgeCount does). */
  setBadgeCount(count: number): boolean | void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface DesktopOptions {
  /** Finishes within this window become one notification (default 1500 ms). */
  coalesceMs?: number;
}

interface Known {
  type: string;
  title: string;
  state: TaskState;
  parentId: string | null;
  current: number | null;
  total: number | null;
}

const INDETERMINATE = 2;

function isDownload(t: Known): boolean {
  return t.type.includes('download');
}

export class DesktopIntegration {
  private readonly tasks = new Map<string, Known>();
  private finished: Array<{ title: string; ok: boolean; playlist: boolean }> = [];
  private timer: unknown = null;
  private lastBar: number | null = null;
  private lastBadge: number | null = null;
  private readonly coalesceMs: number;

  constructor(private readonly fns: DesktopFns, opts: DesktopOptions = {}) {
    this.coalesceMs = opts.coalesceMs ?? 1500;
  }

  /** A full listing (start, or after the service restarted): no notifications for old news. */
  load(tasks: readonly Task[]): void {
    this.tasks.clear();
    for (const t of tasks) this.tasks.set(t.id, known(t));
    this.refresh();
  }

  /** One change from tasks.watch. */
  apply(change: TaskChange): void {
    if (change.kind === 'progress') {
      const t = this.tasks.get(change.taskId);
      if (!t) return;
      t.current = change.progress.current;
      t.total = change.progress.total;
      this.refreshBar();
      return;
    }
    const { event, task } = change;
    if (event.kind === 'removed' || task === null) {
      this.tasks.delete(event.taskId);
      this.refresh();
      return;
    }
    const before = this.tasks.get(task.id);
    const now = known(task);
    if (before && now.current === null) {
      now.current = before.current;
      now.total = before.total;
    }
    this.tasks.set(task.id, now);
    if (before?.state !== now.state && (now.state === 'completed' || now.state === 'failed')) this.finish(task.id, now);
    this.refresh();
  }

  dispose(): void {
    if (this.timer !== null) this.fns.clearTimer(this.timer);
    this.timer = null;
    this.fns.setProgressBar(-1);
  }

  /** A video of a playlist is the playlist's news: only tasks without a known parent notify. */
  private finish(id: string, t: Known): void {
    if (t.parentId !== null && this.tasks.has(t.parentId)) return;
    this.finished.push({ title: t.title || id, ok: t.state === 'completed', playlist: !isDownload(t) });
    if (this.timer === null) this.timer = this.fns.setTimer(() => this.flush(), this.coalesceMs);
  }

  private flush(): void {
    this.timer = null;
    const items = this.finished.splice(0);
    if (items.length === 0) return;
    if (items.length === 1) {
      const [one] = items;
      const what = one!.playlist ? 'Playlist' : 'Download';
      this.fns.notify(one!.ok ? `${what} finished` : `${what} failed`, one!.ok ? one!.title : `${one!.title} — open Playlistify to see why and retry.`);
      return;
    }
    const ok = items.filter((i) => i.ok).length;
    const bad = items.length - ok;
    const title = bad === 0 ? `${ok} downloads finished` : ok === 0 ? `${bad} downloads failed` : `${ok} finished, ${bad} failed`;
    this.fns.notify(title, items.map((i) => i.title).slice(0, 3).join(', ') + (items.length > 3 ? ` and ${items.length - 3} more` : ''));
  }

  private refresh(): void {
    this.refreshBar();
    let failed = 0;
    for (const t of this.tasks.values()) if (t.state === 'failed' && (t.parentId === null || !this.tasks.has(t.parentId))) failed += 1;
    if (failed !== this.lastBadge) {
      this.lastBadge = failed;
      this.fns.setBadgeCount(failed);
    }
  }

  /** Bytes of all running downloads together; indeterminate while a size is unknown. */
  private refreshBar(): void {
    let running = 0;
    let done = 0;
    let total = 0;
    let unknown = false;
    for (const t of this.tasks.values()) {
      if (t.state !== 'running' || !isDownload(t)) continue;
      running += 1;
      if (t.total === null || t.total <= 0) unknown = true;
      else {
        done += Math.min(t.current ?? 0, t.total);
        total += t.total;
      }
    }
    // Whole percents: the taskbar cannot show more, and each call crosses to the OS.
    const value = running === 0 ? -1 : unknown || total === 0 ? INDETERMINATE : Math.floor((done / total) * 100) / 100;
    if (value === this.lastBar) return;
    this.lastBar = value;
    this.fns.setProgressBar(value);
  }
}

function known(t: Task): Known {
  return { type: t.type, title: t.title, state: t.state, parentId: t.parentId, current: t.progress?.current ?? null, total: t.progress?.total ?? null };
}

/** Main's view of the service, as DesktopIntegration needs it (tasks.list pages + tasks.watch). */
export interface DesktopSource {
  list(cursor: string | undefined): Promise<{ items: Task[]; nextCursor: string | null }>;
  /** Calls `onLive` when the watch is (re)sent on a port; returns the unsubscribe function. */
  watch(onChange: (change: TaskChange) => void, onLive: () => void): () => void;
}

/**
 * Keeps `d` in step with the service: the watch first, then a full listing each time the watch
 * goes live (start and after every service restart), so nothing between them is missed.
 */
export function followService(source: DesktopSource, d: DesktopIntegration): () => void {
  const reload = async () => {
    const all: Task[] = [];
    let cursor: string | undefined;
    do {
      const page = await source.list(cursor);
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    d.load(all);
  };
  return source.watch(
    (change) => d.apply(change),
    () => void reload().catch(() => {}), // the service went away again: the next live reloads
  );
}
