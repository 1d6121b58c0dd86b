import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints on a thread of their own. A checkpoint copies the WAL back into the database and
 * fsyncs both files: tens of milliseconds on a real disk, during which the service's thread
 * could neither answer a call nor commit an outcome (about a tenth of the wall time of a busy
 * queue at concurrency 1, bench/queue). Here a second connection to the same file runs it
 * (PASSIVE: it never waits for, nor blocks, the writer), and the writer carries on.
 * If the thread cannot start or fails, `request` says so and the caller checkpoints inline,
 * as before.
 */

// CommonJS source for an eval worker: no file to locate, so it survives bundling. It loads the
// same better-sqlite3 (and native binding) as the service's connection.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m !== 'checkpoint') return;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: r ? r.busy === 1 : false });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.message || e) });
  }
});
`;

function sqliteModule(): string {
  return createRequire(import.meta.url).resolve('better-sqlite3');
}

export class WalThread {
  private worker: Worker | null = null;
  private running: Promise<void> | null = null;
  private finish: (() => void) | null = null;
  private broken = false;
  /** Checkpoints the thread completed (tests, diagnostics). */
  done = 0;

  constructor(
    private readonly file: string,
    private readonly nativeBinding?: string,
  ) {}

  /**
   * Starts a checkpoint on the thread unless one is under way. False: no thread (it failed to
   * start or died), so the caller should checkpoint itself.
   */
  request(): boolean {
    if (this.broken) return false;
    if (this.running !== null) return true;
    const w = this.start();
    if (w === null) return false;
    this.running = new Promise<void>((resolve) => (this.finish = resolve));
    // Referenced while a checkpoint runs: whoever awaits idle() (stop) must not see the process
    // exit under it with the promise unsettled. Idle, the thread never keeps the process alive.
    w.ref();
    w.postMessage('checkpoint');
    return true;
  }

  /** Resolves once no checkpoint is under way on the thread. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Stops the thread (its connection closes with it). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.broken = true;
    this.settle();
    if (w !== null) await w.terminate();
  }

  private settle(): void {
    this.worker?.unref();
    const f = this.finish;
    this.running = null;
    this.finish = null;
    f?.();
  }

  private start(): Worker | null {
    if (this.worker !== null) return this.worker;
    try {
      const w = new Worker(SOURCE, { eval: true, workerData: { module: sqliteModule(), file: this.file, nativeBinding: this.nativeBinding } });
      w.on('message', (m: { ok: boolean }) => {
        if (m.ok) this.done++;
        this.settle();
      });
      const fail = (): void => {
        this.broken = true;
        this.worker = null;
        this.settle();
      };
      w.on('error', fail);
      w.on('exit', fail);
      w.unref(); // an idle checkpointer never keeps the process alive (see request)
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }
}
