import type { TaskAction } from './client';
import type { TaskListView } from './render-list';
import { actionAllowed } from './render-row';
import type { Session } from './session';

/**
 * Keyboard shortcuts. On a focused task row: ↑/↓ (or k/j) move between rows, Home/End jump,
 * ←/→ collapse or expand a playlist, P pauses or resumes, C cancels, R retries, Delete
 * removes, Enter opens details (the title is a button). Anywhere: "/" focuses search, Escape
 * closes the details drawer. Keys typed into a field are left alone.
 */

export interface KeyTargets {
  session: Session;
  list: TaskListView;
  search: HTMLInputElement;
  act(action: TaskAction, id: string): void;
  openDetails(id: string): void;
  closeDetails(): void;
  flush(): void;
}

function typing(el: Element | null): boolean {
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable);
}

export function bindKeys(root: HTMLElement, t: KeyTargets): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const active = document.activeElement;
    if (event.key === 'Escape') {
      if (document.querySelector('dialog[open]')) return; // the dialog handles its own Escape
      if (t.session.selected !== null) {
        event.preventDefault();
        t.closeDetails();
      }
      return;
    }
    if (typing(active)) return;
    if (event.key === '/') {
      event.preventDefault();
      t.search.focus();
      return;
    }
    const rowEl = active?.closest<HTMLElement>('li.task');
    const id = rowEl?.dataset.taskId;
    if (!id || !root.contains(rowEl)) return;
    const task = t.session.model.tasks.get(id);
    if (!task) return;
    const move = (index: number) => {
      if (index < 0 || index >= t.list.size) return;
      event.preventDefault();
      t.list.reveal(t.session, index)?.focus();
    };
    const here = t.list.indexOf(id);
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    switch (key) {
      case 'ArrowDown':
      case 'j':
        return move(here + 1);
      case 'ArrowUp':
      case 'k':
        return move(here - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(t.list.size - 1);
      case 'ArrowLeft':
      case 'ArrowRight':
        if (t.session.model.childIds(id).size === 0) return;
        event.preventDefault();
        t.session.list.toggleCollapsed(id, key === 'ArrowRight');
        t.flush();
        return;
      case 'p':
        event.preventDefault();
        if (actionAllowed('pause', task)) t.act('pause', id);
        else if (actionAllowed('resume', task)) t.act('resume', id);
        return;
      case 'c':
      case 'r':
      case 'Delete': {
        const action: TaskAction = key === 'c' ? 'cancel' : key === 'r' ? 'retry' : 'remove';
        event.preventDefault();
        if (actionAllowed(action, task)) t.act(action, id);
        return;
      }
      case 'd':
        event.preventDefault();
        t.openDetails(id);
        return;
    }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
