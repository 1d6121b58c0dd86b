import { h, reconcile } from './dom';
import { TaskRow } from './render-row';
import type { Dirty, Session } from './session';

/**
 * The task list: groups (root tasks) with their children, keyed by task id. A structural
 * change re-orders existing rows (moving only what moved); a progress tick patches the rows
 * it names and nothing else.
 */
export class TaskListView {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly rows = new Map<string, TaskRow>();

  constructor() {
    this.list = h('ul', { class: 'tasks', role: 'list', 'aria-label': 'Tasks' });
    this.empty = h('p', { class: 'empty', role: 'note' });
    this.el = h('section', { class: 'list-pane', 'aria-label': 'Task list' }, this.empty, this.list);
  }

  render(session: Session, dirty: Dirty): void {
    const { model } = session;
    if (dirty.structure) {
      const groups = model.groups(session.filter);
      const seen = new Set<string>();
      const roots: Element[] = [];
      for (const g of groups) {
        const row = this.row(g.root.id, false);
        seen.add(g.root.id);
        row.update(model, g.root, session.selected === g.root.id, g.children.length);
        const kids: Element[] = [];
        for (const c of g.children) {
          const cr = this.row(c.id, true);
          seen.add(c.id);
          cr.update(model, c, session.selected === c.id, 0);
          kids.push(cr.el);
        }
        reconcile(row.childList, kids);
        roots.push(row.el);
      }
      reconcile(this.list, roots);
      for (const id of [...this.rows.keys()]) if (!seen.has(id)) this.rows.delete(id);
      this.empty.hidden = groups.length > 0;
      this.empty.textContent = !session.loaded
        ? 'Loading tasks…'
        : model.tasks.size === 0
          ? 'No tasks yet. Import a playlist or download a URL to start.'
          : `No tasks match the filter "${session.filter}".`;
      return;
    }
    for (const id of dirty.rows) {
      const row = this.rows.get(id);
      const task = model.tasks.get(id);
      if (row && task) row.update(model, task, session.selected === id, row.childList.children.length);
    }
  }

  private row(id: string, nested: boolean): TaskRow {
    let row = this.rows.get(id);
    // A task that moved between root and child (its parent arrived later) gets a fresh row.
    if (row && row.el.classList.contains('child') !== nested) row = undefined;
    if (!row) {
      row = new TaskRow(id, nested);
      this.rows.set(id, row);
    }
    return row;
  }
}
