import { constants, promises as fs, writeSync } from 'node:fs';
import { PermanentError } from '../../engine/define';
import { inlineWhileFast } from './inline-write';

/**
 * The `.part` file behind a download, reduced to the calls the transfer makes. It is the
 * injection point for disk faults: tests wrap the real handle to throw an ENOSPC-coded error,
 * because a genuinely full filesystem cannot be produced portably without root.
 */
export interface PartHandle {
  /** Writes all of `buf` at `position` (loops over short writes), on the calling thread while
   * that is quick (inline-write.ts). Must not hold on to the buffers once resolved: the
   * transfer then moves them to the hashing thread. */
  write(buf: Uint8Array, position: number): Promise<void>;
  /** Writes several buffers at `position` in one call where the platform allows. */
  writev(bufs: Uint8Array[], position: number): Promise<void>;
  read(buf: Uint8Array, position: number): Promise<number>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** Opens (creating if needed) a .part file for reading and writing. */
export type OpenPart = (path: string) => Promise<PartHandle>;

// O_NOFOLLOW: a symlink planted at "<name>.part" must not redirect our writes elsewhere.
const OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

/** What a .part that is not our own plain file looks like when opened with O_NOFOLLOW. */
const NOT_A_FILE = new Set(['ELOOP', 'EMLINK', 'EISDIR', 'ENOTDIR', 'EFTYPE']);

/**
 * Something else sits at the .part's name (a symlink, a folder, a hard link to another file, a
 * FIFO). Permanent: retrying cannot fix it, and it used to burn every attempt as HANDLER_FAILED.
 */
export function notOurPartError(path: string, what: string): PermanentError {
  return new PermanentError('CONFLICT', `${path} is ${what}, not a partial download; remove it, then retry this download.`);
}

export const openPartFile: OpenPart = async (path) => {
  if (constants.O_NOFOLLOW === undefined) {
    // Windows has no O_NOFOLLOW: look first (a narrow race remains there, none on POSIX).
    const st = await fs.lstat(path).catch(() => null);
    if (st !== null && !st.isFile()) throw notOurPartError(path, 'a symbolic link or a folder');
  }
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, OPEN_FLAGS, 0o644);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NOT_A_FILE.has(code)) throw notOurPartError(path, 'a symbolic link or a folder');
    throw e;
  }
  const st = await fh.stat();
  // A hard link would let our truncate and writes change another file.
  if (!st.isFile() || st.nlink > 1) {
    await fh.close();
    throw notOurPartError(path, st.isFile() ? 'a hard link to another file' : 'not a regular file');
  }
  // Inline while the page cache keeps up, then on the thread pool (inline-write.ts).
  const write = inlineWhileFast({
    writeSync: (buf, offset, length, position) => writeSync(fh.fd, buf, offset, length, position),
    write: async (buf, offset, length, position) => (await fh.write(buf, offset, length, position)).bytesWritten,
  });
  return {
    write,
    async writev(bufs, position) {
      const total = bufs.reduce((n, b) => n + b.byteLength, 0);
      const { bytesWritten } = await fh.writev(bufs, position);
      if (bytesWritten < total) await write(Buffer.concat(bufs).subarray(bytesWritten), position + bytesWritten);
    },
    async read(buf, position) {
      return (await fh.read(buf, 0, buf.byteLength, position)).bytesRead;
    },
    datasync: () => fh.datasync(),
    truncate: (length) => fh.truncate(length),
    size: async () => (await fh.stat()).size,
    close: () => fh.close(),
  };
};

/** True for "the disk is full" in its usual spellings (plain full disk or quota). */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The DISK_FULL failure: permanent, because retrying in seconds will not free space. */
export function diskFullError(path: string): PermanentError {
  return new PermanentError(
    'DISK_FULL',
    `The disk is full while writing ${path}. Free some space, then retry the task: it resumes from its last checkpoint.`,
  );
}

/** Removes a file, ignoring one that is already gone. */
export async function removeIfPresent(path: string): Promise<void> {
  await fs.rm(path, { force: true });
}
