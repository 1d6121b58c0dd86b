import { ServiceError } from '../../shared/errors';
import { Housekeeping } from './housekeeping';
import { Notices, type ServiceNotice } from './notices';
import { processAlive } from './process-alive';
import { recover } from './recovery';
import { SERVICE_VERSION, type Wiring } from './wiring';

/** How long stop waits for a checkpoint running on the WAL thread before its own TRUNCATE (which is then merely busy). */
const WAL_IDLE_WAIT_MS = 2_000;

/**
 * Lifecycle and ownership: start (take the single-owner lease, recover, begin claiming, start
 * the heartbeat), stop (drain, release the lease, checkpoint the WAL, close), the loss of
 * ownership to another process, and the health that reports all three.
 */

export interface ServiceHealth {
  ok: boolean;
  /** The queue-wide pause (persisted: it survives restarts). Not a fault, so not in degraded. */
  queuePaused: boolean;
  version: string;
  schemaVersion: number;
  bootId: string;
  startedAt: number | null;
  degraded: string[];
  /** What the user must see once (a quarantined database), until service.acknowledge. */
  notices: ServiceNotice[];
  /** Where downloads may go: the default folder first, then folders the user granted. */
  downloadsRoots: string[];
  /** The yt-dlp binary and version found (null when absent: only pages and playlists need it). */
  ytdlp?: YtDlpHealth;
}

/** What service.health says about yt-dlp. */
export interface YtDlpHealth {
  path: string | null;
  version: string | null;
  problem?: string;
}

export class Lifecycle {
  private startedAt: number | null = null;
  private stopped = false;
  private ownershipLost: string | null = null;
  private readonly housekeeping: Housekeeping;
  readonly notices: Notices;

  constructor(private readonly w: Wiring) {
    const { store, engine, clock, bootId } = w;
    this.notices = new Notices(w.dbPath);
    this.housekeeping = new Housekeeping({
      store,
      guard: engine.guard,
      clock,
      bootId,
      heartbeatMs: w.heartbeatMs,
      walMs: w.walMs,
      busy: () => engine.busy(),
      retention: w.retention,
      onOwnershipLost: (message) => {
        this.ownershipLost = message;
        engine.relinquish();
      },
    });
  }

  async start(): Promise<void> {
    if (this.startedAt !== null) return;
    const { store, engine, clock, bootId } = this.w;
    const t = clock.now();
    try {
      engine.preflight();
      store.owner.acquire({ bootId, pid: process.pid }, t, this.w.staleMs, processAlive);
    } catch (e) {
      store.close();
      this.stopped = true;
      throw e;
    }
    recover(engine, store, { bootId, now: t, maxRecoveries: this.w.maxRecoveries });
    this.startedAt = t;
    engine.begin();
    this.housekeeping.start();
  }

  async stop(o: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { store, engine, bootId } = this.w;
    this.housekeeping.stop();
    if (this.startedAt !== null) {
      await engine.stop(o.timeoutMs ?? this.w.shutdownTimeoutMs);
      // A checkpoint on the WAL thread would make the TRUNCATE below busy; a stalled disk must not hold up the stop, though.
      await Promise.race([store.wal.idle(), new Promise<void>((r) => setTimeout(r, WAL_IDLE_WAIT_MS).unref())]);
      try {
        store.owner.release(bootId);
        store.wal.checkpoint('TRUNCATE');
      } catch {
        // Closing anyway: a stale owner row is taken over after staleMs.
      }
    }
    store.close();
  }

  /** Throws unless changes may be made now (started, not stopped, still the owner). */
  assertRunning(): void {
    if (this.startedAt === null || this.stopped) throw new ServiceError('SHUTTING_DOWN', this.stopped ? 'The task service is stopped' : 'The task service is not started; call start() first');
    // Another process owns the database now: changes go through it, never through both.
    if (this.ownershipLost) throw new ServiceError('SERVICE_LOCKED', `${this.ownershipLost}. Restart the app to reconnect to the running service.`);
  }

  health(): ServiceHealth {
    const { engine, store, bootId } = this.w;
    const degraded: string[] = [];
    const db = engine.guard.degraded();
    if (db) degraded.push(db);
    if (this.ownershipLost) degraded.push(`ownership lost: ${this.ownershipLost}`);
    if (this.stopped) degraded.push('stopped');
    return {
      ok: degraded.length === 0 && this.startedAt !== null,
      queuePaused: engine.queueIsPaused(),
      version: SERVICE_VERSION,
      schemaVersion: store.schemaVersion(),
      bootId,
      startedAt: this.startedAt,
      degraded,
      notices: this.notices.list(),
      downloadsRoots: this.w.downloadsRoots(),
      ...(this.w.ytdlpHealth ? { ytdlp: this.w.ytdlpHealth() } : {}),
    };
  }
}
