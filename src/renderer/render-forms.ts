import type { CreateTaskRequest } from '../shared/schemas';
import { h } from './dom';

/**
 * The two ways to start work: import a playlist (URL + folder) and download one URL
 * (URL + folder). Validation is the service's: a bad URL comes back as its error message.
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

export function renderForms(): HTMLElement {
  const forms = FORMS.map((f) =>
    h(
      'form',
      { class: 'create', 'data-form': f.id, 'aria-label': f.legend, novalidate: true },
      h('h2', {}, f.legend),
      h('label', { for: `${f.id}-url` }, 'URL'),
      h('input', { id: `${f.id}-url`, name: 'url', type: 'url', required: true, placeholder: 'https://…', autocomplete: 'off' }),
      h('label', { for: `${f.id}-dir` }, 'Folder'),
      h('input', { id: `${f.id}-dir`, name: 'dir', type: 'text', required: true, placeholder: '/home/you/Videos', autocomplete: 'off' }),
      h('button', { type: 'submit' }, f.submit),
    ),
  );
  return h('section', { class: 'forms', 'aria-label': 'Start a task' }, ...forms);
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
