import { ServiceError } from '../../shared/errors';
import type { Db } from '../db/statement';
import { deleteOwner, selectOwner, touchOwner, upsertOwner, type OwnerRow } from '../db/sql/owner';

/**
 * Single owner of the database file: one row naming the boot that may run tasks, kept alive by
 * heartbeats. A second service sees a fresh heartbeat and refuses to start (SERVICE_LOCKED);
 * a crashed owner's row goes stale and is taken over. Callers run these in a write transaction.
 */

function locked(holder: OwnerRow, now: number, what: string): ServiceError {
  return new ServiceError(
    'SERVICE_LOCKED',
    `${what}: another task service (pid ${holder.pid}, boot ${holder.boot_id}) owns this database; ` +
      `its last heartbeat was ${Math.max(0, now - holder.heartbeat_at)} ms ago. Close the other Playlistify instance first.`,
    { pid: holder.pid, bootId: holder.boot_id, heartbeatAt: holder.heartbeat_at },
  );
}

export function acquire(db: Db, owner: { bootId: string; pid: number }, now: number, staleMs: number, holderAlive?: (pid: number) => boolean): void {
  const holder = selectOwner(db).get();
  const fresh = holder !== undefined && holder.boot_id !== owner.bootId && now - holder.heartbeat_at < staleMs;
  // A fresh heartbeat from a process that no longer exists is a crash a moment ago, not a rival.
  if (fresh && (holderAlive === undefined || holderAlive(holder.pid))) throw locked(holder, now, 'Cannot start');
  upsertOwner(db).run(owner.bootId, owner.pid, now, now);
}

export function heartbeat(db: Db, bootId: string, now: number): void {
  if (touchOwner(db).run(now, bootId).changes === 1) return;
  const holder = selectOwner(db).get();
  if (holder) throw locked(holder, now, 'Lost ownership');
  throw new ServiceError('SERVICE_LOCKED', `Lost ownership: boot ${bootId} no longer owns this database (the owner row was released)`, { bootId });
}

export function release(db: Db, bootId: string): void {
  deleteOwner(db).run(bootId);
}
