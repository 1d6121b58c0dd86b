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
