/**
 * The closed list of error codes the task service speaks, and the one error class that carries
 * them. Every `catch (e: unknown)` goes through `toServiceError` so callers see one shape.
 */

export const ERROR_CODES = [
  'NOT_FOUND',
  'BAD_INPUT',
  'ILLEGAL_TRANSITION',
  'DEPENDENCY_CYCLE',
  'UNKNOWN_TYPE',
  'CONFLICT',
  'DB_UNAVAILABLE',
  'DB_CORRUPT',
  'SCHEMA_TOO_NEW',
  'SERVICE_LOCKED',
  'DISK_FULL',
  'CHILDREN_FAILED',
  'DEPENDENCY_FAILED',
  'CRASH_LOOP',
  'TIMEOUT',
  'CANCELLED',
  'HANDLER_FAILED',
  'NETWORK',
  'HTTP_ERROR',
  'INTEGRITY',
  /** A download path outside every downloads folder the service may write to. */
  'OUTSIDE_DOWNLOADS',
  /** A download slower than the minimum speed for too long (retryable: the slot is freed). */
  'STALLED',
  /** A download larger than its expected size (plus a margin) or the configured maximum. */
  'TOO_LARGE',
  'NOT_A_VIDEO',
  'VIDEO_UNAVAILABLE',
  'YTDLP_MISSING',
  'YTDLP_FAILED',
  'SHUTTING_DOWN',
  'INTERNAL',
] as const;

/** One of the closed list of error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

/** The error every service operation throws; `details` is plain JSON (e.g. the cycle path). */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Normalises anything thrown into a ServiceError; unknown errors become INTERNAL. */
export function toServiceError(e: unknown, fallback: ErrorCode = 'INTERNAL'): ServiceError {
  if (e instanceof ServiceError) return e;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return new ServiceError(isErrorCode(code) ? code : fallback, e.message);
  }
  return new ServiceError(fallback, typeof e === 'string' ? e : 'Unexpected non-error value thrown');
}
