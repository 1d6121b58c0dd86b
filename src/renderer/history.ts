import type { TaskEvent } from '../shared/task';

/**
 * A task's journal as a person reads it: a 200 MB download saves progress 2-4 times a second,
 * so consecutive checkpoint events fold into one line ("saved progress ×240") instead of
 * drowning the state changes and errors that matter.
 */

export interface HistoryLine {
  /** The first event's seq: a stable key. */
  key: number;
  at: number;
  /** The last folded event's time, for a run of checkpoints. */
  until: number;
  text: string;
  count: number;
}

function summarize(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['reason', 'code', 'message', 'cause']) {
    const v = d[key];
    if (typeof v === 'string' || typeof v === 'number') parts.push(String(v));
  }
  return parts.length > 0 ? `: ${parts.join(' — ')}` : '';
}

/** A retitle or log line's own text (its data is `{title}` or `{line}`). */
function quoted(data: unknown, key: string): string {
  const v = data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? `: ${v}` : '';
}

function describe(e: TaskEvent): string {
  switch (e.kind) {
    case 'created':
      return `created (${e.to ?? ''})`;
    case 'state':
      return `${e.from ?? '?'} → ${e.to ?? '?'}${summarize(e.data)}`;
    case 'checkpoint':
      return 'saved progress';
    case 'error':
      return `error${summarize(e.data)}`;
    case 'removed':
      return 'removed';
    case 'title':
      return `retitled${quoted(e.data, 'title')}`;
    case 'log':
      return `log${quoted(e.data, 'line')}`;
    default:
      // Kinds added later (e.g. 'title', 'log') read as their name and detail.
      return `${String(e.kind)}${summarize(e.data)}`;
  }
}

/** Folds runs of checkpoint events; everything else is one line per event, in order. */
export function groupHistory(events: readonly TaskEvent[]): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.kind === 'checkpoint' && last && last.text.startsWith('saved progress')) {
      last.count += 1;
      last.until = e.at;
      last.text = `saved progress ×${last.count}`;
      continue;
    }
    out.push({ key: e.seq, at: e.at, until: e.at, text: describe(e), count: 1 });
  }
  return out;
}

