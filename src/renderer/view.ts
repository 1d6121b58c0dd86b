import type { TaskAction } from './client';
import { copyText, fileAction, hostKind, pickFolder, type FileAction } from './desktop';
import { h } from './dom';
import { bindKeys } from './keys';
import type { Sort } from './order';
import { ChromeView } from './render-chrome';
import { confirmClear } from './render-confirm';
import { DetailsView } from './render-details';
import { FormsView, requestFromForm, setFolder } from './render-forms';
import { TaskListView } from './render-list';
import type { RowContext } from './render-row';
import type { Dirty, Session } from './session';
import type { Filter } from './store';
import { fileTarget } from './task-view';

/**
 * Mounts the Activity Center and keeps it in step with the session. Changes are merged and
 * painted once per animation frame, so hundreds of ticking tasks cost one paint, not hundreds.
 * Clicks are handled by one delegated listener reading data-action / data-id; keys by keys.ts.
 */

const ACTIONS = new Set<string>(['cancel', 'pause', 'resume', 'retry', 'remove']);
/** Where focus goes after an action hid the button that was pressed. */
const COUNTERPART: Partial<Record<TaskAction, TaskAction>> = { pause: 'resume', resume: 'pause', cancel: 'retry', retry: 'cancel' };

export interface ViewHandle {
  dispose(): void;
  /** Paints pending changes now (tests, and focus moves that need the new DOM). */
  flush(): void;
}

