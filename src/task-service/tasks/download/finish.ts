import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { PermanentError } from '../../engine/define';
import type { DownloadCheckpoint } from './checkpoint';
import type { Transfer } from './transfer';

/**
 * The end of a download: verify, make the bytes durable, record "complete" in the checkpoint,
 * then rename. Recording before renaming lets a run that crashed in between finish without the
 * network (the rename, or the already renamed file, is recognised by size and digest).
 */

/** What a finished download reports. */
export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
}

const READ_CHUNK = 1024 * 1024;

/** Feeds the first `length` bytes of the open .part into the transfer's hash. */
export async function hashPrefix(t: Transfer, length: number): Promise<void> {
  for (let pos = 0; pos < length; ) {
    if (t.ctx.signal.aborted) throw t.ctx.signal.reason;
    const buf = Buffer.allocUnsafeSlow(Math.min(READ_CHUNK, length - pos)); // the hash takes it
    const n = await t.handle!.read(buf, pos);
    if (n === 0) throw new Error(`The partial file ended at ${pos} bytes while rehashing its first ${length}.`);
    await t.hash.update([buf.subarray(0, n)]);
    pos += n;
  }
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The size of `file` when it is a regular file itself (lstat: a symlink is not followed), else null. */
async function sizeOf(file: string): Promise<number | null> {
  try {
    const st = await fs.lstat(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** True when anything at all is at `file`, a dangling symlink included (stat would say no). */
async function entryExists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Without hard links: claim the name with O_CREAT|O_EXCL (fails on any existing entry, a
 * dangling symlink included, and never follows one), then rename the .part over our own empty
 * placeholder. False when the name was taken.
 */
async function claimName(final: string): Promise<boolean> {
  try {
    await (await fs.open(final, 'wx')).close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Filesystems without hard links (FAT, exFAT, some network shares) answer link() with these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * Moves the finished .part to its name without ever replacing an entry that is already there: a
 * user's file, another download's, or a symlink (dangling or not). link() fails with EEXIST
 * atomically and does not follow a symlink at the new name; where links are not supported, an
 * O_EXCL placeholder claims the name first. An existing regular file with exactly our bytes is
 * fine (the same video downloaded twice); anything else is a CONFLICT and the .part stays, so
 * the task finishes once the other entry is moved away and it is retried.
 */
async function publish(part: string, final: string, bytes: number, digest: string): Promise<void> {
  try {
    await fs.link(part, final);
    await fs.unlink(part);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code !== 'EEXIST' && !NO_LINKS.has(code)) throw e;
    if (code !== 'EEXIST' && (await claimName(final))) {
      await fs.rename(part, final);
      return;
    }
  }
  if ((await sizeOf(final)) === bytes && (await hashFile(final)) === digest) {
    await fs.unlink(part);
    return;
  }
  const what = (await sizeOf(final)) === null && (await entryExists(final)) ? 'already exists and is not a regular file (a link or a folder)' : 'already exists with other content';
  throw new PermanentError('CONFLICT', `${final} ${what}; move or rename it, then retry this download (its data is kept in ${part}).`);
}

/** Makes a rename durable: fsync the directory entry (not possible on every platform). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  }
}

export async function finishDownload(t: Transfer): Promise<DownloadResult> {
  const { input } = t.ctx;
  const digest = await t.hash.digest();
  if (input.expectedSize !== undefined && t.bytes !== input.expectedSize) {
    await t.integrityFailure(`Downloaded ${t.bytes} bytes but ${input.expectedSize} were expected`);
  }
  if (input.sha256 !== undefined && digest !== input.sha256.toLowerCase()) {
    await t.integrityFailure(`The sha256 of the download is ${digest}, not the expected ${input.sha256.toLowerCase()}`);
  }
  await t.open(); // a 0-byte file or a 416-complete resume may not have opened it yet
  await t.saveCheckpoint(digest);
  await t.closeHandle();
  await publish(t.partPath, t.finalPath, t.bytes, digest);
  await syncDir(t.dir);
  t.ctx.progress({ current: t.bytes, total: t.bytes, ratio: 1 });
  return { path: t.finalPath, bytes: t.bytes, sha256: digest };
}

/** After a crash between "complete" and the task finishing: rename if needed, or start over. */
export async function recoverCompleted(t: Transfer, cp: DownloadCheckpoint): Promise<DownloadResult | null> {
  const digest = cp.completeSha256!;
  if ((await sizeOf(t.partPath)) === cp.bytes && (await hashFile(t.partPath)) === digest) {
    await publish(t.partPath, t.finalPath, cp.bytes, digest);
    await syncDir(t.dir);
  }
  if ((await sizeOf(t.finalPath)) === cp.bytes && (await hashFile(t.finalPath)) === digest) {
    t.ctx.log('The file was already complete before the last restart.');
    return { path: t.finalPath, bytes: cp.bytes, sha256: digest };
  }
  t.ctx.log('A checkpoint said complete but the file is gone or different; downloading again.');
  return null;
}
