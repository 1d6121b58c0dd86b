import type { TaskEvent } from '../shared/task';
import { h } from './dom';
import { formatTime } from './format';
import type { Session } from './session';

/** The details panel: the selected task's fields and its history from the event journal. */
export class DetailsView {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    this.body = h('div', { class: 'details-body' });
    this.el = h('aside', { class: 'details', 'aria-label': 'Task details' }, h('h2', {}, 'Details'), this.body);
  }

  render(session: Session): void {
    const task = session.selected ? session.model.tasks.get(session.selected) : undefined;
    if (!task) {
      this.body.replaceChildren(h('p', { class: 'empty' }, 'Select a task to see its history.'));
      return;
    }
    const fields = h(
      'dl',
      { class: 'fields' },
      ...pair('Title', task.title || task.id),
      ...pair('Type', task.type),
      ...pair('State', task.state),
      ...pair('Attempt', `${task.attempt} of ${task.maxAttempts}`),
      ...pair('Created', formatTime(task.createdAt)),
      ...(task.finishedAt ? pair('Finished', formatTime(task.finishedAt)) : []),
      ...(task.error ? pair('Error', `${task.error.code}: ${task.error.message}`) : []),
    );
    const items = session.history.map((e) => h('li', {}, h('time', {}, formatTime(e.at)), ' ', describe(e)));
    const history = h('ol', { class: 'history', 'aria-label': `History of ${task.title || task.id}` }, ...items);
    const close = h('button', { type: 'button', 'data-action': 'close-details', 'aria-label': 'Close details' }, 'Close');
    this.body.replaceChildren(h('h3', {}, task.title || task.id), fields, h('h4', {}, 'History'), history, close);
  }
}

function pair(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function describe(e: TaskEvent): string {
  const detail = e.data && typeof e.data === 'object' ? summarize(e.data as Record<string, unknown>) : '';
  switch (e.kind) {
    case 'created':
      return `created (${e.to ?? ''})`;
    case 'state':
      return `${e.from ?? '?'} → ${e.to ?? '?'}${detail}`;
    case 'checkpoint':
      return `checkpoint saved${detail}`;
    case 'error':
      return `error${detail}`;
    case 'removed':
      return 'removed';
    case 'title':
      return `retitled${detail}`;
    case 'log':
      return `log${detail}`;
  }
}

function summarize(data: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['reason', 'code', 'message', 'cause']) {
    const v = data[key];
    if (typeof v === 'string' || typeof v === 'number') parts.push(String(v));
  }
  return parts.length > 0 ? `: ${parts.join(' — ')}` : '';
}
