/**
 * When a download checkpoints, and the ordering that makes checkpoints honest. `persist` must
 * fsync the .part before saving, so a checkpoint never claims bytes that are not on disk.
 *
 * Cadence, "about every MiB or second": an interval is `checkpointBytes` of new bytes, but never
 * shorter than `checkpointMinMs`, and never longer than `checkpointMs` while bytes arrive. So a
 * slow transfer checkpoints every MiB (or every second when even slower) and a fast one on time:
 * at loopback speed a per-MiB cadence meant hundreds of fsyncs and SQLite commits a second, a
 * third of the download's cost, to shrink a crash's re-fetch from a quarter second of transfer
 * to less. In bytes, one interval spans `checkpointSpan(timing, rate)`.
 *
 * Checkpoints run in the background, at most one in flight, and one starts every half interval.
 * The stream keeps flowing during an fsync (blocking on each one halved throughput on a virtual
 * disk), yet a landed checkpoint trails the bytes on disk by at most about one interval plus a
 * write batch or two, as if every checkpoint had blocked: a start waits for the previous landing.
 *
 * Write-behind: between checkpoints, once `flushBytes` were written since the last fsync started
 * and none is in flight, the .part is fsynced alone (no checkpoint is saved). The kernel would
 * otherwise hold a whole fast interval (~100 MiB at loopback speed) dirty, and the fsync before
 * the "complete" checkpoint then wrote it all back while the download waited: 30-60 ms of a
 * 256 MiB download's ~330 (bench/download.ts). The bytes written back are the same, earlier.
 */

export interface CheckpointTiming {
  /** An interval is at least this many new bytes (the slow-transfer cadence)... */
  checkpointBytes: number;
  /** ...and at least this long (the fast-transfer cadence, so a fast stream is not all fsyncs)... */
  checkpointMinMs: number;
  /** ...but at most this long while bytes keep arriving (a very slow transfer). */
  checkpointMs: number;
  /** Write-behind: fsync the .part alone once this many bytes await it (default FLUSH_BYTES). */
  flushBytes?: number;
  now: () => number;
}

/** The default write-behind step: small against a fast interval, never reached by a slow one. */
export const FLUSH_BYTES = 16 * 1024 * 1024;

/** The bytes one checkpoint interval spans at a transfer rate of `bytesPerSecond`. */
export function checkpointSpan(timing: Omit<CheckpointTiming, 'now'>, bytesPerSecond: number): number {
  const atLeast = Math.max(timing.checkpointBytes, (bytesPerSecond * timing.checkpointMinMs) / 1000);
  return Math.min(atLeast, (bytesPerSecond * timing.checkpointMs) / 1000);
}

export class Checkpointer {
  private lastBytes = 0;
  private lastAt: number;
  /** The byte count when the last fsync (checkpoint or write-behind) started. */
  private syncedBytes = 0;
  /** The checkpoint or write-behind fsync in flight (at most one), until settled. */
  private inFlight: Promise<void> | null = null;
  private busy = false;
  private failure: unknown = null;

  constructor(
    private readonly timing: CheckpointTiming,
    /** fsync the .part, then save a checkpoint claiming `bytes`. */
    private readonly persist: (bytes: number, completeSha256: string | null) => Promise<void>,
    /** fsync the .part and claim nothing (write-behind); none: no write-behind. */
    private readonly flush: (() => Promise<void>) | null = null,
  ) {
    this.lastAt = timing.now();
  }

  /** The byte count of the last checkpoint saved or started. */
  get savedBytes(): number {
    return this.lastBytes;
  }

  /** Records that `bytes` is already checkpointed (a resume, a reset saved elsewhere). */
  reset(bytes: number): void {
    this.lastBytes = bytes;
    this.syncedBytes = bytes;
    this.lastAt = this.timing.now();
  }

  /** Rethrows the failure of a background checkpoint (e.g. DISK_FULL from its fsync). */
  async check(): Promise<void> {
    if (this.failure !== null) await this.settle();
  }

  /** True when a checkpoint of `bytes` should start (half an interval since the last start). */
  due(bytes: number): boolean {
    const { checkpointBytes, checkpointMinMs, checkpointMs } = this.timing;
    const newBytes = bytes - this.lastBytes;
    if (newBytes <= 0) return false;
    const elapsed = this.timing.now() - this.lastAt;
    return (newBytes >= checkpointBytes / 2 && elapsed >= checkpointMinMs / 2) || elapsed >= checkpointMs / 2;
  }

  /** Call after each write: starts a background checkpoint when one is due, else a write-behind
   * fsync when one is due and nothing is in flight (it never makes the stream wait). */
  async maybe(bytes: number): Promise<void> {
    if (!this.due(bytes)) {
      if (this.flush !== null && !this.busy && bytes - this.syncedBytes >= (this.timing.flushBytes ?? FLUSH_BYTES)) this.start(bytes, this.flush);
      return;
    }
    await this.settle(); // one in flight at most: this is where a slow disk slows the stream
    this.lastBytes = bytes;
    this.lastAt = this.timing.now();
    this.start(bytes, () => this.persist(bytes, null));
  }

  private start(bytes: number, sync: () => Promise<void>): void {
    this.syncedBytes = bytes;
    this.busy = true;
    this.inFlight = sync()
      .catch((e: unknown) => {
        this.failure = e;
      })
      .finally(() => {
        this.busy = false;
      });
  }

  /** Saves a checkpoint now, after the one in flight (so they land in order). */
  async now(bytes: number, completeSha256: string | null = null): Promise<void> {
    await this.settle();
    await this.persist(bytes, completeSha256);
    this.reset(bytes);
  }

  /** Waits for the checkpoint in flight and rethrows its failure. */
  async settle(): Promise<void> {
    await this.inFlight;
    this.inFlight = null;
    const e = this.failure;
    this.failure = null;
    if (e !== null) throw e;
  }

  /** Waits for the checkpoint in flight and forgets its failure (before a reset or on the way out). */
  async quiet(): Promise<void> {
    await this.inFlight;
    this.inFlight = null;
    this.failure = null;
  }
}
