import { isTerminal, type Task, type TaskProgress, type TaskState, type WatchChange } from '../shared/task';

/**
 * The Activity Center's view-model, DOM-free: the tasks it knows (with a parent -> children
 * index), their live progress with a smoothed speed and ETA, playlist aggregates, filtering.
 * It reduces the service's tasks.watch stream and reports which task ids changed *on screen*:
 * a journal event that moves no visible field (a checkpoint, say) touches nothing, and
 * `version` moves only when the order or membership of the list may have changed.
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

/** A playlist's children summed up. */
export interface Aggregate {
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  running: number;
  bytesDone: number;
  /** Finished children count whole, running ones by their own fraction (0..total). */
  units: number;
  /** Null while some child's size is not known yet. */
  bytesTotal: number | null;
  speed: number | null;
  eta: number | null;
}

/** What "clear finished" would remove, and the failed ones it keeps. */
export interface ClearPlan {
  ids: string[];
  completed: number;
  cancelled: number;
  keptFailed: number;
}

/** Weight of the newest sample in the speed average: responsive, yet not jumpy. */
const SPEED_ALPHA = 0.3;

export class ActivityModel {
  readonly tasks = new Map<string, Task>();
  readonly live = new Map<string, LiveProgress>();
  /** The seq of the last journal event applied (for resuming the watch). */
  lastSeq: string | null = null;
  /** Moves when membership, state, title or parentage changed: the list order must be recomputed. */
  version = 0;
  private readonly kids = new Map<string, Set<string>>();

  /** Replaces what we know with a fresh listing (first load). Returns every id touched. */
  load(items: readonly Task[]): Set<string> {
    const touched = new Set<string>(this.tasks.keys());
    this.tasks.clear();
    this.kids.clear();
    for (const t of items) {
      this.put(t);
      touched.add(t.id);
    }
    this.version += 1;
    return touched;
  }

  /**
   * Merges a listing page without regressing newer state: a page fetched before an event
   * arrived must not undo that event.
   */
  merge(items: readonly Task[]): Set<string> {
    const touched = new Set<string>();
    for (const t of items) for (const id of this.upsert(t)) touched.add(id);
    return touched;
  }

  /** Applies one change from tasks.watch; `seq` is its tracked id. Returns the ids to repaint. */
  apply(change: WatchChange, seq?: string): Set<string> {
    const touched = new Set<string>();
    if (change.kind === 'progress') {
      if (!this.tasks.has(change.taskId)) return touched;
      this.tick(change.taskId, change.progress, change.at);
      touched.add(change.taskId);
      const parent = this.tasks.get(change.taskId)?.parentId;
      if (parent) touched.add(parent); // its aggregate moved
      return touched;
    }
    if (seq !== undefined) this.lastSeq = seq;
    if (change.kind === 'sync') return touched;
    const { event, task } = change;
    if (event.kind === 'removed' || (task === null && this.tasks.has(event.taskId))) {
      for (const id of this.removeTree(event.taskId)) touched.add(id);
      return touched;
    }
    if (!task) return touched;
    // A task leaving `running` has no current speed; its last progress stays as stored.
    if (task.state !== 'running') {
      const lp = this.live.get(task.id);
      if (lp) lp.speed = null;
    }
    for (const id of this.upsert(task)) touched.add(id);
    return touched;
  }

