import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The running sha256 of a download, computed off the main thread. Hashing every byte is the
 * single largest cost a checkpointed download adds over a plain copy (SHA-NI does ~1.4 GB/s, a
 * quarter of the time a loopback copy takes), and the service's main thread also serves RPC
 * and the engine, so the bytes go to one shared worker thread instead. Chunks are transferred,
 * not copied, when they own their memory (socket reads do). Bytes in flight to the worker are
 * bounded, so a starved worker slows the download instead of growing memory.
 */

/** An incremental sha256 that takes ownership of what it is fed. */
export interface StreamHash {
  /** Feeds bytes in order. The chunks may be detached afterwards: do not reuse them. */
  update(chunks: Buffer[]): Promise<void>;
  /**
   * Feeds bytes that stay ours (a region of a shared ring): resolves once they are hashed, after
   * which the caller may overwrite them. Posted in order with `update`.
   */
  updateShared(region: Uint8Array): Promise<void>;
  /** The hex digest of everything fed; the hash is finished afterwards. */
  digest(): Promise<string>;
  /** Forgets the state (a restart from zero, or a run that ended without a digest). */
  dispose(): void;
}

/** Hashes on the calling thread (small files, or where a worker cannot start). */
export function localHash(): StreamHash {
  const hash = createHash('sha256');
  return {
    update: async (chunks) => void chunks.forEach((c) => hash.update(c)),
    updateShared: async (region) => void hash.update(region),
    digest: async () => hash.digest('hex'),
    dispose: () => undefined,
  };
}

// CommonJS source for an eval worker: no file to locate, so it survives bundling.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let h = hashes.get(m.id);
    if (!h) hashes.set(m.id, (h = createHash('sha256')));
    let n = 0;
    for (const b of m.bufs) { h.update(new Uint8Array(b.buffer, b.offset, b.length)); n += b.length; }
    parentPort.postMessage({ id: m.id, hashed: n });
  } else if (m.op === 'digest') {
    const h = hashes.get(m.id) || createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, digest: h.digest('hex') });
  } else if (m.op === 'drop') {
    hashes.delete(m.id);
  }
});
`;

/** Bytes posted to the worker but not yet hashed, per download, before update() waits. */
const MAX_IN_FLIGHT = 32 * 1024 * 1024;

interface Session {
  inFlight: number;
  /** One entry per posted update, in order: the worker acks each; shared ones wait for it. */
  acks: Array<(() => void) | null>;
  /** Resolved when inFlight drops (update waiting for room) or the digest arrives. */
  waiters: Array<() => void>;
  digest: ((hex: string) => void) | null;
  fail: (e: Error) => void;
}

let worker: Worker | null = null;
const sessions = new Map<number, Session>();
let nextId = 1;
/** Replies still owed by the worker: it keeps the process alive only while this is above 0. */
let owed = 0;

function post(w: Worker, message: unknown, transfer: ArrayBuffer[] = []): void {
  try {
    w.postMessage(message, transfer);
  } catch {
    w.postMessage(message); // a buffer that refuses to move (DataCloneError) is copied instead
  }
  if (owed++ === 0) w.ref();
}

function settleOne(w: Worker): void {
  if (--owed === 0) w.unref();
}

function failAll(e: Error): void {
  worker = null;
  owed = 0;
  for (const s of sessions.values()) s.fail(e);
  sessions.clear();
}

function sharedWorker(): Worker {
  if (worker !== null) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (m: { id: number; hashed?: number; digest?: string }) => {
    settleOne(w);
    const s = sessions.get(m.id);
    if (!s) return;
    if (m.hashed !== undefined) {
      s.inFlight -= m.hashed;
      s.acks.shift()?.();
    }
    if (m.digest !== undefined) s.digest?.(m.digest);
    for (const wake of s.waiters.splice(0)) wake();
  });
  w.on('error', (e) => failAll(e));
  w.on('exit', (code) => failAll(new Error(`The hashing thread exited (code ${code}).`)));
  w.unref(); // after the listeners (adding one re-refs): an idle hasher must not keep the process alive
  return (worker = w);
}

/** Socket reads own their ArrayBuffer and can move; anything else (pool slices) is copied. */
function movable(c: Buffer): { buffer: ArrayBuffer; offset: number; length: number } {
  const owns = c.byteOffset === 0 && c.buffer.byteLength === c.byteLength && c.byteLength > Buffer.poolSize && c.buffer instanceof ArrayBuffer;
  if (owns) return { buffer: c.buffer as ArrayBuffer, offset: 0, length: c.byteLength };
  const copy = new Uint8Array(c.byteLength); // a fresh ArrayBuffer (Buffer.from could use the pool)
  copy.set(c);
  return { buffer: copy.buffer, offset: 0, length: copy.byteLength };
}

/** A StreamHash on the shared hashing thread (or on this thread if none can start). */
export function workerHash(): StreamHash {
  let w: Worker;
  try {
    w = sharedWorker();
  } catch {
    return localHash(); // e.g. a sandbox without worker threads: slower, still correct
  }
  const id = nextId++;
  let failure: Error | null = null;
  const session: Session = {
    inFlight: 0,
    acks: [],
    waiters: [],
    digest: null,
    fail: (e) => {
      failure = e;
      for (const wake of session.waiters.splice(0)) wake();
      for (const ack of session.acks.splice(0)) ack?.();
    },
  };
  sessions.set(id, session);
  const check = (): void => {
    if (failure !== null) throw failure;
  };
  return {
    async update(chunks) {
      check();
      const bufs = chunks.map(movable);
      const bytes = bufs.reduce((n, b) => n + b.length, 0);
      session.inFlight += bytes;
      session.acks.push(null);
      post(w, { op: 'update', id, bufs }, bufs.map((b) => b.buffer).filter((b, i, all) => all.indexOf(b) === i));
      while (session.inFlight > MAX_IN_FLIGHT && failure === null) await new Promise<void>((r) => session.waiters.push(r));
      check();
    },
    async updateShared(region) {
      check();
      // Shared memory is neither copied nor moved: the worker reads the ring where it is.
      const done = new Promise<void>((resolve) => session.acks.push(resolve));
      session.inFlight += region.byteLength;
      post(w, { op: 'update', id, bufs: [{ buffer: region.buffer, offset: region.byteOffset, length: region.byteLength }] });
      await done;
      check();
    },
    async digest() {
      check();
      const hex = await new Promise<string>((resolve, reject) => {
        session.digest = resolve;
        session.fail = reject;
        post(w, { op: 'digest', id });
      });
      sessions.delete(id);
      return hex;
    },
    dispose() {
      if (!sessions.delete(id)) return;
      worker?.postMessage({ op: 'drop', id });
    },
  };
}
