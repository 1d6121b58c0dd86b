import type { Task, TaskState } from '../shared/task';
import { matches, type ActivityModel, type Filter } from './store';
import { fileTarget } from './task-view';

/**
 * The list as the virtual scroller sees it: one flat array of rows (roots, and the children of
 * expanded roots), filtered by state and search text and sorted. Recomputed only when the
 * model's `version` or a view setting changes, never on a progress tick.
 */

export type Sort = 'newest' | 'oldest' | 'name' | 'status';
export const SORTS: ReadonlyArray<{ value: Sort; label: string }> = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'name', label: 'Name' },
  { value: 'status', label: 'Status' },
];

export interface ViewQuery {
  filter: Filter;
  /** Lower-cased search text; empty matches everything. */
  search: string;
  sort: Sort;
  collapsed: ReadonlySet<string>;
}

export interface Row {
  id: string;
  depth: 0 | 1;
  /** For a root: how many of its children pass the filter (shown or collapsed). */
  childCount: number;
}

const STATUS_RANK: Record<TaskState, number> = { running: 0, waiting: 1, queued: 2, blocked: 3, paused: 4, failed: 5, cancelled: 6, completed: 7 };

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function comparator(sort: Sort, children: boolean): (a: Task, b: Task) => number {
  const byCreated = (a: Task, b: Task) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (sort) {
    case 'newest':
      // Children keep playlist order: a playlist reads top to bottom.
      return children ? byCreated : (a, b) => byCreated(b, a);
    case 'oldest':
      return byCreated;
    case 'name':
      return (a, b) => collator.compare(a.title || a.id, b.title || b.id) || byCreated(a, b);
    case 'status':
      return (a, b) => STATUS_RANK[a.state] - STATUS_RANK[b.state] || byCreated(a, b);
  }
}

/** Per task row object: a task replaced by a newer row gets a fresh entry. */
const haystacks = new WeakMap<Task, string>();

/** What search looks at: the title, the address and the destination. */
function haystack(task: Task): string {
  let text = haystacks.get(task);
  if (text === undefined) haystacks.set(task, (text = buildHaystack(task)));
  return text;
}

function buildHaystack(task: Task): string {
  const input = (task.input ?? {}) as Record<string, unknown>;
  const file = fileTarget(task);
  return `${task.title}\n${typeof input.url === 'string' ? input.url : ''}\n${file?.path ?? file?.dir ?? ''}\n${file?.name ?? ''}`.toLowerCase();
}

export function visibleRows(model: ActivityModel, q: ViewQuery): Row[] {
  const pass = (t: Task) => matches(t, q.filter) && (q.search === '' || haystack(t).includes(q.search));
  const roots: Task[] = [];
  for (const t of model.tasks.values()) if (model.isRoot(t)) roots.push(t);
  roots.sort(comparator(q.sort, false));
  const byChild = comparator(q.sort, true);
  const rows: Row[] = [];
  for (const root of roots) {
    const ids = model.childIds(root.id);
    const rootPasses = pass(root);
    if (ids.size === 0) {
      if (rootPasses) rows.push({ id: root.id, depth: 0, childCount: 0 });
      continue;
    }
    const kids: Task[] = [];
    // An unfiltered playlist shows all its children; otherwise only the ones that match.
    const everyChild = rootPasses && q.filter === 'all' && q.search === '';
    for (const id of ids) {
      const c = model.tasks.get(id);
      if (c && (everyChild || pass(c))) kids.push(c);
    }
    if (!rootPasses && kids.length === 0) continue;
    rows.push({ id: root.id, depth: 0, childCount: kids.length });
    if (q.collapsed.has(root.id)) continue;
    kids.sort(byChild);
    for (const c of kids) rows.push({ id: c.id, depth: 1, childCount: 0 });
  }
  return rows;
}
