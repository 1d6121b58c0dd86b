import { sqlOp } from '../statement';

/** The owner row. */
export interface OwnerRow {
  boot_id: string;
  pid: number;
  acquired_at: number;
  heartbeat_at: number;
}

/** No params. */
export const selectOwner = sqlOp<[], OwnerRow>('SELECT boot_id, pid, acquired_at, heartbeat_at FROM owner WHERE id = 1');

/** Takes (or re-takes) the row. Params: [bootId, pid, now, now]. */
export const upsertOwner = sqlOp<[string, number, number, number]>(
  `INSERT INTO owner (id, boot_id, pid, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET boot_id = excluded.boot_id, pid = excluded.pid,
     acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
);

/** Params: [now, bootId]; changes = 0 when another boot holds the row. */
export const touchOwner = sqlOp<[number, string]>('UPDATE owner SET heartbeat_at = ? WHERE id = 1 AND boot_id = ?');

/** Params: [bootId]. */
export const deleteOwner = sqlOp<[string]>('DELETE FROM owner WHERE id = 1 AND boot_id = ?');
