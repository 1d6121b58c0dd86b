import { ServiceError, toServiceError } from '../../shared/errors';

/**
 * Maps SQLite failures to service codes in one place, so the engine can tell "retry later"
 * (busy), "stop claiming" (disk full, I/O) and "a rule was broken" (constraint) apart.
 */
export function fromSqlite(e: unknown): ServiceError {
  if (e instanceof ServiceError) return e;
  const code = String((e as { code?: unknown }).code ?? '');
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_FULL') return new ServiceError('DISK_FULL', `The disk is full; free some space and the service resumes (${message})`, { sqlite: code });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new ServiceError('DB_UNAVAILABLE', `The task database is busy; try again (${message})`, { sqlite: code });
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY'))
    return new ServiceError('DB_UNAVAILABLE', `The task database cannot be written (${message})`, { sqlite: code });
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return new ServiceError('DB_CORRUPT', `The task database is damaged; restart the service to move it aside (${message})`, { sqlite: code });
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('dedupe_key'))
    return new ServiceError('CONFLICT', 'Another unfinished task already has this dedupeKey', { sqlite: code });
  if (code.startsWith('SQLITE_CONSTRAINT')) return new ServiceError('CONFLICT', `Refused by the database: ${message}`, { sqlite: code });
  return toServiceError(e);
}
