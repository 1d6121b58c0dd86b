/**
 * When a download checkpoints, and the ordering that makes checkpoints honest. `persist` must
 * fsync the .part before saving, so a checkpoint never claims bytes that are not on disk.
 *
 * Checkpoints run in the background, at most one in flight, and one starts every half interval
 * (of bytes, or the full interval of time). The stream keeps flowing during an fsync (blocking
 * on each one halved throughput on a virtual disk), yet a landed checkpoint trails the bytes on
 * disk by at most about one interval plus a write batch, as if every checkpoint had blocked.
 */

export interface CheckpointTiming {
  checkpointBytes: number;
  checkpointMs: number;
  now: () => number;
}

export class Checkpointer {
  private lastBytes = 0;
  private lastAt: number;
  private inFlight: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly timing: CheckpointTiming,
    /** fsync the .part, then save a checkpoint claiming `bytes`. */
    private readonly persist: (bytes: number, completeSha256: string | null) => Promise<void>,
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
    this.lastAt = this.timing.now();
  }

  /** Rethrows the failure of a background checkpoint (e.g. DISK_FULL from its fsync). */
  async check(): Promise<void> {
    if (this.failure !== null) await this.settle();
  }

  /** Call after each write: starts a background checkpoint when one is due. */
  async maybe(bytes: number): Promise<void> {
    const now = this.timing.now();
    if (bytes - this.lastBytes < this.timing.checkpointBytes / 2 && now - this.lastAt < this.timing.checkpointMs) return;
    await this.settle(); // one in flight at most: this is where a slow disk slows the stream
    this.lastBytes = bytes;
    this.lastAt = now;
    this.inFlight = this.persist(bytes, null).catch((e: unknown) => {
      this.failure = e;
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
