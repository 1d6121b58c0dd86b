import { TASK_STATES, type TaskState } from '../shared/task';
import { h, setAttr, setText } from './dom';
import { SORTS } from './order';
import type { Session } from './session';

/**
 * Everything around the list: the connection status (role=status), a count for every state
 * with the throughput labelled, queue pause/resume, search, state filter, sort, "clear
 * finished", the alert (a sentence, the technical detail behind a disclosure) and the banner
 * for a data folder held by another instance.
 */

const COUNT_LABEL: Record<TaskState, string> = {
  running: 'running',
  queued: 'queued',
  blocked: 'blocked',
  waiting: 'in progress',
  paused: 'paused',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};
const COUNT_ORDER: readonly TaskState[] = ['running', 'queued', 'blocked', 'waiting', 'paused', 'completed', 'failed', 'cancelled'];

export class ChromeView {
  readonly header: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly banner: HTMLElement;
  readonly search: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly alertText: HTMLElement;
  private readonly alertDetail: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly queueButton: HTMLButtonElement;
  private readonly counts = new Map<TaskState, HTMLElement>();
  private readonly throughput: HTMLElement;
  private readonly filter: HTMLSelectElement;
  private readonly sort: HTMLSelectElement;
  private readonly clear: HTMLButtonElement;

  constructor() {
    this.status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.queueButton = h('button', { type: 'button', 'data-action': 'toggle-queue' });
    const countList = h('ul', { class: 'counts', 'aria-label': 'Task counts' });
    for (const state of COUNT_ORDER) {
      const n = h('span', { class: 'n' });
      this.counts.set(state, n);
      countList.append(h('li', { 'data-count': state }, n, ` ${COUNT_LABEL[state]}`));
    }
    this.throughput = h('span', { class: 'n' });
    countList.append(h('li', { 'data-count': 'throughput', title: 'Tasks finished in the last minute' }, 'Throughput: ', this.throughput));
    this.header = h('header', { class: 'top' }, h('h1', {}, 'Activity Center'), this.status, this.queueButton, countList);

    this.banner = h('div', { class: 'banner', role: 'alert', hidden: true });
    this.search = h('input', { id: 'search', type: 'search', 'data-action': 'search', placeholder: 'Title, address or folder', autocomplete: 'off', 'aria-keyshortcuts': '/' });
    this.filter = h('select', { id: 'state-filter', 'data-action': 'filter' });
    for (const value of ['all', 'active', ...TASK_STATES]) this.filter.append(h('option', { value }, value));
    this.sort = h('select', { id: 'sort', 'data-action': 'sort' });
    for (const s of SORTS) this.sort.append(h('option', { value: s.value }, s.label));
    this.clear = h('button', { type: 'button', 'data-action': 'clear-finished' }, 'Clear finished…');
    this.alertText = h('span', { class: 'alert-text' });
    this.alertDetail = h('code', {});
    this.alert = h(
      'div',
      { class: 'alert', role: 'alert', hidden: true },
      this.alertText,
      h('details', {}, h('summary', {}, 'Technical detail'), this.alertDetail),
      h('button', { type: 'button', 'data-action': 'dismiss-alert', 'aria-label': 'Dismiss error' }, '×'),
    );
    this.notice = h('p', { class: 'notice', 'aria-live': 'polite', hidden: true });
    this.toolbar = h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'search' }, 'Search'),
      this.search,
      h('label', { for: 'state-filter' }, 'Show'),
      this.filter,
      h('label', { for: 'sort' }, 'Sort'),
      this.sort,
      this.clear,
      this.alert,
      this.notice,
    );
  }

  render(session: Session): void {
    const s = session.status;
    const text =
      s.kind === 'live'
        ? 'Live'
        : s.kind === 'connecting'
          ? 'Connecting…'
          : s.kind === 'reconnecting'
            ? `Service restarting…${s.message ? ` ${s.message}` : ''}`
            : s.kind === 'locked'
              ? 'Data folder in use by another instance'
              : `Service unavailable: ${s.message}`;
    setText(this.status, text);
    setAttr(this.status, 'data-state', s.kind);
    this.banner.hidden = s.kind !== 'locked';
    setText(
      this.banner,
      s.kind === 'locked'
        ? `Another Playlistify is already using this data folder, so this one cannot show or run tasks. Close the other window or process, then reload this page. (${s.message})`
        : '',
    );

    this.alert.hidden = session.alert === null;
    setText(this.alertText, session.alert ?? '');
    setText(this.alertDetail, session.alertDetail ?? '');
    const waiting = session.unsent.length;
    this.notice.hidden = waiting === 0;
    setText(this.notice, waiting === 0 ? '' : `${waiting === 1 ? '1 request waits' : `${waiting} requests wait`} for the service and will be sent when it is back.`);

    setText(this.queueButton, session.queuePaused ? 'Resume queue' : 'Pause queue');
    setAttr(this.queueButton, 'aria-pressed', session.queuePaused ? 'true' : 'false');
    this.queueButton.disabled = !session.online;
    const c = session.model.counts();
    for (const [state, el] of this.counts) setText(el, String(c[state]));
    const rate = session.stats && session.online ? `${session.stats.throughputPerMinute} finished/min` : '—';
    setText(this.throughput, session.queuePaused ? `${rate} (queue paused)` : rate);

    if (this.filter.value !== session.list.filter) this.filter.value = session.list.filter;
    if (this.sort.value !== session.list.sort) this.sort.value = session.list.sort;
    this.clear.disabled = !session.online || session.model.clearPlan().ids.length === 0;
  }
}
