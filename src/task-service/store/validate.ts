import type { z } from 'zod';
import { ServiceError } from '../../shared/errors';

/**
 * Parses a raw request with its shared zod schema. The store re-validates at its entry points
 * (the RPC layer already did) so any caller — engine, tests, a future IPC — gets the same
 * BAD_INPUT with the offending path, and nothing is written.
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new ServiceError('BAD_INPUT', `Invalid ${what}: ${text}`, { issues });
}
