import type { Task } from '../shared/task';
import { h } from './dom';
import { explain } from './error-words';
import { formatTime } from './format';
import { groupHistory } from './history';
import type { Session } from './session';
import { attemptsOf, fileTarget, stateWords } from './task-view';

/**
 * The Details drawer: it slides over the list from the right (at any width, so it is never
 * off-screen below the list), shows the selected task's fields, where its file goes, the
 * error as a sentence with the technical detail behind a disclosure, and its history with
 * checkpoint runs folded, paged through the whole journal. Escape or Close shuts it.
 */
export class DetailsView {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly heading: HTMLElement;
  private shownFor: string | null = null;
  private shownKey = '';

  constructor() {
    this.heading = h('h2', { tabindex: -1 }, 'Details');
    this.body = h('div', { class: 'details-body' });
    const close = h('button', { type: 'button', class: 'close', 'data-action': 'close-details', 'aria-label': 'Close details', 'aria-keyshortcuts': 'Escape' }, 'Close');
    this.el = h('aside', { class: 'details', 'aria-label': 'Task details', hidden: true }, h('div', { class: 'details-head' }, this.heading, close), this.body);
  }

  /** Whether it opened for a new task (the caller moves focus into it then). */
  render(session: Session, now: number): boolean {
    const task = session.selected ? session.model.tasks.get(session.selected) : undefined;
    this.el.hidden = !task;
    if (!task) {
      this.shownFor = null;
      this.shownKey = '';
      this.body.replaceChildren();
      return false;
    }
    const opened = this.shownFor !== task.id;
    // Progress ticks of the selected task change nothing shown here: skip them, so a repaint
    // never steals focus from the disclosure or the "more" button while someone reads.
    const key = `${task.id}|${task.updatedAt}|${stateWords(task, now, session.offlineTypes)}|${session.history.length}|${session.history[session.history.length - 1]?.seq}|${session.historyMore}`;
    if (!opened && key === this.shownKey) return false;
    this.shownKey = key;
    this.shownFor = task.id;
    const focused = this.body.contains(document.activeElement) ? focusKey(document.activeElement!) : null;
    const name = task.title || task.id;
    const a = attemptsOf(task);
    const file = fileTarget(task);
    const input = (task.input ?? {}) as Record<string, unknown>;
    const fields = h(
      'dl',
      { class: 'fields' },
      ...pair('State', stateWords(task, now, session.offlineTypes) === task.state ? task.state : `${task.state} — ${stateWords(task, now, session.offlineTypes)}`),
      ...pair('Tries', `${a.failed} failed of ${a.max} allowed · started ${a.runs} time${a.runs === 1 ? '' : 's'}`),
      ...(typeof input.url === 'string' ? pair('Address', input.url) : []),
      ...(file?.dir ? pair('Folder', file.dir) : []),
      ...(file ? pair('File', file.name ?? 'named when the download starts') : []),
      ...(file?.path ? pair('Saved as', file.path) : []),
      ...pair('Type', task.type),
      ...pair('Created', formatTime(task.createdAt)),
      ...(task.finishedAt ? pair('Finished', formatTime(task.finishedAt)) : []),
    );
    const parts: Node[] = [h('h3', {}, name), fields];
    // A repaint must not close the disclosure the person opened.
    const detailOpen = !opened && (this.body.querySelector<HTMLDetailsElement>('.error-block details')?.open ?? false);
    if (task.error) parts.push(errorBlock(task, detailOpen));
    const lines = groupHistory(session.history).map((l) =>
      h('li', {}, h('time', {}, formatTime(l.at)), ' ', l.text, l.count > 1 ? h('span', { class: 'muted' }, ` until ${formatTime(l.until)}`) : null),
    );
    parts.push(h('h4', {}, 'History'), h('ol', { class: 'history', 'aria-label': `History of ${name}` }, ...lines));
    if (session.historyMore) parts.push(h('button', { type: 'button', 'data-action': 'more-history' }, 'Show more history'));
    this.body.replaceChildren(...parts);
    if (focused) (this.body.querySelector<HTMLElement>(focused) ?? this.heading).focus();
    return opened;
  }

  focus(): void {
    this.heading.focus();
  }
}

function errorBlock(task: Task, open: boolean): HTMLElement {
  const e = explain(task.error!.code, task.error!.message);
  return h('div', { class: 'error-block' }, h('p', { class: 'task-error' }, e.sentence), h('details', { open }, h('summary', {}, 'Technical detail'), h('code', {}, e.detail)));
}

/** A selector finding the rebuilt twin of a focused control (the body is rebuilt on change). */
function focusKey(el: Element): string | null {
  if (el.tagName === 'SUMMARY') return '.error-block summary';
  const action = el.getAttribute('data-action');
  return action ? `[data-action="${action}"]` : null;
}

function pair(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}
