import type { TaskError, TaskState } from '../../shared/task';
import { isErrorCode } from '../../shared/errors';
import { PermanentError, RetryableError, TaskAbort, type AbortKind } from './define';

/** The kind a signal was aborted with, or null when it was not (or not by the engine). */
export function abortKindOf(signal: AbortSignal): AbortKind | null {
  if (!signal.aborted) return null;
  const r: unknown = signal.reason;
  return r instanceof TaskAbort ? r.kind : null;
}

/** The abort kind for a task that left `running` by a user's change or a cascade. */
export function stateAbortKind(state: TaskState): AbortKind {
  return state === 'paused' ? 'pause' : 'cancel';
}

/** Aborts a controller with a TaskAbort of `kind` unless it is already aborted. */
export function abortWith(controller: AbortController, kind: AbortKind, message?: string): void {
  if (!controller.signal.aborted) controller.abort(new TaskAbort(kind, message));
}

/** A plain, serializable description of anything a handler threw (crosses worker boundaries). */
export interface ThrownInfo {
  name: string;
  code: string | null;
  message: string;
  permanent: boolean;
}

export function describeThrown(e: unknown): ThrownInfo {
  if (e instanceof PermanentError) return { name: e.name, code: String(e.code), message: e.message, permanent: true };
  if (e instanceof RetryableError) return { name: e.name, code: String(e.code), message: e.message, permanent: false };
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    // A ServiceError BAD_INPUT (e.g. a child's input refused) cannot get better by retrying.
    const permanent = e.name === 'PermanentError' || code === 'BAD_INPUT' || code === 'UNKNOWN_TYPE';
    return { name: e.name, code: typeof code === 'string' ? code : null, message: e.message, permanent };
  }
  return { name: 'Error', code: null, message: typeof e === 'string' ? e : 'Handler threw a non-error value', permanent: false };
}

/** Socket and HTTP-parser failure codes (Node, undici): a task failed by one of these hit the network. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENETRESET', 'EPROTO', 'ESOCKETTIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function isNetworkCode(code: string): boolean {
  return NETWORK_CODES.has(code) || code.startsWith('UND_ERR_') || code.startsWith('HPE_');
}

/**
 * The TaskError recorded for a handler failure. Its code is always one of the closed list of
 * shared/errors.ts (clients switch on it): a socket error code becomes NETWORK, any other code
 * outside the list HANDLER_FAILED; the original code stays readable in the message.
 */
export function toTaskError(info: ThrownInfo, retryable: boolean): TaskError {
  const message = info.message || info.name;
  const raw = info.code;
  if (raw === null || raw === '') return { code: 'HANDLER_FAILED', message, retryable };
  if (isErrorCode(raw)) return { code: raw, message, retryable };
  const withCode = message.includes(raw) ? message : `${raw}: ${message}`;
  return { code: isNetworkCode(raw) ? 'NETWORK' : 'HANDLER_FAILED', message: withCode, retryable };
}
