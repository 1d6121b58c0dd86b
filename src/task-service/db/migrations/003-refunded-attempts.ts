/**
 * Migration 3: runs that must not count towards maxAttempts (ended by a graceful shutdown, a
 * crash recovery or a user pause). `attempt` stays the run number, unique per run (handlers and
 * tests key side effects by it); failed runs = attempt - refunded_attempts. IMMUTABLE (see 001).
 */
export const version = 3;
export const name = 'refunded-attempts';
export const sql = `
ALTER TABLE tasks ADD COLUMN refunded_attempts INTEGER NOT NULL DEFAULT 0;
`;
