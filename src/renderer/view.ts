import type { TaskAction } from './client';
import { h } from './dom';
import { ChromeView } from './render-chrome';
import { DetailsView } from './render-details';
import { requestFromForm, renderForms } from './render-forms';
import { TaskListView } from './render-list';
import type { Dirty, Session } from './session';
import type { Filter } from './store';

/**
 * Mounts the Activity Center and keeps it in step with the session. Changes are merged and
 * painted once per animation frame, so hundreds of ticking tasks cost one paint, not hundreds.
 * Clicks are handled by one delegated listener reading data-action / data-id.
 */
export function mountView(root: HTMLElement, session: Session): () => void {
  const chrome = new ChromeView();
  const list = new TaskListView();
  const details = new DetailsView();
  root.replaceChildren(chrome.header, h('main', { class: 'layout' }, h('div', { class: 'left' }, renderForms(), chrome.toolbar, list.el), details.el));

  let pending: Dirty | null = null;
  let frame = 0;
  const paint = () => {
    frame = 0;
    const d = pending;
    pending = null;
    if (!d) return;
    list.render(session, d);
    if (d.chrome || d.structure) chrome.render(session);
    if (d.details) details.render(session);
  };
  const off = session.onDirty((d) => {
    if (pending) {
      pending.structure ||= d.structure;
      pending.chrome ||= d.chrome;
      pending.details ||= d.details;
      for (const id of d.rows) pending.rows.add(id);
    } else pending = { structure: d.structure, chrome: d.chrome, details: d.details, rows: new Set(d.rows) };
    if (!frame) frame = requestAnimationFrame(paint);
  });

  const ACTIONS = new Set<string>(['cancel', 'pause', 'resume', 'retry', 'remove']);
  root.addEventListener('click', (event) => {
    const target = (event.target as Element).closest<HTMLElement>('[data-action]');
    if (!target || target.tagName === 'SELECT') return;
    const action = target.dataset.action!;
    const id = target.dataset.id;
    if (ACTIONS.has(action) && id) void session.act(action as TaskAction, id);
    else if (action === 'select' && id) void session.select(session.selected === id ? null : id);
    else if (action === 'close-details') void session.select(null);
    else if (action === 'toggle-queue') void session.toggleQueue();
    else if (action === 'clear-finished') void session.clearFinished();
    else if (action === 'dismiss-alert') session.dismissAlert();
  });
  root.addEventListener('change', (event) => {
    const el = event.target as HTMLSelectElement;
    if (el.dataset.action === 'filter') session.setFilter(el.value as Filter);
  });
  root.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const req = requestFromForm(form);
    if (!req) return;
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement | null;
    if (button) button.disabled = true;
    void session.create(req).then((ok) => {
      if (button) button.disabled = false;
      // Keep the folder for the next one; a failure keeps the URL so it can be fixed.
      if (ok) (form.elements.namedItem('url') as HTMLInputElement).value = '';
    });
  });

  pending = { structure: true, chrome: true, details: true, rows: new Set() };
  paint();
  return () => {
    off();
    if (frame) cancelAnimationFrame(frame);
  };
}
