/**
 * Migration 5: a scratch table for the degraded-state probe, which must prove the database can
 * GROW again (see store/write-probe.ts). Never holds a row for long. IMMUTABLE (see 001).
 */
export const version = 5;
export const name = 'write-probe';
export const sql = `
CREATE TABLE write_probe (
  id   INTEGER PRIMARY KEY,
  data BLOB NOT NULL
) STRICT;
`;
