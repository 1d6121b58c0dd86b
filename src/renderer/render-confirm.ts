import { h } from './dom';
import type { ClearPlan } from './store';

/**
 * "Clear finished" asks first and says exactly what goes: how many completed and cancelled
 * tasks, that files stay on disk, and how many failed ones are kept (they are never cleared
 * silently). A native <dialog>: modal, focus-trapped, Escape cancels.
 */

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** The sentence the dialog shows for a plan (exported for the unit test). */
export function clearSummary(plan: ClearPlan): string {
  const what = [plan.completed > 0 ? `${plural(plan.completed, 'completed task')}` : '', plan.cancelled > 0 ? `${plural(plan.cancelled, 'cancelled task')}` : '']
    .filter(Boolean)
    .join(' and ');
  const kept = plan.keptFailed > 0 ? ` ${plural(plan.keptFailed, 'failed task')} ${plan.keptFailed === 1 ? 'stays' : 'stay'} in the list to retry or remove.` : '';
  return `Remove ${what} from the list, with their playlists' videos? Downloaded files stay on disk.${kept}`;
}

export function confirmClear(host: HTMLElement, plan: ClearPlan): Promise<boolean> {
  const ok = h('button', { type: 'button', class: 'primary', value: 'ok' }, `Remove ${plural(plan.ids.length, 'task')}`);
  const cancel = h('button', { type: 'button', value: 'cancel' }, 'Keep them');
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
    h('h2', { id: 'confirm-title' }, 'Clear finished tasks?'),
    h('p', { id: 'confirm-text' }, clearSummary(plan)),
    h('div', { class: 'buttons' }, cancel, ok),
  );
  host.append(dialog);
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    ok.addEventListener('click', () => done(true));
    cancel.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}