export function mountView(root: HTMLElement, session: Session): ViewHandle {
  const host = hostKind();
  const chrome = new ChromeView();
  const forms = new FormsView();
  const details = new DetailsView();
  let pending: Dirty | null = null;
  let layout = false;
  let frame = 0;
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(paint);
  };
  const list = new TaskListView(() => {
    layout = true;
    schedule();
  });
  const keyHelp = h('p', { class: 'keys' }, 'Keys on a task: ↑ ↓ move · ← → collapse or expand · P pause or resume · C cancel · R retry · Delete remove · Enter details · / search · Esc close');
  root.replaceChildren(chrome.header, chrome.banner, h('main', { class: 'layout' }, forms.el, chrome.toolbar, list.el, keyHelp), details.el);
  list.measure();

  const ctx = (): RowContext => ({ model: session.model, now: Date.now(), online: session.online, host, offlineTypes: session.offlineTypes });

  function paint(): void {
    frame = 0;
    const d = pending;
    const relayout = layout;
    pending = null;
    layout = false;
    if (!d && !relayout) return;
    const dirty = d ?? { structure: false, chrome: false, details: false, rows: new Set<string>() };
    const c = ctx();
    list.render(session, dirty, c, relayout);
    if (dirty.chrome || dirty.structure) {
      chrome.render(session);
      forms.render(session);
      // Online or not decides whether rows show speed and ETA.
      if (dirty.chrome) list.refreshAll(session, c);
    }
    if (dirty.details && details.render(session, c.now)) details.focus();
  }

  const off = session.onDirty((d) => {
    if (pending) {
      pending.structure ||= d.structure;
      pending.chrome ||= d.chrome;
      pending.details ||= d.details;
      for (const id of d.rows) pending.rows.add(id);
    } else pending = { structure: d.structure, chrome: d.chrome, details: d.details, rows: new Set(d.rows) };
    schedule();
  });

  // Countdowns ("retrying in 12 s") and the details' state words move with the clock.
  const clock = setInterval(() => {
    const c = ctx();
    list.refreshAll(session, c);
    if (session.selected) details.render(session, c.now);
  }, 1000);

  const flush = () => {
    if (frame) cancelAnimationFrame(frame);
    paint();
  };

  /** Runs an action and keeps focus on its row (the pressed button may have just hidden). */
  async function act(action: TaskAction, id: string): Promise<void> {
    const index = list.indexOf(id);
    await session.act(action, id);
    flush();
    const active = document.activeElement;
    if (active && active !== document.body && !(active as HTMLElement).hidden && root.contains(active)) return;
    const row = list.rowEl(id) ?? (() => {
      const next = list.rowAt(Math.min(index, list.size - 1));
      return next ? list.reveal(session, list.indexOf(next.id)) : undefined;
    })();
    const other = COUNTERPART[action];
    const button = other ? row?.el.querySelector<HTMLButtonElement>(`button[data-action="${other}"]`) : null;
    if (button && !button.hidden) button.focus();
    else row?.focus();
  }

  async function clearFinished(): Promise<void> {
    const plan = session.model.clearPlan();
    if (plan.ids.length === 0) return;
    if (await confirmClear(root, plan)) await session.clearFinished();
  }

  async function onFile(action: FileAction | 'copy-path', id: string, button: HTMLElement): Promise<void> {
    const task = session.model.tasks.get(id);
    const path = task ? fileTarget(task)?.path : null;
    if (action === 'copy-path') {
      if (path && (await copyText(path))) {
        button.textContent = 'Copied';
        setTimeout(() => (button.textContent = 'Copy path'), 1500);
      }
      return;
    }
    const answer = await fileAction(action, id);
    if (!answer.ok) session.notify(answer.message ?? 'The file could not be opened.');
  }

  root.addEventListener('click', (event) => {
    const target = (event.target as Element).closest<HTMLElement>('[data-action]');
    if (!target || target.tagName === 'SELECT' || target.tagName === 'INPUT') return;
    const action = target.dataset.action!;
    const id = target.dataset.id;
    if (ACTIONS.has(action) && id) void act(action as TaskAction, id);
    else if (action === 'select' && id) void session.select(session.selected === id ? null : id);
    else if (action === 'toggle' && id) session.list.toggleCollapsed(id);
    else if (action === 'close-details') closeDetails();
    else if (action === 'more-history') void session.loadMoreHistory();
    else if (action === 'toggle-queue') void session.toggleQueue();
    else if (action === 'clear-finished') void clearFinished();
    else if (action === 'dismiss-alert') session.dismissAlert();
    else if ((action === 'copy-path' || action === 'show-in-folder' || action === 'open-file') && id) void onFile(action, id, target);
    else if (action === 'pick-folder' && target.dataset.form) {
      const formId = target.dataset.form;
      void pickFolder().then((dir) => dir && setFolder(root, formId, dir));
    }
  });
  root.addEventListener('input', (event) => {
    const el = event.target as HTMLInputElement;
    if (el.dataset.action === 'search') session.list.setSearch(el.value);
  });
  root.addEventListener('change', (event) => {
    const el = event.target as HTMLSelectElement;
    if (el.dataset.action === 'filter') session.list.setFilter(el.value as Filter);
    else if (el.dataset.action === 'sort') session.list.setSort(el.value as Sort);
  });
  root.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const req = requestFromForm(form);
    if (!req) return;
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement | null;
    if (button) button.disabled = true;
    const sent = (req.input as { url: string }).url;
    void session.create(req).then((ok) => {
      if (button) button.disabled = false;
      // Keep the folder for the next one; a failure keeps the URL so it can be fixed. An
      // address typed while this one was on its way is the next request: never erase it.
      const field = form.elements.namedItem('url') as HTMLInputElement;
      if (ok && field.value.trim() === sent) field.value = '';
    });
  });

  function closeDetails(): void {
    const id = session.selected;
    if (id === null) return;
    void session.select(null);
    flush();
    // Back to the row the details were opened from.
    const index = list.indexOf(id);
    if (index >= 0) list.reveal(session, index)?.focus();
  }

  const unbindKeys = bindKeys(root, { session, list, search: chrome.search, act: (a, id) => void act(a, id), closeDetails, openDetails: (id) => void session.select(id), flush });

  pending = { structure: true, chrome: true, details: true, rows: new Set() };
  paint();
  return {
    flush,
    dispose() {
      off();
      unbindKeys();
      clearInterval(clock);
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
