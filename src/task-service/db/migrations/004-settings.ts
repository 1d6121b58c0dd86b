/**
 * Migration 4: service settings that must survive a restart (e.g. the queue-wide pause), as
 * JSON values by key. IMMUTABLE once released (see 001).
 */
export const version = 4;
export const name = 'settings';
export const sql = `
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;
