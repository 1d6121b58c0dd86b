/**
 * Migration 9: tasks_parent_id holds children only.
 *
 * Every enqueue of a top-level task wrote an entry (NULL, id) into this index, one more page per
 * commit: a commit costs about 7 us per page written (bench/queue), and a root's insert touched
 * five. Children are still found by their parent through it (`parent_id = ?` implies the
 * index's condition, so SQLite uses it). Listing roots only (`parentId: null`) now walks the
 * primary key newest first and skips children, like the other unindexed list filters since
 * migration 8; the Activity Center lists everything and never asks for that filter.
 * IMMUTABLE once released (see 001).
 */
export const version = 9;
export const name = 'children-index';
export const sql = `
DROP INDEX tasks_parent_id;
CREATE INDEX tasks_parent_id ON tasks (parent_id, id) WHERE parent_id IS NOT NULL;
`;
