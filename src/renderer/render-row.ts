import { isTerminal, type Task, type TaskState } from '../shared/task';
import type { TaskAction } from './client';
import { h, setAttr, setHidden, setStyle, setText } from './dom';
import { explain } from './error-words';
import { formatBytes, formatDuration, formatSpeed } from './format';
import type { Aggregate, ActivityModel } from './store';
import { fileTarget, isPlaylist, stateWords, type FileTarget } from './task-view';

/**
 * One row of the virtual list, built once and patched in place (fixed height, text only):
 * line 1 the title, state and actions; line 2 the bar and figures; line 3 the state in plain
 * words (or the error as a sentence) and where the file goes.
 */

/** What a row needs besides its task. */
export interface RowContext {
  model: ActivityModel;
  now: number;
  /** Speed and ETA are stale while the service is away: hidden then. */
  online: boolean;
  /** 'electron' offers Show in folder / Open; the web host a Copy path button. */
  host: 'electron' | 'web';
  /** Task types that wait for the network while the host reports offline (empty while online). */
  offlineTypes: ReadonlySet<string>;
}

const ACTIONS: Record<TaskAction, { label: string; key: string; when: (t: Task) => boolean }> = {
  // A playlist waits on its videos: pausing it is one call, the engine pauses the videos.
  pause: { label: 'Pause', key: 'p', when: (t) => t.state === 'queued' || t.state === 'running' || t.state === 'blocked' || (t.state === 'waiting' && isPlaylist(t)) },
  resume: { label: 'Resume', key: 'p', when: (t) => t.state === 'paused' },
  cancel: { label: 'Cancel', key: 'c', when: (t) => !isTerminal(t.state) },
  retry: { label: 'Retry', key: 'r', when: (t) => t.state === 'failed' || t.state === 'cancelled' },
  remove: { label: 'Remove', key: 'Delete', when: (t) => isTerminal(t.state) },
};

export function actionAllowed(action: TaskAction, task: Task): boolean {
  return ACTIONS[action].when(task);
}

const STATE_LABEL: Record<TaskState, string> = {
  blocked: 'blocked',
  queued: 'queued',
  running: 'running',
  waiting: 'in progress',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Byte figures make sense for downloads; other types count items (e.g. videos of a playlist). */
function isBytes(task: Task): boolean {
  return task.type.includes('download');
}

export class TaskRow {
  readonly el: HTMLLIElement;
  private readonly toggle: HTMLButtonElement;
  private readonly title: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly bad: HTMLElement;
  private readonly figures: HTMLElement;
  private readonly words: HTMLElement;
  private readonly file: HTMLElement;
  private readonly fileButtons: HTMLButtonElement[];
  private readonly buttons = new Map<TaskAction, HTMLButtonElement>();

  constructor(readonly id: string, readonly depth: 0 | 1) {
    this.toggle = h('button', { type: 'button', class: 'toggle', 'data-action': 'toggle', 'data-id': id });
    this.title = h('button', { class: 'title', type: 'button', 'data-action': 'select', 'data-id': id });
    this.badge = h('span', { class: 'badge' });
    this.fill = h('div', { class: 'fill' });
    this.bad = h('div', { class: 'fill bad' });
    this.bar = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, this.fill, this.bad);
    this.figures = h('span', { class: 'figures' });
    this.words = h('span', { class: 'words' });
    this.file = h('span', { class: 'file' });
    this.fileButtons = [
      h('button', { type: 'button', class: 'act', 'data-action': 'copy-path', 'data-id': id, hidden: true }, 'Copy path'),
      h('button', { type: 'button', class: 'act', 'data-action': 'show-in-folder', 'data-id': id, hidden: true }, 'Show in folder'),
      h('button', { type: 'button', class: 'act', 'data-action': 'open-file', 'data-id': id, hidden: true }, 'Open'),
    ];
    const actions = h('div', { class: 'actions' });
    for (const [action, spec] of Object.entries(ACTIONS) as Array<[TaskAction, (typeof ACTIONS)[TaskAction]]>) {
      const b = h('button', { type: 'button', class: `act act-${action}`, 'data-action': action, 'data-id': id, 'aria-keyshortcuts': spec.key }, spec.label);
      this.buttons.set(action, b);
      actions.append(b);
    }
    this.el = h(
      'li',
      { class: depth === 0 ? 'task root' : 'task child', 'data-task-id': id },
      h('div', { class: 'line1' }, this.toggle, this.title, this.badge, actions),
      h('div', { class: 'line2' }, this.bar, this.figures),
      h('div', { class: 'line3' }, this.words, this.file, ...this.fileButtons),
    );
  }

  /** Puts the row at its place in the virtual list. */
  place(index: number, setSize: number, rowHeight: number): void {
    setStyle(this.el, 'transform', `translateY(${index * rowHeight}px)`);
    setAttr(this.el, 'aria-posinset', String(index + 1));
    setAttr(this.el, 'aria-setsize', String(setSize));
  }

  update(ctx: RowContext, task: Task, selected: boolean, childCount: number, collapsed: boolean): void {
    const name = task.title || task.id;
    const agg = childCount > 0 || isPlaylist(task) ? ctx.model.aggregate(task.id) : null;
    setHidden(this.toggle, this.depth !== 0 || childCount === 0);
    setText(this.toggle, collapsed ? '▸' : '▾');
    setAttr(this.toggle, 'aria-expanded', collapsed ? 'false' : 'true');
    setAttr(this.toggle, 'aria-label', `${collapsed ? 'Expand' : 'Collapse'} ${name}`);
    setText(this.title, name);
    setAttr(this.title, 'title', name);
    setAttr(this.title, 'aria-label', `Show details of ${name}`);
    setAttr(this.title, 'aria-pressed', selected ? 'true' : 'false');
    setText(this.badge, STATE_LABEL[task.state]);
    setAttr(this.badge, 'class', `badge state-${task.state}`);
    setAttr(this.el, 'data-state', task.state);
    setAttr(this.el, 'aria-current', selected ? 'true' : null);

    const { ratio, badRatio } = bar(ctx.model, task, agg);
    setAttr(this.bar, 'aria-label', `Progress of ${name}`);
    setAttr(this.bar, 'aria-valuenow', ratio === null ? null : String(Math.round(ratio * 100)));
    setStyle(this.fill, 'width', `${Math.round((ratio ?? 0) * 100)}%`);
    setStyle(this.bad, 'width', `${Math.round(badRatio * 100)}%`);
    setText(this.figures, agg ? playlistFigures(task, agg, ctx.online) : figures(ctx, task));

    const error = task.error && (task.state === 'failed' || task.state === 'queued') ? explain(task.error.code, task.error.message).sentence : null;
    const words = stateWords(task, ctx.now, ctx.offlineTypes);
    setText(this.words, error && task.state === 'failed' ? error : words);
    setAttr(this.words, 'class', task.state === 'failed' ? 'words task-error' : 'words');

    const target = fileTarget(task);
    setText(this.file, target ? `→ ${whereWords(task, target)}` : '');
    setAttr(this.file, 'title', target ? (target.path ?? target.dir) : null);
    const finished = target?.path != null;
    setHidden(this.fileButtons[0]!, !finished || ctx.host !== 'web');
    setHidden(this.fileButtons[1]!, !finished || ctx.host !== 'electron');
    setHidden(this.fileButtons[2]!, !finished || ctx.host !== 'electron');
    for (const b of this.fileButtons) setAttr(b, 'aria-label', `${b.textContent} of ${name}`);

    for (const [action, b] of this.buttons) {
      setHidden(b, !ACTIONS[action].when(task));
      setAttr(b, 'aria-label', `${ACTIONS[action].label} ${name}`);
    }
  }

  /** Focus lands on the title: the row's own control, which never hides. */
  focus(): void {
    this.title.focus();
  }
}

