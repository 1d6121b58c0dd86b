import type { Db } from '../db/statement';
import type { WalThread } from './wal-thread';

/**
 * WAL control: checkpoints run off the request path. SQLite's own automatic checkpoint runs
 * inside the COMMIT that crosses its threshold, with an fsync, on whichever user call made that
 * commit (it was the p99 of enqueue-to-start). Here a timer checkpoints (PASSIVE: it never waits
 * for readers) once writes pause for IDLE_MS, or after MAX_COMMITS commits if they never pause.
 * SQLite's automatic checkpoint stays as a far-away safety valve (SAFETY_PAGES), for a
 * synchronous burst that never yields to the timer, so the WAL stays bounded regardless.
 * With a WalThread the timer's checkpoints run there, off the service's thread (wal-thread.ts).
 */

/** Writes paused this long: checkpoint. */
export const IDLE_MS = 10;
/** Checkpoint after this many commits even if writes never pause. */
export const MAX_COMMITS = 1_000;
/**
 * SQLite's automatic checkpoint, in pages (4 KiB each: 80 MiB), for bursts that never yield.
 * Under steady load the timer checkpoints first: MAX_COMMITS at about 7 pages each is ~28 MiB.
 */
export const SAFETY_PAGES = 20_000;

export interface CheckpointResult {
  busy: boolean;
  logFrames: number;
  checkpointed: number;
}

export function checkpoint(db: Db, mode: 'PASSIVE' | 'TRUNCATE'): CheckpointResult {
  const [r] = db.pragma(`wal_checkpoint(${mode === 'TRUNCATE' ? 'TRUNCATE' : 'PASSIVE'})`) as Array<{ busy: number; log: number; checkpointed: number }>;
  return { busy: r?.busy === 1, logFrames: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 };
}

/** The WAL of the store's connection: checkpoints on demand (housekeeping, close) and off the request path. */
export class WalControl {
  private pending = 0;
  private lastCommit = 0;
  private timer: NodeJS.Timeout | null = null;
  private inline = 0;

  constructor(
    private readonly db: Db,
    private readonly thread: WalThread | null = null,
  ) {
    db.pragma(`wal_autocheckpoint = ${SAFETY_PAGES}`);
  }

  /** Checkpoints the timer completed, here or on the thread (tests, diagnostics). */
  get ran(): number {
    return this.inline + (this.thread?.done ?? 0);
  }

  /** Of those, the ones the WAL thread ran. */
  get ranOnThread(): number {
    return this.thread?.done ?? 0;
  }

  /** Resolves once no timer checkpoint is under way on the thread (before a final TRUNCATE). */
  idle(): Promise<void> {
    return this.thread?.idle() ?? Promise.resolve();
  }

  /** PRAGMA wal_checkpoint(TRUNCATE|PASSIVE); returns the WAL frames left. */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): CheckpointResult {
    return checkpoint(this.db, mode);
  }

  /** A write transaction committed: make sure a checkpoint follows, later. */
  committed(): void {
    this.pending++;
    this.lastCommit = performance.now();
    if (this.timer === null) this.arm(IDLE_MS);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref(); // never keeps a process alive
  }

  private tick(): void {
    this.timer = null;
    if (!this.db.open || this.pending === 0) return;
    const idleFor = performance.now() - this.lastCommit;
    if (idleFor < IDLE_MS && this.pending < MAX_COMMITS) {
      this.arm(IDLE_MS - idleFor);
      return;
    }
    this.pending = 0;
    if (this.thread?.request()) return;
    try {
      checkpoint(this.db, 'PASSIVE');
      this.inline++;
    } catch {
      // Busy or an I/O error: the next commit arms another try; the housekeeping timer checkpoints too.
    }
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    void this.thread?.close();
  }
}
