import { h, setHidden } from './dom';
import type { Row } from './order';
import { TaskRow, type RowContext } from './render-row';
import type { Dirty, Session } from './session';

/**
 * The task list, virtualized: rows have one fixed height (a CSS variable, larger on narrow
 * screens), the list is as tall as all of them, and only the rows in view (plus a few above and
 * below) exist in the DOM, keyed by task id. A progress tick patches the row it names if that
 * row is in view; a structural change recomputes the flat order once per frame.
 */

const OVERSCAN = 6;

export class TaskListView {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly mounted = new Map<string, TaskRow>();
  /** The flat-list entry each mounted row was placed from (its child count). */
  private readonly placed = new Map<string, Row>();
  private rowHeight = 76;
  private viewHeight = 600;
  private scrollTop = 0;
  private rows: Row[] = [];
  private ctx: RowContext | null = null;

  constructor(private readonly requestPaint: () => void) {
    this.list = h('ul', { class: 'tasks', 'aria-label': 'Tasks' });
    this.empty = h('p', { class: 'empty', role: 'note' });
    this.el = h('section', { class: 'list-pane', 'aria-label': 'Task list' }, this.empty, this.list);
    this.el.addEventListener('scroll', () => {
      this.scrollTop = this.el.scrollTop;
      this.requestPaint();
    }, { passive: true });
    new ResizeObserver(() => {
      this.measure();
      this.requestPaint();
    }).observe(this.el);
  }

  /** Reads the sizes that decide the window (once, and on resize: reading them forces layout). */
  measure(): void {
    const css = Number.parseFloat(getComputedStyle(this.el).getPropertyValue('--row-h'));
    if (css > 0) this.rowHeight = css;
    this.viewHeight = this.el.clientHeight || this.viewHeight;
    this.scrollTop = this.el.scrollTop;
  }

  /** How many rows the filter and search let through (for tests and the status line). */
  get size(): number {
    return this.rows.length;
  }

  render(session: Session, dirty: Dirty, ctx: RowContext, layout: boolean): void {
    this.ctx = ctx;
    if (dirty.structure || layout) {
      this.rows = session.list.rows();
      if (this.list.style.height !== `${this.rows.length * this.rowHeight}px`) this.list.style.height = `${this.rows.length * this.rowHeight}px`;
      if (this.list.dataset.count !== String(this.rows.length)) this.list.dataset.count = String(this.rows.length);
      this.mountWindow(session, ctx);
      this.renderEmpty(session);
      return;
    }
    for (const id of dirty.rows) {
      const row = this.mounted.get(id);
      if (row) this.updateRow(session, ctx, row);
    }
  }

  /** Patches every mounted row (the one-second clock for countdowns and the connection state). */
  refreshAll(session: Session, ctx: RowContext): void {
    for (const row of this.mounted.values()) this.updateRow(session, ctx, row);
  }

  rowEl(id: string): TaskRow | undefined {
    return this.mounted.get(id);
  }

  /** The flat index of a task, -1 when filtered out or collapsed. */
  indexOf(id: string): number {
    return this.rows.findIndex((r) => r.id === id);
  }

  rowAt(index: number): Row | undefined {
    return this.rows[index];
  }

  /** Scrolls so the row at `index` is in view and mounts it at once (for keyboard moves). */
  reveal(session: Session, index: number): TaskRow | undefined {
    const top = index * this.rowHeight;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + this.rowHeight > this.el.scrollTop + this.viewHeight) this.el.scrollTop = top + this.rowHeight - this.viewHeight;
    this.scrollTop = this.el.scrollTop;
    if (this.ctx) this.mountWindow(session, this.ctx);
    const row = this.rows[index];
    return row ? this.mounted.get(row.id) : undefined;
  }

  private mountWindow(session: Session, ctx: RowContext): void {
    const first = Math.max(0, Math.floor(this.scrollTop / this.rowHeight) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.scrollTop + this.viewHeight) / this.rowHeight) + OVERSCAN);
    const keep = new Set<string>();
    for (let i = first; i < last; i++) {
      const r = this.rows[i]!;
      keep.add(r.id);
      let row = this.mounted.get(r.id);
      // A task that moved between root and child (its parent arrived later) gets a fresh row.
      if (row && row.depth !== r.depth) {
        row.el.remove();
        row = undefined;
      }
      if (!row) {
        row = new TaskRow(r.id, r.depth);
        this.mounted.set(r.id, row);
        this.list.append(row.el);
      }
      row.place(i, this.rows.length, this.rowHeight);
      this.placed.set(r.id, r);
      this.updateRow(session, ctx, row, r);
    }
    this.order(first, last);
    for (const [id, row] of this.mounted) {
      if (keep.has(id)) continue;
      // Keep the focused row until focus moves on: removing it would drop focus to <body>.
      if (row.el.contains(document.activeElement) && this.rows.some((r) => r.id === id)) continue;
      row.el.remove();
      this.mounted.delete(id);
      this.placed.delete(id);
    }
  }

  /**
   * DOM order follows the visual order, so Tab and screen readers walk the rows top to
   * bottom. Moving the focused row would blur it, so focus is put back if that happened.
   */
  private order(first: number, last: number): void {
    const active = document.activeElement as HTMLElement | null;
    let at = 0;
    for (let i = first; i < last; i++) {
      const el = this.mounted.get(this.rows[i]!.id)!.el;
      const here = this.list.children[at];
      if (here !== el) this.list.insertBefore(el, here ?? null);
      at += 1;
    }
    if (active && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true });
  }

  private updateRow(session: Session, ctx: RowContext, row: TaskRow, known?: Row): void {
    const task = session.model.tasks.get(row.id);
    if (!task) return;
    const r = known ?? this.placed.get(row.id);
    row.update(ctx, task, session.selected === row.id, r?.childCount ?? 0, session.list.collapsed.has(row.id));
  }

  private renderEmpty(session: Session): void {
    setHidden(this.empty, this.rows.length > 0);
    this.empty.textContent = !session.loaded
      ? 'Loading tasks…'
      : session.model.tasks.size === 0
        ? 'No tasks yet. Import a playlist or download a URL to start.'
        : session.list.search
          ? `No tasks match "${session.list.search}".`
          : `No tasks match the filter "${session.list.filter}".`;
  }
}
