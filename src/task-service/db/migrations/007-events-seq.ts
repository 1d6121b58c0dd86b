/**
 * Migration 7: the journal without AUTOINCREMENT, and two more event kinds.
 *
 * AUTOINCREMENT cost one extra write to sqlite_sequence for every event. A plain INTEGER PRIMARY
 * KEY hands out max(seq) + 1 instead, which would go BACKWARDS once the newest events are deleted
 * (retention, removal, trimming of old 'removed' entries): a watcher resuming after seq N would
 * then miss the new events numbered <= N. task_events_floor holds the highest seq ever deleted
 * from the top; it is written only when events are deleted (rare), and an insert numbers its
 * event past both (sql/insert-event.ts). It starts at sqlite_sequence's value, so a seq already
 * handed out before this migration is never handed out again.
 *
 * New kinds: 'title' (a handler retitled its task) and 'log' (a line a task logged, e.g. a
 * tool's stderr). IMMUTABLE once released (see 001).
 */
export const version = 7;
export const name = 'events-seq';
export const sql = `
CREATE TABLE task_events_new (
  seq        INTEGER PRIMARY KEY,
  task_id    TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('created','state','checkpoint','error','removed','title','log')),
  from_state TEXT,
  to_state   TEXT,
  data       TEXT,
  at         INTEGER NOT NULL
) STRICT;
INSERT INTO task_events_new (seq, task_id, kind, from_state, to_state, data, at)
  SELECT seq, task_id, kind, from_state, to_state, data, at FROM task_events ORDER BY seq;

CREATE TABLE task_events_floor (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
) STRICT;
INSERT INTO task_events_floor (id, seq)
  VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'task_events'), 0));

DROP TABLE task_events;
ALTER TABLE task_events_new RENAME TO task_events;
CREATE INDEX task_events_task ON task_events (task_id, seq);
-- retention of 'removed' entries by age
CREATE INDEX task_events_removed ON task_events (at) WHERE kind = 'removed';
`;
