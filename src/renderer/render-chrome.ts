import { TASK_STATES } from '../shared/task';
import { h, setAttr, setText } from './dom';
import type { Session } from './session';

/**
 * Everything around the list: the connection status (role=status), the alert with the
 * service's error message (role=alert), queue pause/resume with counts, the state filter and
 * "clear finished".
 */
export class ChromeView {
  readonly header: HTMLElement;
  readonly toolbar: HTMLElement;
  private readonly status: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly alertText: HTMLElement;
  private readonly queueButton: HTMLButtonElement;
  private readonly counts: HTMLElement;
  private readonly filter: HTMLSelectElement;
  private readonly clear: HTMLButtonElement;

  constructor() {
    this.status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.alertText = h('span', {});
    this.alert = h(
      'div',
      { class: 'alert', role: 'alert', hidden: true },
      this.alertText,
      h('button', { type: 'button', 'data-action': 'dismiss-alert', 'aria-label': 'Dismiss error' }, '×'),
    );
    this.queueButton = h('button', { type: 'button', 'data-action': 'toggle-queue' });
    this.counts = h('span', { class: 'counts', 'aria-label': 'Task counts' });
    this.header = h('header', { class: 'top' }, h('h1', {}, 'Activity Center'), this.status, this.queueButton, this.counts);
    this.filter = h('select', { id: 'state-filter', 'data-action': 'filter' });
    for (const value of ['all', 'active', ...TASK_STATES]) this.filter.append(h('option', { value }, value));
    this.clear = h('button', { type: 'button', 'data-action': 'clear-finished', 'aria-label': 'Clear finished tasks' }, 'Clear finished');
    this.toolbar = h('div', { class: 'toolbar' }, h('label', { for: 'state-filter' }, 'Filter by state '), this.filter, this.clear, this.alert);
  }

  render(session: Session): void {
    const s = session.status;
    const text =
      s.kind === 'live' ? 'Live' : s.kind === 'connecting' ? 'Connecting…' : s.kind === 'reconnecting' ? `Reconnecting…${s.message ? ` ${s.message}` : ''}` : `Service unavailable: ${s.message}`;
    setText(this.status, text);
    setAttr(this.status, 'data-state', s.kind);

    this.alert.hidden = session.alert === null;
    setText(this.alertText, session.alert ?? '');

    setText(this.queueButton, session.queuePaused ? 'Resume queue' : 'Pause queue');
    setAttr(this.queueButton, 'aria-label', session.queuePaused ? 'Resume queue' : 'Pause queue');
    setAttr(this.queueButton, 'aria-pressed', session.queuePaused ? 'true' : 'false');
    const c = session.model.counts();
    const rate = session.stats ? ` · ${session.stats.throughputPerMinute}/min` : '';
    const paused = session.queuePaused ? ' · queue paused' : '';
    setText(this.counts, `${c.running} running · ${c.queued + c.blocked} waiting · ${c.completed} done · ${c.failed} failed${rate}${paused}`);

    if (this.filter.value !== session.filter) this.filter.value = session.filter;
    this.clear.disabled = session.model.finishedRoots().length === 0;
  }
}
