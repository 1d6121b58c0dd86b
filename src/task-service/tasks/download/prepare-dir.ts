import { promises as nodeFs, type Stats } from 'node:fs';
import path from 'node:path';
import { PermanentError } from '../../engine/define';
import { diskFullError, isDiskFull } from './part-file';
import { isInside, type DownloadRoots } from './roots';

/**
 * Creates a download folder the careful way, before anything is written into it:
 *
 * - one component at a time with plain (non-recursive) mkdir. Node's recursive mkdir retries
 *   forever where a filesystem answers ENOENT for a folder whose parent exists (`/proc/x`): a
 *   task never finished and a thread-pool thread spun at 50-70% CPU, cancel or not;
 * - every existing component below the root is checked with lstat: a symlink is followed only
 *   when its target is inside a downloads root, so `<root>/link -> /etc` is refused;
 * - every call is bounded in time and raced against the task's signal, so a dead network mount
 *   fails within seconds and a cancel is honoured at once (the stuck call itself cannot be
 *   interrupted, but nothing waits on it or repeats it).
 *
 * A symlink swapped in between this check and the open is not caught (no portable openat); the
 * .part itself is opened with O_NOFOLLOW and the final name is published with link().
 */

/** The calls this module makes; tests substitute a filesystem that hangs. */
export interface FolderFs {
  lstat(p: string): Promise<Stats>;
  stat(p: string): Promise<Stats>;
  mkdir(p: string): Promise<unknown>;
  realpath(p: string): Promise<string>;
}

export interface PrepareDirOptions {
  fs?: FolderFs;
  /** Each filesystem call fails (permanently) after this long; default 10 s. */
  callTimeoutMs?: number;
  /** Told each folder below the root this call created, outermost first (see removeEmptyDirs). */
  onCreated?: (dir: string) => void;
}

const realFs: FolderFs = {
  lstat: (p) => nodeFs.lstat(p),
  stat: (p) => nodeFs.stat(p),
  mkdir: (p) => nodeFs.mkdir(p),
  realpath: (p) => nodeFs.realpath(p),
};

/** Deeper than any real folder tree; a bound on the walk whatever the filesystem answers. */
const MAX_DEPTH = 128;
/** Worth another attempt later; anything else about a folder is the user's to fix. */
const TRANSIENT = new Set(['EIO', 'EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);

const codeOf = (e: unknown): string => String((e as { code?: unknown } | null)?.code ?? '');

/** Resolves with `work`, or rejects on timeout or abort, whichever comes first. */
function bounded<T>(work: Promise<T>, signal: AbortSignal, ms: number, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => finish(() => reject(signal.reason));
    const timer = setTimeout(() => finish(() => reject(new PermanentError('TIMEOUT', `The filesystem did not answer within ${ms} ms while ${what} (a disconnected drive or network share?); choose another folder or retry later.`))), ms);
    timer.unref?.();
    const finish = (then: () => void): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      then();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(e)));
  });
}

function explain(dir: string, e: unknown): unknown {
  if (e instanceof PermanentError) return e;
  if (isDiskFull(e)) return diskFullError(dir);
  const code = codeOf(e);
  if (TRANSIENT.has(code)) return e;
  return new PermanentError('BAD_INPUT', `Cannot create the folder ${dir} (${code || (e as Error).message}); choose another folder.`);
}

/**
 * Makes sure `dir` (confined by `roots`) exists as a folder and returns its absolute path.
 * Throws OUTSIDE_DOWNLOADS, BAD_INPUT (cannot be created), TIMEOUT, DISK_FULL or the abort reason.
 */
export async function prepareDir(roots: DownloadRoots, dir: string, signal: AbortSignal, opts: PrepareDirOptions = {}): Promise<string> {
  const fs = opts.fs ?? realFs;
  const ms = opts.callTimeoutMs ?? 10_000;
  const { dir: target, root } = roots.confine(dir);
  const call = <T>(what: string, f: () => Promise<T>): Promise<T> => bounded(f(), signal, ms, what);
  // An abort is passed on as it is (the engine reads its kind), never reworded as a folder error.
  const folderError = (p: string, e: unknown): unknown => (signal.aborted ? signal.reason : explain(p, e));
  const lstatOrNull = async (p: string): Promise<Stats | null> => {
    try {
      return await call(`checking ${p}`, () => fs.lstat(p));
    } catch (e) {
      if (codeOf(e) === 'ENOENT') return null;
      throw folderError(p, e);
    }
  };
  const makeOne = async (p: string): Promise<void> => {
    try {
      await call(`creating ${p}`, () => fs.mkdir(p));
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw folderError(p, e);
    }
  };

  // The root itself the host chose: create it and any missing ancestors, one at a time.
  const missing: string[] = [];
  for (let p = root; (await lstatOrNull(p)) === null; p = path.dirname(p)) {
    if (path.dirname(p) === p || missing.length >= MAX_DEPTH) throw folderError(root, Object.assign(new Error('no existing ancestor'), { code: 'ENOENT' }));
    missing.unshift(p);
  }
  for (const p of missing) await makeOne(p);
  const rootStat = await call(`checking ${root}`, () => fs.stat(root)).catch((e: unknown) => Promise.reject(folderError(root, e)));
  if (!rootStat.isDirectory()) throw new PermanentError('BAD_INPUT', `The downloads folder ${root} is not a folder; choose another one.`);

  // Below the root: nothing is trusted.
  const parts = path.relative(root, target).split(path.sep).filter((s) => s.length > 0);
  if (parts.length > MAX_DEPTH) throw new PermanentError('BAD_INPUT', `The folder ${target} is nested deeper than ${MAX_DEPTH} levels.`);
  let realRoots: string[] | null = null;
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    let found = await lstatOrNull(current);
    if (found === null) {
      await makeOne(current);
      opts.onCreated?.(current);
      found = await lstatOrNull(current);
      if (found === null) throw folderError(current, Object.assign(new Error('vanished after mkdir'), { code: 'ENOENT' }));
    }
    let st: Stats = found;
    if (st.isSymbolicLink()) {
      realRoots ??= await Promise.all(roots.list().map((r) => call(`resolving ${r}`, () => fs.realpath(r)).catch(() => r)));
      const real = await call(`resolving ${current}`, () => fs.realpath(current)).catch((e: unknown) => Promise.reject(folderError(current, e)));
      if (!realRoots.some((r) => isInside(r, real))) {
        throw new PermanentError('OUTSIDE_DOWNLOADS', `The folder ${current} is a link to ${real}, outside the downloads folders (${roots.list().join(', ')}); choose a folder inside them.`);
      }
      st = await call(`checking ${current}`, () => fs.stat(current)).catch((e: unknown) => Promise.reject(folderError(current, e)));
    }
    if (!st.isDirectory()) throw new PermanentError('BAD_INPUT', `${current} exists and is not a folder; choose another folder.`);
  }
  return target;
}

/**
 * Removes folders a run created (as prepareDir reported them), innermost first, when the run
 * wrote nothing into them: a page without a video leaves no trace. Best effort: a folder that
 * is not empty (another download wrote there) or cannot be removed stays.
 */
export async function removeEmptyDirs(created: readonly string[]): Promise<void> {
  for (const dir of [...created].reverse()) {
    try {
      await nodeFs.rmdir(dir);
    } catch {
      return; // its parents are not empty either
    }
  }
}
