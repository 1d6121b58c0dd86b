import { sqlOp, type Db } from '../statement';
import { selectLastSeq } from './events';

/**
 * The journal's writer. A seq is one past the last seq ever handed out on this connection: kept
 * in memory after one read of the newest event and the floor left by deleted events (migration
 * 007), so an insert names its seq instead of computing it with two subqueries per row (about a
 * third of each insert, bench/queue). A seq is never handed out twice: the number only goes up;
 * an insert that finds its seq taken (another connection wrote events, e.g. a tool or a process
 * taking over) re-reads the end of the journal and tries once more. A rolled-back transaction
 * leaves a gap, which is harmless: nobody saw those events (subscribers read committed rows).
 */
const insertWithSeq = sqlOp<[number, string, string, string | null, string | null, string | null, number]>(
  'INSERT INTO task_events (seq, task_id, kind, from_state, to_state, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
);

const lastSeqOf = new WeakMap<Db, number>();

function isSeqTaken(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Runs `write` with the first of `count` fresh seqs; if another connection took them, re-reads
 * the end of the journal and runs it once more with fresh ones. Returns the first seq used.
 */
function withFreshSeqs(db: Db, count: number, write: (first: number) => void): number {
  let first = (lastSeqOf.get(db) ?? selectLastSeq(db).get()!.seq) + 1;
  try {
    write(first);
  } catch (e) {
    if (!isSeqTaken(e)) throw e;
    first = Math.max(first, selectLastSeq(db).get()!.seq) + 1;
    write(first);
  }
  lastSeqOf.set(db, first + count - 1);
  return first;
}

/** Appends one journal entry and returns its seq. Runs in the caller's transaction. */
export function journal(db: Db, taskId: string, kind: string, from: string | null, to: string | null, data: string | null, at: number): number {
  return withFreshSeqs(db, 1, (seq) => insertWithSeq(db).run(seq, taskId, kind, from, to, data, at));
}

/**
 * Hands out `count` consecutive seqs to `write`, which inserts its rows with them (the multi-row
 * path, store/new-rows.ts). It runs in a savepoint: a retry must not find the chunks that the
 * failed attempt already wrote.
 */
export function reserveSeqs(db: Db, count: number, write: (first: number) => void): void {
  withFreshSeqs(db, count, db.transaction(write));
}

/**
 * Raises the floor to the newest seq. Run before any statement that deletes events, so that
 * deleting the newest ones cannot make the next insert reuse their numbers. Writes only when the
 * floor moves. No params.
 */
export const raiseEventFloor = sqlOp<[]>(
  'UPDATE task_events_floor SET seq = (SELECT max(seq) FROM task_events) WHERE seq < (SELECT max(seq) FROM task_events)',
);
