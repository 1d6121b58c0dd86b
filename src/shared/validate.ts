import type { z } from 'zod';
import { ServiceError } from './errors';

/**
 * The one way a failed schema check becomes an error: BAD_INPUT whose message names the
 * offending fields and whose details list them as `{path, message}`. Used by the service's
 * operations, the store's entry points, task input checks and the RPC error formatter alike,
 * so a client sees the same shape whichever layer refused its input.
 */

/** One problem with an input: where (dot path, '' for the value itself) and what. */
export interface InputIssue {
  path: string;
  message: string;
}

/** Issues listed in a message; details keep up to MAX_DETAIL_ISSUES. */
const MAX_MESSAGE_ISSUES = 5;
const MAX_DETAIL_ISSUES = 20;

/**
 * Normalises issues from zod (or from anything shaped like them: tRPC hands over a standard
 * schema failure whose path segments may be `{key}` objects). Null when `issues` is no list.
 */
export function inputIssues(issues: unknown): InputIssue[] | null {
  if (!Array.isArray(issues)) return null;
  return issues.slice(0, MAX_DETAIL_ISSUES).map((issue: { path?: unknown; message?: unknown }) => ({
    path: Array.isArray(issue.path) ? issue.path.map((p) => String(typeof p === 'object' && p !== null ? (p as { key?: unknown }).key : p)).join('.') : '',
    message: typeof issue.message === 'string' ? issue.message : 'invalid',
  }));
}

/** BAD_INPUT for `what` (e.g. "task", "input for task type x"), naming the first issues. */
export function badInput(what: string, issues: InputIssue[], details: Record<string, unknown> = {}): ServiceError {
  const text = issues.slice(0, MAX_MESSAGE_ISSUES).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  return new ServiceError('BAD_INPUT', `Invalid ${what}: ${text || 'rejected by the schema'}`, { ...details, issues });
}

/** Parses `value` with `schema`; BAD_INPUT (nothing else) when it does not fit. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string, details?: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw badInput(what, inputIssues(r.error.issues) ?? [], details);
}
