import { ServiceError } from '../../shared/errors';

/**
 * Opaque page cursors: base64url of a tagged value, so clients cannot build or reorder them
 * and a cursor from one listing is refused by another (BAD_INPUT, not a silent wrong page).
 */

export function encodeCursor(tag: 'task' | 'event', value: string | number): string {
  return Buffer.from(JSON.stringify([tag, value])).toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

export function decodeTaskCursor(cursor: string): string {
  const v = decode(cursor);
  if (Array.isArray(v) && v[0] === 'task' && typeof v[1] === 'string' && /^[0-9A-Za-z_-]{1,64}$/.test(v[1])) return v[1];
  throw new ServiceError('BAD_INPUT', 'cursor: not a cursor from tasks.list; pass back nextCursor unchanged', { cursor });
}

export function decodeEventCursor(cursor: string): number {
  const v = decode(cursor);
  if (Array.isArray(v) && v[0] === 'event' && Number.isSafeInteger(v[1]) && (v[1] as number) >= 0) return v[1] as number;
  throw new ServiceError('BAD_INPUT', 'cursor: not a cursor from tasks.events; pass back nextCursor unchanged', { cursor });
}
