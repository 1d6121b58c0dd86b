import type { CreateTaskRequest } from '../shared/schemas';
import { canPickFolder } from './desktop';
import { h, setText } from './dom';
import type { Session } from './session';

/**
 * The two ways to start work: import a playlist (URL + folder) and download one URL
 * (URL + folder). Validation is the service's: a bad URL comes back as a sentence. While the
 * service is away both forms are disabled and say so, so nothing is typed into a void. The
 * Folder starts at the host's default downloads folder when the service names one.
 */

export interface FormSpec {
  id: string;
  legend: string;
  submit: string;
  type: string;
}

export const FORMS: readonly FormSpec[] = [
  { id: 'import', legend: 'Import playlist', submit: 'Import', type: 'playlist-import' },
  { id: 'download', legend: 'Download URL', submit: 'Download', type: 'video-download' },
];

export class FormsView {
  readonly el: HTMLElement;
  private readonly sets: HTMLFieldSetElement[] = [];
  private readonly notes: HTMLElement[] = [];
  private readonly dirs: HTMLInputElement[] = [];
  private defaultShown: string | null = null;

  constructor() {
    const forms = FORMS.map((f) => {
      const dir = h('input', { id: `${f.id}-dir`, name: 'dir', type: 'text', required: true, placeholder: 'Folder to save into, e.g. /home/you/Videos', autocomplete: 'off' });
      this.dirs.push(dir);
      const note = h('p', { class: 'form-note' });
      this.notes.push(note);
      const set = h(
        'fieldset',
        {},
        h('label', { for: `${f.id}-url` }, 'URL'),
        h('input', { id: `${f.id}-url`, name: 'url', type: 'url', required: true, placeholder: 'https://…', autocomplete: 'off' }),
        h('label', { for: `${f.id}-dir` }, 'Folder'),
        h('div', { class: 'dir' }, dir, canPickFolder() ? h('button', { type: 'button', 'data-action': 'pick-folder', 'data-form': f.id }, 'Choose…') : null),
        h('button', { type: 'submit' }, f.submit),
      );
      this.sets.push(set);
      return h('form', { class: 'create', 'data-form': f.id, 'aria-label': f.legend, novalidate: true }, h('h2', {}, f.legend), set, note);
    });
    this.el = h('section', { class: 'forms', 'aria-label': 'Start a task' }, ...forms);
  }

  render(session: Session): void {
    const away = !session.online;
    const why = session.status.kind === 'locked' ? 'Another instance holds the data folder.' : session.status.kind === 'connecting' ? 'Connecting to the service…' : 'Service restarting…';
    for (const set of this.sets) set.disabled = away;
    for (const note of this.notes) setText(note, away ? why : '');
    // The host's default fills an empty field once; a folder the person typed is kept.
    if (session.defaultFolder !== null && session.defaultFolder !== this.defaultShown) {
      for (const d of this.dirs) if (d.value === '' || d.value === this.defaultShown) d.value = session.defaultFolder;
      this.defaultShown = session.defaultFolder;
    }
  }
}

/** The create request a submitted form stands for, or null for a form we do not know. */
export function requestFromForm(form: HTMLFormElement): CreateTaskRequest | null {
  const spec = FORMS.find((f) => f.id === form.dataset.form);
  if (!spec) return null;
  const data = new FormData(form);
  const url = String(data.get('url') ?? '').trim();
  const dir = String(data.get('dir') ?? '').trim();
  return { type: spec.type, input: { url, dir }, title: url };
}

/** Sets a form's Folder field (after the picker answered). */
export function setFolder(root: HTMLElement, formId: string, dir: string): void {
  const input = root.querySelector<HTMLInputElement>(`#${formId}-dir`);
  if (input) input.value = dir;
}