  /** Best known progress: the live tick while running (fresher), else the stored row's. */
  progressOf(task: Task): TaskProgress | null {
    const lp = this.live.get(task.id);
    if (!lp) return task.progress;
    return task.state === 'running' || lp.at >= task.updatedAt ? lp.progress : task.progress;
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

  childIds(id: string): ReadonlySet<string> {
    return this.kids.get(id) ?? EMPTY;
  }

  /** A parent's children summed: counts by outcome, bytes, combined speed and ETA. */
  aggregate(id: string): Aggregate {
    const a: Aggregate = { total: 0, done: 0, failed: 0, cancelled: 0, running: 0, bytesDone: 0, units: 0, bytesTotal: 0, speed: null, eta: null };
    for (const cid of this.childIds(id)) {
      const c = this.tasks.get(cid);
      if (!c) continue;
      a.total += 1;
      if (c.state === 'completed') a.done += 1;
      else if (c.state === 'failed') a.failed += 1;
      else if (c.state === 'cancelled') a.cancelled += 1;
      else if (c.state === 'running') a.running += 1;
      const p = this.progressOf(c);
      a.bytesDone += p?.current ?? 0;
      if (c.state === 'completed') a.units += 1;
      else if (!isTerminal(c.state) && p) a.units += Math.min(1, Math.max(0, p.ratio ?? (p.total ? (p.current ?? 0) / p.total : 0)));
      if (a.bytesTotal !== null) a.bytesTotal = p?.total != null ? a.bytesTotal + p.total : null;
      const s = this.speedOf(cid);
      if (s !== null) a.speed = (a.speed ?? 0) + s;
    }
    if (a.total === 0) a.bytesTotal = null;
    if (a.speed !== null && a.speed > 0 && a.bytesTotal !== null) a.eta = Math.max(0, (a.bytesTotal - a.bytesDone) / a.speed);
    return a;
  }

  /** A task is a root when it has no parent we know of. */
  isRoot(task: Task): boolean {
    return task.parentId === null || !this.tasks.has(task.parentId);
  }

  /** Roots newest first, each with its children oldest first; a task whose parent is unknown is a root. */
  groups(filter: Filter = 'all'): TaskGroup[] {
    const roots = [...this.tasks.values()].filter((t) => this.isRoot(t));
    roots.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const out: TaskGroup[] = [];
    for (const root of roots) {
      const kids = [...this.childIds(root.id)].map((id) => this.tasks.get(id)!).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      const shown = kids.filter((k) => matches(k, filter));
      if (matches(root, filter) || shown.length > 0) out.push({ root, children: matches(root, filter) && filter === 'all' ? kids : shown });
    }
    return out;
  }

  /**
   * What "clear finished" removes: completed and cancelled roots (a root takes its tree). Failed
   * ones stay until the person retries or removes them; the plan counts them so the
   * confirmation can say so.
   */
  clearPlan(): ClearPlan {
    const plan: ClearPlan = { ids: [], completed: 0, cancelled: 0, keptFailed: 0 };
    for (const t of this.tasks.values()) {
      if (!this.isRoot(t)) continue;
      if (t.state === 'completed' || t.state === 'cancelled') {
        plan.ids.push(t.id);
        plan[t.state] += 1;
      } else if (t.state === 'failed') plan.keptFailed += 1;
    }
    return plan;
  }

  /** Ids of finished root tasks that clear-finished removes (failed ones are kept). */
  finishedRoots(): string[] {
    return this.clearPlan().ids;
  }

  counts(): Record<TaskState, number> {
    const c = { blocked: 0, queued: 0, running: 0, waiting: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const t of this.tasks.values()) c[t.state] += 1;
    return c;
  }

  /** Stores a newer row; returns the ids whose display changed (none for a checkpoint-only event). */
  private upsert(task: Task): string[] {
    const known = this.tasks.get(task.id);
    if (known && known.updatedAt > task.updatedAt) return [];
    if (!known) {
      this.put(task);
      this.version += 1;
      return task.parentId && this.tasks.has(task.parentId) ? [task.id, task.parentId] : [task.id];
    }
    const before = this.signature(known);
    const moved = known.state !== task.state || known.title !== task.title || known.parentId !== task.parentId;
    if (known.parentId !== task.parentId) this.unlink(known);
    this.put(task);
    if (moved) this.version += 1;
    if (!moved && this.signature(task) === before) return [];
    const parent = task.parentId && this.tasks.has(task.parentId) ? task.parentId : null;
    return parent ? [task.id, parent] : [task.id];
  }

  /** Everything a row shows that comes from the task row itself. */
  private signature(t: Task): string {
    const p = this.progressOf(t);
    const e = t.error;
    return `${t.state}|${t.title}|${p?.current}|${p?.total}|${p?.ratio}|${p?.message}|${e?.code}|${e?.message}|${t.attempt}|${t.maxAttempts}|${t.runs}|${t.runAt}|${t.finishedAt}|${JSON.stringify(t.result)}`;
  }

  private put(task: Task): void {
    this.tasks.set(task.id, task);
    if (task.parentId !== null) {
      let set = this.kids.get(task.parentId);
      if (!set) this.kids.set(task.parentId, (set = new Set()));
      set.add(task.id);
    }
  }

  private unlink(task: Task): void {
    if (task.parentId !== null) this.kids.get(task.parentId)?.delete(task.id);
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
    for (let i = 0; i < gone.length; i++) for (const c of this.childIds(gone[i]!)) gone.push(c);
    const parent = this.tasks.get(id)?.parentId;
    for (const g of gone) {
      const t = this.tasks.get(g);
      if (t) this.unlink(t);
      this.tasks.delete(g);
      this.live.delete(g);
      this.kids.delete(g);
    }
    this.version += 1;
    return parent && this.tasks.has(parent) ? [...gone, parent] : gone;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

export function matches(task: Task, filter: Filter): boolean {
  if (filter === 'all') return true;
  if (filter === 'active') return !isTerminal(task.state);
  return task.state === filter;
}