/** The file name first (the part that tells two downloads apart), then its folder. */
function whereWords(task: Task, t: FileTarget): string {
  if (t.name) return t.dir ? `${t.name} in ${t.dir}` : t.name;
  if (isPlaylist(task)) return `into ${t.dir ?? '?'}`;
  return `${t.dir ?? '?'} (file name set when the download starts)`;
}

function bar(model: ActivityModel, task: Task, agg: Aggregate | null): { ratio: number | null; badRatio: number } {
  if (agg && agg.total > 0) {
    // A playlist's bar shows what is done and, in red, what failed: never a full bar for "2 of 3 failed".
    return { ratio: agg.units / agg.total, badRatio: (agg.failed + agg.cancelled) / agg.total };
  }
  if (task.state === 'completed') return { ratio: 1, badRatio: 0 };
  const p = model.progressOf(task);
  const r = p?.ratio ?? (p?.total ? (p.current ?? 0) / p.total : null);
  return { ratio: r === null ? null : Math.min(1, Math.max(0, r)), badRatio: 0 };
}

/** "18 of 20 downloaded, 2 failed · 120 MB of 300 MB · 5.1 MB/s · 2 min left". */
export function playlistFigures(task: Task, a: Aggregate, online: boolean): string {
  if (a.total === 0) return isTerminal(task.state) ? '' : 'reading the playlist…';
  const bad = a.failed + a.cancelled;
  const parts = [`${a.done} of ${a.total} downloaded${a.failed > 0 ? `, ${a.failed} failed` : ''}${a.cancelled > 0 ? `, ${a.cancelled} cancelled` : ''}`];
  if (a.running > 0) parts.push(`${a.running} running`);
  if (a.bytesDone > 0) parts.push(a.bytesTotal !== null ? `${formatBytes(a.bytesDone)} of ${formatBytes(a.bytesTotal)}` : formatBytes(a.bytesDone));
  if (online && a.speed !== null && bad < a.total) parts.push(formatSpeed(a.speed));
  if (online && a.eta !== null) parts.push(`${formatDuration(a.eta)} left`);
  return parts.join(' · ');
}

function figures(ctx: RowContext, task: Task): string {
  const p = ctx.model.progressOf(task);
  const parts: string[] = [];
  if (p && p.current !== null) {
    if (isBytes(task)) parts.push(p.total !== null ? `${formatBytes(p.current)} of ${formatBytes(p.total)}` : formatBytes(p.current));
    else parts.push(p.total !== null ? `${p.current} of ${p.total}` : String(p.current));
  }
  if (ctx.online) {
    const speed = ctx.model.speedOf(task.id);
    if (speed !== null && isBytes(task)) parts.push(formatSpeed(speed));
    const eta = ctx.model.etaOf(task.id);
    if (eta !== null) parts.push(`${formatDuration(eta)} left`);
  }
  if (p?.message && !isTerminal(task.state)) parts.push(p.message);
  return parts.join(' · ');
}
