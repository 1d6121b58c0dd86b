import { isTerminal, type Task, type TaskProgress, type TaskState, type WatchChange } from '../shared/task';

/**
 * The Activity Center's view-model, DOM-free: the tasks it knows, their live progress with a
 * smoothed speed and ETA, grouping parent -> children, and filtering. It reduces the service's
 * tasks.watch stream and reports which task ids changed so the view repaints only those.
 */

/** Live figures for one task: the latest progress and the rate derived from successive ticks. */
export interface LiveProgress {
  progress: TaskProgress;
  at: number;
  /** Bytes (or units) per second, exponentially smoothed; null until two samples exist. */
  speed: number | null;
}

/** A root task with its (filtered) children, in display order. */
export interface TaskGroup {
  root: Task;
  children: Task[];
}

export type Filter = 'all' | 'active' | TaskState;

/** Weight of the newest sample in the speed average: responsive, yet not jumpy. */
const SPEED_ALPHA = 0.3;

export class ActivityModel {
  readonly tasks = new Map<string, Task>();
  readonly live = new Map<string, LiveProgress>();
  /** The seq of the last journal event applied (for resuming the watch). */
  lastSeq: string | null = null;

  /** Replaces what we know with a fresh listing (first load). Returns every id touched. */
  load(items: readonly Task[]): Set<string> {
    const touched = new Set<string>(this.tasks.keys());
    this.tasks.clear();
    for (const t of items) {
      this.tasks.set(t.id, t);
      touched.add(t.id);
    }
    return touched;
  }

  /**
   * Merges a listing page without regressing newer state: a page fetched before an event
   * arrived must not undo that event.
   */
  merge(items: readonly Task[]): Set<string> {
    const touched = new Set<string>();
    for (const t of items) if (this.upsert(t)) touched.add(t.id);
    return touched;
  }

  /** Applies one change from tasks.watch; `seq` is its tracked id. Returns the ids to repaint. */
  apply(change: WatchChange, seq?: string): Set<string> {
    const touched = new Set<string>();
    if (change.kind === 'progress') {
      this.tick(change.taskId, change.progress, change.at);
      touched.add(change.taskId);
      return touched;
    }
    if (seq !== undefined) this.lastSeq = seq;
    if (change.kind === 'sync') return touched;
    const { event, task } = change;
    if (event.kind === 'removed' || (task === null && this.tasks.has(event.taskId))) {
      for (const id of this.removeTree(event.taskId)) touched.add(id);
      return touched;
    }
    if (task && this.upsert(task)) touched.add(task.id);
    // A task leaving `running` has no current speed; its last progress stays as stored.
    if (task && task.state !== 'running') {
      const lp = this.live.get(task.id);
      if (lp) lp.speed = null;
    }
    return touched;
  }

  /** Best known progress: the live tick if newer than the stored task row. */
  progressOf(task: Task): TaskProgress | null {
    const lp = this.live.get(task.id);
    return lp && lp.at >= task.updatedAt ? lp.progress : task.progress;
  }

  speedOf(id: string): number | null {
    const task = this.tasks.get(id);
    if (!task || task.state !== 'running') return null;
    return this.live.get(id)?.speed ?? null;
  }

  /** Seconds left at the current speed, or null when unknown. */
  etaOf(id: string): number | null {
    const task = this.tasks.get(id);
    const speed = this.speedOf(id);
    if (!task || speed === null || speed <= 0) return null;
    const p = this.progressOf(task);
    if (!p || p.total === null || p.current === null) return null;
    return Math.max(0, (p.total - p.current) / speed);
  }

  /** Roots newest first, each with its children oldest first; a task whose parent is unknown is a root. */
  groups(filter: Filter = 'all'): TaskGroup[] {
    const children = new Map<string, Task[]>();
    const roots: Task[] = [];
    for (const t of this.tasks.values()) {
      if (t.parentId !== null && this.tasks.has(t.parentId)) {
        const list = children.get(t.parentId);
        if (list) list.push(t);
        else children.set(t.parentId, [t]);
      } else roots.push(t);
    }
    roots.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const out: TaskGroup[] = [];
    for (const root of roots) {
      const kids = (children.get(root.id) ?? []).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      const shown = kids.filter((k) => matches(k, filter));
      if (matches(root, filter) || shown.length > 0) out.push({ root, children: matches(root, filter) && filter === 'all' ? kids : shown });
    }
    return out;
  }

  /** Ids of finished root tasks (for "clear finished"): removing a root removes its tree. */
  finishedRoots(): string[] {
    return this.groups('all')
      .filter((g) => isTerminal(g.root.state))
      .map((g) => g.root.id);
  }

  counts(): Record<TaskState, number> {
    const c = { blocked: 0, queued: 0, running: 0, waiting: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const t of this.tasks.values()) c[t.state] += 1;
    return c;
  }

  private upsert(task: Task): boolean {
    const known = this.tasks.get(task.id);
    if (known && known.updatedAt > task.updatedAt) return false;
    this.tasks.set(task.id, task);
    return true;
  }

  private tick(id: string, progress: TaskProgress, at: number): void {
    const prev = this.live.get(id);
    let speed = prev?.speed ?? null;
    if (prev && at > prev.at && progress.current !== null && prev.progress.current !== null) {
      const delta = progress.current - prev.progress.current;
      // A restart from a checkpoint can move backwards: start the average over.
      if (delta < 0) speed = null;
      else {
        const rate = (delta * 1000) / (at - prev.at);
        speed = speed === null ? rate : SPEED_ALPHA * rate + (1 - SPEED_ALPHA) * speed;
      }
    }
    this.live.set(id, { progress, at, speed });
  }

  private removeTree(id: string): string[] {
    const gone = [id];
    for (let i = 0; i < gone.length; i++) {
      for (const t of this.tasks.values()) if (t.parentId === gone[i]) gone.push(t.id);
    }
    for (const g of gone) {
      this.tasks.delete(g);
      this.live.delete(g);
    }
    return gone;
  }
}

function matches(task: Task, filter: Filter): boolean {
  if (filter === 'all') return true;
  if (filter === 'active') return !isTerminal(task.state);
  return task.state === filter;
}
