import type { z } from 'zod';
import { ServiceError } from '../../shared/errors';

/** Parses a request with its shared schema; BAD_INPUT names the offending fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new ServiceError('BAD_INPUT', `Invalid ${what}: ${issues.join('; ')}`, { issues });
}
