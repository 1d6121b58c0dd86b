import { TRPCError, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorShape } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { isErrorCode, ServiceError, type ErrorCode } from '../../shared/errors';
import type { ServiceErrorData } from '../../shared/port/errors';
import { badInput, inputIssues } from '../../shared/validate';

/**
 * How a ServiceError crosses the RPC boundary. The router's `errorFormatter` rewrites every
 * error shape so that the tRPC code follows the service code and `data.serviceCode` always
 * holds one code of the closed list; the client reads it with `serviceCodeOf`.
 */

/** A Record, not a switch: adding a code to ERROR_CODES fails type-checking here until mapped. */
const TRPC_CODE: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: 'NOT_FOUND',
  BAD_INPUT: 'BAD_REQUEST',
  DEPENDENCY_CYCLE: 'BAD_REQUEST',
  UNKNOWN_TYPE: 'BAD_REQUEST',
  ILLEGAL_TRANSITION: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  SERVICE_LOCKED: 'CONFLICT',
  SCHEMA_TOO_NEW: 'PRECONDITION_FAILED',
  DB_UNAVAILABLE: 'INTERNAL_SERVER_ERROR',
  DB_CORRUPT: 'INTERNAL_SERVER_ERROR',
  DISK_FULL: 'INTERNAL_SERVER_ERROR',
  INTEGRITY: 'INTERNAL_SERVER_ERROR',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  SHUTTING_DOWN: 'SERVICE_UNAVAILABLE',
  CHILDREN_FAILED: 'INTERNAL_SERVER_ERROR',
  DEPENDENCY_FAILED: 'INTERNAL_SERVER_ERROR',
  CRASH_LOOP: 'INTERNAL_SERVER_ERROR',
  HANDLER_FAILED: 'INTERNAL_SERVER_ERROR',
  NETWORK: 'BAD_GATEWAY',
  HTTP_ERROR: 'BAD_GATEWAY',
  OUTSIDE_DOWNLOADS: 'FORBIDDEN',
  STALLED: 'BAD_GATEWAY',
  TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_A_VIDEO: 'BAD_REQUEST',
  VIDEO_UNAVAILABLE: 'NOT_FOUND',
  YTDLP_MISSING: 'PRECONDITION_FAILED',
  YTDLP_FAILED: 'BAD_GATEWAY',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** The service code for errors tRPC raises itself (unknown path, unparsable message...). */
function serviceCodeForTRPC(code: TRPC_ERROR_CODE_KEY): ErrorCode {
  switch (code) {
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'METHOD_NOT_SUPPORTED':
    case 'PAYLOAD_TOO_LARGE':
    case 'UNPROCESSABLE_CONTENT':
      return 'BAD_INPUT';
    case 'CONFLICT':
      return 'CONFLICT';
    case 'TIMEOUT':
      return 'TIMEOUT';
    case 'CLIENT_CLOSED_REQUEST':
      return 'CANCELLED';
    case 'SERVICE_UNAVAILABLE':
      return 'SHUTTING_DOWN';
    default:
      return 'INTERNAL';
  }
}

/** The ServiceError behind a tRPC error: thrown by the service, a failed zod parse, or tRPC's own. */
export function serviceErrorOf(error: TRPCError): ServiceError {
  const cause = error.cause;
  if (cause instanceof ServiceError) return cause;
  if (cause instanceof Error && isErrorCode((cause as { code?: unknown }).code)) {
    return new ServiceError((cause as unknown as { code: ErrorCode }).code, cause.message);
  }
  const issues = error.code === 'BAD_REQUEST' ? inputIssues((cause as { issues?: unknown } | undefined)?.issues) : null;
  if (issues) return badInput('input', issues);
  return new ServiceError(serviceCodeForTRPC(error.code), error.message);
}

/** Bounds on what an error reply may echo back: a 5 MB path must not come back as 15 MB. */
export const ECHO_LIMITS = { chars: 500, items: 20, depth: 6 } as const;

function clipText(text: string, max: number = ECHO_LIMITS.chars): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A bounded copy of plain error details: long strings clipped, long lists cut, deep values dropped. */
export function clipDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clipText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= ECHO_LIMITS.depth) return '(omitted)';
  if (Array.isArray(value)) return value.slice(0, ECHO_LIMITS.items).map((item) => clipDetails(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).slice(0, ECHO_LIMITS.items)) out[clipText(key, 100)] = clipDetails((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

/** Absolute file paths (POSIX, Windows drive or UNC): what a stray Node error message may name. */
const ABSOLUTE_PATH = /(?:\b[A-Za-z]:[\\/]|\\\\|(?<![\w.:/])\/)[^\s'"`()<>]*[\\/][^\s'"`()<>]*/g;

/**
 * The message of an error nobody meant to send (INTERNAL: a bug, a failed require, an fs error
 * from deep inside) may name our install folder or the user's home; the reply says `<path>`
 * instead (the service's log keeps the original). Typed errors keep their message: those name
 * only what the caller sent or must act on (a download folder they chose).
 */
export function withoutPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, '<path>');
}

/**
 * Use as `initTRPC.create({ errorFormatter, isDev: false })`. The reply never carries a stack
 * (tRPC adds one in dev mode, which is on whenever NODE_ENV is unset, and stacks name our source
 * files by absolute path), and whatever it echoes of the request (the procedure path, the
 * message, the details) is clipped.
 */
export function errorFormatter({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const service = serviceErrorOf(error);
  const code = TRPC_CODE[service.code];
  const mapped = new TRPCError({ code });
  const { stack: _stack, path, ...rest } = shape.data;
  const data: Omit<TRPCDefaultErrorShape['data'], 'stack'> & ServiceErrorData = {
    ...rest,
    code,
    httpStatus: getHTTPStatusCodeFromError(mapped),
    serviceCode: service.code,
  };
  if (path !== undefined) data.path = clipText(path, 200);
  if (service.details !== undefined) data.details = clipDetails(service.details) as Record<string, unknown>;
  return { ...shape, code: TRPC_ERROR_CODES_BY_KEY[code], message: clipText(service.code === 'INTERNAL' ? withoutPaths(service.message) : service.message, 2_000), data };
}
