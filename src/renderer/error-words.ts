/**
 * Error codes -> sentences that say what happened and what to do. The service's own message
 * (developer words: paths, zod issues, errno names) stays available as the technical detail
 * behind a disclosure; it is never the headline.
 */

export interface Explained {
  /** What a person reads first. */
  sentence: string;
  /** "CODE: the service's message", for the disclosure and for bug reports. */
  detail: string;
}

const SENTENCES: Record<string, string> = {
  NOT_FOUND: 'This task no longer exists; it may have been removed in another window.',
  ILLEGAL_TRANSITION: 'That action does not apply to the task in its current state. The list shows its state now.',
  DEPENDENCY_CYCLE: 'These tasks depend on each other in a circle, so none could ever start.',
  UNKNOWN_TYPE: 'This version of Playlistify does not know that kind of task.',
  CONFLICT: 'Something else is using this file or task. Move the other file away or wait, then retry.',
  DB_UNAVAILABLE: 'The task database is busy or unavailable. Wait a moment and try again.',
  DB_CORRUPT: 'The task database was damaged and was set aside. Your files are untouched; start the task again.',
  SCHEMA_TOO_NEW: 'The task data was written by a newer Playlistify. Update the app to open it.',
  SERVICE_LOCKED: 'Another Playlistify window or process is using the same data folder. Close it, then reload this page.',
  DISK_FULL: 'The disk is full. Free some space, then retry.',
  CHILDREN_FAILED: 'Some videos of this playlist could not be downloaded. Retry the playlist to try them again.',
  DEPENDENCY_FAILED: 'A task this one depends on failed or was cancelled, so it did not run.',
  CRASH_LOOP: 'This task stopped the service several times in a row, so it was set aside. Retry it once the cause is fixed.',
  TIMEOUT: 'The server stopped sending data. It will retry; check your connection if it keeps happening.',
  CANCELLED: 'Cancelled.',
  HANDLER_FAILED: 'The task stopped with an unexpected error. Retry it; if it fails again, report the technical detail.',
  NETWORK: 'Could not reach the server. Check your internet connection; it retries on its own.',
  INTEGRITY: 'The downloaded file did not match what the server promised, so it was discarded. Retry to download it again.',
  SHUTTING_DOWN: 'The service is shutting down; the task will continue when it starts again.',
  INTERNAL: 'Something went wrong inside Playlistify. Retry; if it happens again, report the technical detail.',
};

function httpSentence(message: string): string {
  const status = /\b(?:HTTP|status)\s*(\d{3})\b/i.exec(message)?.[1];
  if (status === '404' || status === '410') return `The server says this file does not exist (HTTP ${status}). Check the address.`;
  if (status === '401' || status === '403') return `The server refused access to this file (HTTP ${status}). It may need a login or be private.`;
  if (status !== undefined && status.startsWith('5')) return `The server had a problem (HTTP ${status}). It retries on its own; try later if it keeps failing.`;
  if (status === '429') return 'The server asks us to slow down (HTTP 429). It retries on its own after a pause.';
  return status ? `The server answered with an error (HTTP ${status}).` : 'The server answered with an error.';
}

/** Input problems name the field the person filled in, not the schema path. */
function badInputSentence(message: string): string {
  const wants: string[] = [];
  if (/\burl\b/i.test(message)) wants.push('a web address starting with http:// or https://');
  if (/\bdir\b/i.test(message)) wants.push('a folder given as a full path (for example /home/you/Videos)');
  if (/\bfilename\b/i.test(message)) wants.push('a file name without / or special characters');
  return wants.length > 0 ? `Please enter ${wants.join(' and ')}.` : 'Some of what was entered is not valid; check the fields and try again.';
}

/** A sentence for an error code and the service's message. */
export function explain(code: string | null, message: string): Explained {
  const detail = code ? `${code}: ${message}` : message;
  if (code === 'HTTP_ERROR') return { sentence: httpSentence(message), detail };
  if (code === 'BAD_INPUT') return { sentence: badInputSentence(message), detail };
  if (code === 'CONFLICT' && /already exists/i.test(message)) {
    return { sentence: 'A different file with the same name is already in the folder. Move or rename it, then retry.', detail };
  }
  const known = code ? SENTENCES[code] : undefined;
  return { sentence: known ?? 'The request failed. The technical detail below says why.', detail };
}

/** The closed error code a failed call carries: tRPC's data.serviceCode, or a ServiceError's code. */
export function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const data = (error as { data?: { serviceCode?: unknown } }).data;
  if (data && typeof data.serviceCode === 'string') return data.serviceCode;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : null;
}
