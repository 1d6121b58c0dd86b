import { ServiceError } from '../../shared/errors';
import type { Db } from '../db/statement';
import { deleteOwner, selectOwner, touchOwner, upsertOwner, type OwnerRow } from '../db/sql/owner';

/**
 * Single owner of the database file: one row naming the boot that may run tasks, kept alive by
 * heartbeats. A second service sees a fresh heartbeat and refuses to start (SERVICE_LOCKED);
 * a crashed owner's row goes stale and is taken over. Each call is its own write transaction
 * (the store's `write`, which maps SQLite faults to typed errors).
 */

function locked(holder: OwnerRow, now: number, what: string): ServiceError {
  return new ServiceError(
    'SERVICE_LOCKED',
    `${what}: another task service (pid ${holder.pid}, boot ${holder.boot_id}) owns this database; ` +
      `its last heartbeat was ${Math.max(0, now - holder.heartbeat_at)} ms ago. Close the other Playlistify instance first.`,
    { pid: holder.pid, bootId: holder.boot_id, heartbeatAt: holder.heartbeat_at },
  );
}

export class OwnerLease {
  constructor(
    private readonly db: Db,
    private readonly write: <T>(fn: () => T) => T,
  ) {}

  /**
   * Takes the owner row for bootId when it is free or its heartbeat is older than staleMs, or
   * when `holderAlive` says the holder's process is gone (a crash just now: no need to wait out
   * the lease); otherwise SERVICE_LOCKED naming the holder (pid, boot id, heartbeat).
   */
  acquire(owner: { bootId: string; pid: number }, now: number, staleMs: number, holderAlive?: (pid: number) => boolean): void {
    this.write(() => {
      const holder = selectOwner(this.db).get();
      const fresh = holder !== undefined && holder.boot_id !== owner.bootId && now - holder.heartbeat_at < staleMs;
      // A fresh heartbeat from a process that no longer exists is a crash a moment ago, not a rival.
      if (fresh && (holderAlive === undefined || holderAlive(holder.pid))) throw locked(holder, now, 'Cannot start');
      upsertOwner(this.db).run(owner.bootId, owner.pid, now, now);
    });
  }

  /** Refreshes the heartbeat; SERVICE_LOCKED if another boot took over. */
  heartbeat(bootId: string, now: number): void {
    this.write(() => {
      if (touchOwner(this.db).run(now, bootId).changes === 1) return;
      const holder = selectOwner(this.db).get();
      if (holder) throw locked(holder, now, 'Lost ownership');
      throw new ServiceError('SERVICE_LOCKED', `Lost ownership: boot ${bootId} no longer owns this database (the owner row was released)`, { bootId });
    });
  }

  release(bootId: string): void {
    this.write(() => deleteOwner(this.db).run(bootId));
  }
}
