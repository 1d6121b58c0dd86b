/**
 * Migration 6: children by state, with their progress ratio. A parent's summary is recomputed
 * each time one of its children changes state; this index answers it from index entries alone
 * (counts per state, ratios of the unfinished), where reading every child row and parsing its
 * progress made each of 10,000 videos of an import cost O(children) row reads. The ratio is kept
 * up to date by SQLite on each progress write (at most about once a second per task).
 * IMMUTABLE once released (see 001).
 */
export const version = 6;
export const name = 'children-by-state';
export const sql = `
CREATE INDEX tasks_parent_state ON tasks (parent_id, state, json_extract(progress, '$.ratio'));
`;
