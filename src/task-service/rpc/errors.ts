import { TRPCError, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorShape } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { isErrorCode, ServiceError, type ErrorCode } from '../../shared/errors';
import type { ServiceErrorData } from '../../shared/port/errors';

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

const MAX_ISSUES = 20;

function validationIssues(cause: unknown): Array<{ path: string; message: string }> | null {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  return issues.slice(0, MAX_ISSUES).map((issue: { path?: unknown; message?: unknown }) => ({
    path: Array.isArray(issue.path) ? issue.path.map((p) => String(typeof p === 'object' && p !== null ? (p as { key?: unknown }).key : p)).join('.') : '',
    message: typeof issue.message === 'string' ? issue.message : 'invalid',
  }));
}

/** The ServiceError behind a tRPC error: thrown by the service, a failed zod parse, or tRPC's own. */
export function serviceErrorOf(error: TRPCError): ServiceError {
  const cause = error.cause;
  if (cause instanceof ServiceError) return cause;
  if (cause instanceof Error && isErrorCode((cause as { code?: unknown }).code)) {
    return new ServiceError((cause as unknown as { code: ErrorCode }).code, cause.message);
  }
  const issues = error.code === 'BAD_REQUEST' ? validationIssues(cause) : null;
  if (issues) {
    const first = issues[0];
    const where = first?.path ? ` at ${first.path}` : '';
    return new ServiceError('BAD_INPUT', `Invalid input${where}: ${first?.message ?? 'rejected by the schema'}`, { issues });
  }
  return new ServiceError(serviceCodeForTRPC(error.code), error.message);
}

/** For procedures that prefer throwing tRPC errors: a ServiceError with its mapped tRPC code. */
export function toTRPCError(e: ServiceError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[e.code], message: e.message, cause: e });
}

/** Use as `initTRPC.create({ errorFormatter })`. */
export function errorFormatter({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const service = serviceErrorOf(error);
  const code = TRPC_CODE[service.code];
  const mapped = new TRPCError({ code });
  const data: TRPCDefaultErrorShape['data'] & ServiceErrorData = {
    ...shape.data,
    code,
    httpStatus: getHTTPStatusCodeFromError(mapped),
    serviceCode: service.code,
  };
  if (service.details !== undefined) data.details = service.details;
  return { ...shape, code: TRPC_ERROR_CODES_BY_KEY[code], message: service.message, data };
}
