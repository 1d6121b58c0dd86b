import { isErrorCode, type ErrorCode } from '../errors';

/**
 * The client's view of a service error: the router's errorFormatter puts the closed-list code
 * in the error shape's `data.serviceCode` (plus `details`, e.g. validation issues or a cycle
 * path). Works on any TRPCClientError without importing the client here.
 */

/** What the service adds to every tRPC error shape's `data`. */
export interface ServiceErrorData {
  serviceCode: ErrorCode;
  details?: Record<string, unknown>;
}

/** The closed-list code carried by an RPC error, or null when it has none (e.g. a closed port). */
export function serviceCodeOf(error: unknown): ErrorCode | null {
  const data = (error as { data?: { serviceCode?: unknown } } | null | undefined)?.data;
  return isErrorCode(data?.serviceCode) ? data.serviceCode : null;
}

/**
 * Where to resume a subscription the service ended for falling behind (CONFLICT with details
 * `{reason:'watch-overflow', lastEventId}`), as a wire lastEventId; null for any other error.
 * Takes the error shape of a response (`{code, message, data}`).
 */
export function overflowResumeId(shape: unknown): string | null {
  const data = (shape as { data?: { serviceCode?: unknown; details?: { reason?: unknown; lastEventId?: unknown } } } | null | undefined)?.data;
  if (data?.serviceCode !== 'CONFLICT' || data.details?.reason !== 'watch-overflow') return null;
  const id = data.details.lastEventId;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  if (typeof id === 'string' && /^\d{1,15}$/.test(id)) return id;
  return null;
}
