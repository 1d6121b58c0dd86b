import { isTerminal, type Task, type TaskState } from '../shared/task';
import type { TaskAction } from './client';
import { h, setAttr, setText } from './dom';
import { formatBytes, formatDuration, formatSpeed } from './format';
import type { ActivityModel } from './store';

/**
 * One task row, built once and patched in place: title, state badge, progress bar with bytes,
 * speed and ETA, the error if any, and the actions the state allows.
 */

const ACTIONS: Record<TaskAction, { label: string; when: (s: TaskState) => boolean }> = {
  pause: { label: 'Pause', when: (s) => s === 'queued' || s === 'running' || s === 'blocked' },
  resume: { label: 'Resume', when: (s) => s === 'paused' },
  cancel: { label: 'Cancel', when: (s) => !isTerminal(s) },
  retry: { label: 'Retry', when: (s) => s === 'failed' || s === 'cancelled' },
  remove: { label: 'Remove', when: (s) => isTerminal(s) },
};

/** Byte figures make sense for downloads; other types count items (e.g. videos of a playlist). */
function isBytes(task: Task): boolean {
  return task.type.includes('download');
}

export class TaskRow {
  readonly el: HTMLElement;
  readonly childList: HTMLUListElement;
  private readonly title: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly figures: HTMLElement;
  private readonly error: HTMLElement;
  private readonly buttons = new Map<TaskAction, HTMLButtonElement>();

  constructor(readonly id: string, nested: boolean) {
    this.title = h('button', { class: 'title', type: 'button', 'data-action': 'select', 'data-id': id });
    this.badge = h('span', { class: 'badge' });
    this.fill = h('div', { class: 'fill' });
    this.bar = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, this.fill);
    this.figures = h('span', { class: 'figures' });
    this.error = h('p', { class: 'task-error', hidden: true });
    const actions = h('div', { class: 'actions' });
    for (const [action, spec] of Object.entries(ACTIONS) as Array<[TaskAction, (typeof ACTIONS)[TaskAction]]>) {
      const b = h('button', { type: 'button', class: `act act-${action}`, 'data-action': action, 'data-id': id }, spec.label);
      this.buttons.set(action, b);
      actions.append(b);
    }
    const row = h('div', { class: 'row' }, h('div', { class: 'head' }, this.title, this.badge), h('div', { class: 'meter' }, this.bar, this.figures), this.error, actions);
    this.childList = h('ul', { class: 'children', role: 'list' });
    this.el = h('li', { class: nested ? 'task child' : 'task group', 'data-task-id': id }, row);
    if (!nested) this.el.append(this.childList);
  }

  update(model: ActivityModel, task: Task, selected: boolean, childCount: number): void {
    const name = task.title || task.id;
    setText(this.title, childCount > 0 ? `${name} (${childCount})` : name);
    setAttr(this.title, 'aria-label', `Show history of ${name}`);
    setAttr(this.title, 'aria-pressed', selected ? 'true' : 'false');
    setText(this.badge, task.state);
    setAttr(this.badge, 'class', `badge state-${task.state}`);
    setAttr(this.el, 'data-state', task.state);

    const p = model.progressOf(task);
    const ratio = task.state === 'completed' ? 1 : (p?.ratio ?? (p?.total ? (p.current ?? 0) / p.total : null));
    setAttr(this.bar, 'aria-label', `Progress of ${name}`);
    if (ratio === null) {
      setAttr(this.bar, 'aria-valuenow', null);
      this.fill.style.width = '0%';
    } else {
      const pct = Math.round(Math.min(1, Math.max(0, ratio)) * 100);
      setAttr(this.bar, 'aria-valuenow', String(pct));
      this.fill.style.width = `${pct}%`;
    }
    setText(this.figures, figures(model, task, p));

    this.error.hidden = task.error === null;
    setText(this.error, task.error ? `${task.error.code}: ${task.error.message}` : '');
    for (const [action, b] of this.buttons) {
      b.hidden = !ACTIONS[action].when(task.state);
      setAttr(b, 'aria-label', `${ACTIONS[action].label} ${name}`);
    }
  }
}

function figures(model: ActivityModel, task: Task, p: ReturnType<ActivityModel['progressOf']>): string {
  const parts: string[] = [];
  if (p && p.current !== null) {
    if (isBytes(task)) parts.push(p.total !== null ? `${formatBytes(p.current)} of ${formatBytes(p.total)}` : formatBytes(p.current));
    else parts.push(p.total !== null ? `${p.current} of ${p.total}` : String(p.current));
  }
  const speed = model.speedOf(task.id);
  if (speed !== null && isBytes(task)) parts.push(formatSpeed(speed));
  const eta = model.etaOf(task.id);
  if (eta !== null) parts.push(`${formatDuration(eta)} left`);
  if (p?.message && !isTerminal(task.state)) parts.push(p.message);
  if (task.attempt > 1 && !isTerminal(task.state)) parts.push(`attempt ${task.attempt} of ${task.maxAttempts}`);
  return parts.join(' · ');
}
