/** Migration 2: the single-owner lease row. IMMUTABLE once released (see 001). */
export const version = 2;
export const name = 'owner';
export const sql = `
CREATE TABLE owner (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  boot_id      TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) STRICT;
`;
