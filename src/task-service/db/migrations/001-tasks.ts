/**
 * Migration 1: tasks, dependency edges and the event journal. IMMUTABLE once released: a
 * change to the schema is a new numbered migration, never an edit here (the schema dump test
 * and existing user databases both depend on this text).
 */
export const version = 1;
export const name = 'tasks';
export const sql = `
CREATE TABLE tasks (
  id           TEXT PRIMARY KEY,
  type         TEXT NOT NULL,
  title        TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('blocked','queued','running','waiting','paused','completed','failed','cancelled')),
  priority     INTEGER NOT NULL,
  parent_id    TEXT REFERENCES tasks(id),
  spawn_key    TEXT,
  input        TEXT NOT NULL,
  result       TEXT,
  error        TEXT,
  progress     TEXT,
  checkpoint   TEXT,
  attempt      INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at       INTEGER NOT NULL,
  dedupe_key   TEXT,
  lease_owner  TEXT,
  recoveries   INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  updated_at   INTEGER NOT NULL,
  UNIQUE (parent_id, spawn_key)
) STRICT;

-- claim: due queued tasks in priority DESC, run_at, id order, overall and per type
CREATE INDEX tasks_claim ON tasks (priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX tasks_claim_type ON tasks (type, priority DESC, run_at, id) WHERE state = 'queued';
-- nextRunAt: earliest queued run_at
CREATE INDEX tasks_queued_run_at ON tasks (run_at) WHERE state = 'queued';
-- list filters with keyset pagination on id; orphans (state = 'running')
CREATE INDEX tasks_state_id ON tasks (state, id);
CREATE INDEX tasks_type_id ON tasks (type, id);
CREATE INDEX tasks_parent_id ON tasks (parent_id, id);
-- retention: terminal roots by finish time
CREATE INDEX tasks_finished_roots ON tasks (finished_at, id) WHERE parent_id IS NULL AND finished_at IS NOT NULL;
-- dedupe: one live task per key; terminal tasks free the key
CREATE UNIQUE INDEX tasks_dedupe ON tasks (dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state NOT IN ('completed','failed','cancelled');

CREATE TABLE task_deps (
  task_id       TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  depends_on_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  PRIMARY KEY (task_id, depends_on_id)
) STRICT, WITHOUT ROWID;
-- dependents of a task (cascades, unblocking)
CREATE INDEX task_deps_reverse ON task_deps (depends_on_id, task_id);

-- Append-only journal. No foreign key: 'removed' events outlive their task.
CREATE TABLE task_events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id    TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('created','state','checkpoint','error','removed')),
  from_state TEXT,
  to_state   TEXT,
  data       TEXT,
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX task_events_task ON task_events (task_id, seq);
-- retention of 'removed' entries by age
CREATE INDEX task_events_removed ON task_events (at) WHERE kind = 'removed';
`;
