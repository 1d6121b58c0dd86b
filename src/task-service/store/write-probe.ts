import type { Db } from '../db/statement';
import { deleteProbes, insertProbe } from './write-probe.sql';

/**
 * Proves the database can grow: the question a degraded (disk full / I/O error) service asks
 * before it claims again. An in-place UPDATE (a heartbeat) succeeds on a full database, so it
 * proves nothing; an insert in a transaction that rolls back is checked against max_page_count
 * but never reaches the disk (its pages stay in the cache), so a real ENOSPC goes unseen. Here
 * the insert of `bytes` is COMMITTED (new pages allocated within max_page_count and written to
 * the WAL), and a second transaction deletes it: its pages go to the freelist, which is exactly
 * the headroom the next real inserts use.
 */
export function probeWrite(write: <T>(fn: () => T) => T, db: Db, bytes: number): void {
  write(() => insertProbe(db).run(bytes));
  write(() => deleteProbes(db).run());
}
