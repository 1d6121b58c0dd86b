/**
 * Migration 8: the tasks table rebuilt for fewer page writes per operation. Each index a write
 * touches is one more page in the WAL at every commit; version 7 wrote about 14 pages per
 * enqueue and 21 per processed task. Now:
 * - WITHOUT ROWID, keyed by id: the table IS the id index (was: a rowid table plus an automatic
 *   index on id, two pages per insert);
 * - the claim index is per type only (the engine claims per type with room; the store merges
 *   types for a caller without per-type capacity); the global copy is gone;
 * - the due timer's index holds only tasks delayed past their creation (a delay, a retry's
 *   backoff): a task due when created is never "not yet due" later, so most enqueues and claims
 *   never touch it (the one case it misses: a wall clock stepped back past a task's creation;
 *   that task then starts at the next wake-up instead of its own timer);
 * - spawn keys and child summaries are indexed for children only, so roots never pay for them;
 *   UNIQUE (parent_id, spawn_key) became a partial unique index (a constraint cannot be partial);
 * - state is indexed only for the few live states that are neither queued (the claim index
 *   covers those) nor terminal (most rows; listing them walks the primary key newest first);
 * - tasks_state_id and tasks_type_id are dropped: listing by type walks the primary key too.
 * A table rebuild, so the runner turns foreign keys off around it and checks them before
 * commit (migrate.ts). IMMUTABLE once released (see 001).
 */
export const version = 8;
export const name = 'lean-tasks';
export const rebuildsTables = true;
export const sql = `
CREATE TABLE tasks_new (
  id                TEXT PRIMARY KEY NOT NULL,
  type              TEXT NOT NULL,
  title             TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('blocked','queued','running','waiting','paused','completed','failed','cancelled')),
  priority          INTEGER NOT NULL,
  parent_id         TEXT REFERENCES tasks(id),
  spawn_key         TEXT,
  input             TEXT NOT NULL,
  result            TEXT,
  error             TEXT,
  progress          TEXT,
  checkpoint        TEXT,
  attempt           INTEGER NOT NULL DEFAULT 0,
  max_attempts      INTEGER NOT NULL,
  run_at            INTEGER NOT NULL,
  dedupe_key        TEXT,
  lease_owner       TEXT,
  recoveries        INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  started_at        INTEGER,
  finished_at       INTEGER,
  updated_at        INTEGER NOT NULL,
  refunded_attempts INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
INSERT INTO tasks_new (id, type, title, state, priority, parent_id, spawn_key, input, result, error, progress,
    checkpoint, attempt, max_attempts, run_at, dedupe_key, lease_owner, recoveries, created_at, started_at,
    finished_at, updated_at, refunded_attempts)
  SELECT id, type, title, state, priority, parent_id, spawn_key, input, result, error, progress,
    checkpoint, attempt, max_attempts, run_at, dedupe_key, lease_owner, recoveries, created_at, started_at,
    finished_at, updated_at, refunded_attempts FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;

-- claim: due queued tasks of one type in priority DESC, run_at, id order
CREATE INDEX tasks_claim_type ON tasks (type, priority DESC, run_at, id) WHERE state = 'queued';
-- the due timer: earliest run_at among queued tasks delayed past their creation
CREATE INDEX tasks_delayed ON tasks (run_at, created_at) WHERE state = 'queued' AND run_at > created_at;
-- live tasks by state (orphans, recovery, list filters); queued and finished tasks are not here
CREATE INDEX tasks_live_state ON tasks (state, id) WHERE state IN ('blocked','running','waiting','paused');
-- children of a parent, and roots (parent_id IS NULL), in id order
CREATE INDEX tasks_parent_id ON tasks (parent_id, id);
-- spawn keys: at most one child per (parent, key)
CREATE UNIQUE INDEX tasks_spawn_key ON tasks (parent_id, spawn_key) WHERE spawn_key IS NOT NULL;
-- a parent's children by state with their progress ratio (see 006), children only
CREATE INDEX tasks_parent_state ON tasks (parent_id, state, json_extract(progress, '$.ratio')) WHERE parent_id IS NOT NULL;
-- retention: terminal roots by finish time
CREATE INDEX tasks_finished_roots ON tasks (finished_at, id) WHERE parent_id IS NULL AND finished_at IS NOT NULL;
-- dedupe: one live task per key; terminal tasks free the key
CREATE UNIQUE INDEX tasks_dedupe ON tasks (dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state NOT IN ('completed','failed','cancelled');
`;
