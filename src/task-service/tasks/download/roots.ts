import os from 'node:os';
import nodePath from 'node:path';
import { PermanentError } from '../../engine/define';
import { windowsComponentProblem } from './safe-path';

/**
 * The downloads roots: the only folders (and their subfolders) the service writes into. The
 * first is the default, under which a relative `dir` resolves; the others are folders the user
 * granted (Electron's folder dialog, the web host's --downloads-dir). Every task path goes
 * through `confine` at creation (a schema check) and again before a run touches the disk.
 *
 * This file is the lexical half (pure: the path module is a parameter, so the Windows rules are
 * tested under any OS); prepare-dir.ts is the half that meets the disk (symlinks, mkdir).
 */

export type PathApi = typeof nodePath.posix;

/** Where a dir landed: the absolute folder and the root that contains it. */
export interface Confined {
  dir: string;
  root: string;
}

/**
 * Why `dir` is not a path we accept at all, whatever the roots: null when it is fine.
 * UNC (`\\host\share`) makes Windows authenticate to that host (leaking an NTLM hash), and
 * device paths (`\\.\`, `\\?\`) bypass the normal name rules; both are refused on every OS.
 */
export function pathProblem(dir: string, p: PathApi): string | null {
  if (dir.length === 0) return 'is empty';
  if (dir.includes('\0')) return 'contains a NUL byte';
  if (/^[\\/]{2}/.test(dir)) return 'is a network (UNC) or device path';
  if (p === nodePath.win32) {
    if (/^[a-z]:(?![\\/])/i.test(dir)) return 'is relative to the current folder of a drive (like C:folder)';
    // A ":" after the drive opens an NTFS alternate stream.
    const rest = dir.slice(/^[a-z]:/i.test(dir) ? 2 : 0);
    if (rest.includes(':')) return 'contains ":"';
    for (const part of rest.split(/[\\/]/)) {
      const problem = part === '' ? null : windowsComponentProblem(part);
      if (problem) return `has a folder ${JSON.stringify(part)} that ${problem}`;
    }
  }
  return null;
}

function inside(p: PathApi, root: string, target: string): boolean {
  const rel = p.relative(root, target);
  if (rel === '') return true;
  if (p.isAbsolute(rel)) return false; // another drive on Windows
  const first = rel.split(p.sep)[0];
  return first !== '..';
}

/** True when `target` is `root` or below it (both absolute; case-insensitive on win32). */
export function isInside(root: string, target: string, p: PathApi = nodePath): boolean {
  return inside(p, p.resolve(root), p.resolve(target));
}

export class DownloadRoots {
  private readonly roots: string[] = [];

  /** `roots[0]` is the default; each must be an absolute local path. */
  constructor(roots: readonly string[], readonly path: PathApi = nodePath) {
    if (roots.length === 0) throw new Error('DownloadRoots needs at least one folder (the default).');
    for (const r of roots) this.grant(r);
  }

  /** The roots, default first. */
  list(): string[] {
    return [...this.roots];
  }

  get defaultRoot(): string {
    return this.roots[0]!;
  }

  /** Adds a folder the user chose; a folder already covered by a root is not repeated. */
  grant(folder: string): string {
    const problem = pathProblem(folder, this.path) ?? (this.path.isAbsolute(folder) ? null : 'is not an absolute path');
    if (problem) throw new PermanentError('BAD_INPUT', `The downloads folder ${JSON.stringify(folder)} ${problem}; choose a local folder.`);
    const abs = this.path.resolve(folder);
    if (!this.roots.some((r) => inside(this.path, r, abs))) this.roots.push(abs);
    return abs;
  }

  /** Why `dir` may not be written, or null. */
  problem(dir: string): string | null {
    const bad = pathProblem(dir, this.path);
    if (bad) return `The folder ${JSON.stringify(dir)} ${bad}; choose a folder inside ${this.describe()}.`;
    if (this.locate(dir) === null) return `The folder ${JSON.stringify(dir)} is outside the downloads folders (${this.describe()}); choose one of them or a folder inside.`;
    return null;
  }

  /** The absolute folder for `dir` (relative: under the default root), or OUTSIDE_DOWNLOADS. */
  confine(dir: string): Confined {
    const problem = this.problem(dir);
    if (problem) throw new PermanentError('OUTSIDE_DOWNLOADS', problem);
    return this.locate(dir)!;
  }

  private locate(dir: string): Confined | null {
    const p = this.path;
    const abs = p.isAbsolute(dir) ? p.resolve(dir) : p.resolve(this.defaultRoot, dir);
    // The innermost root wins, so a granted subfolder is checked against itself.
    const root = this.roots.filter((r) => inside(p, r, abs)).sort((a, b) => b.length - a.length)[0];
    return root === undefined ? null : { dir: abs, root };
  }

  private describe(): string {
    return this.roots.join(', ');
  }
}

/** Env the hosts already set for the service (src/main/app-config.ts SERVICE_ENV.downloadsDir). */
export const DOWNLOADS_DIR_ENV = 'PLAYLISTIFY_DOWNLOADS_DIR';

/**
 * Roots when no host configured them (library use, tests): the PLAYLISTIFY_DOWNLOADS_DIR folder,
 * else ~/Downloads. The service entry always passes its own (main.ts).
 */
export function rootsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): DownloadRoots {
  const fromEnv = (env[DOWNLOADS_DIR_ENV] ?? '').split(nodePath.delimiter).filter((d) => d.length > 0);
  return new DownloadRoots(fromEnv.length > 0 ? fromEnv : [nodePath.join(os.homedir(), 'Downloads')]);
}

/** A zod superRefine for task inputs with a `dir`: refuses, at creation, a folder outside `roots`. */
export function confineDir(roots: DownloadRoots) {
  return (value: { dir: string }, ctx: { addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[] }): void }): void => {
    const problem = roots.problem(value.dir);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['dir'] });
  };
}

/**
 * The host's `{type: 'grant-folder', dir}` message (Electron main, after the user picked a folder
 * in its dialog): adds `dir` as a root. Returns the folder granted, or why it was refused.
 */
export function grantFolderMessage(roots: DownloadRoots, data: unknown): { ok: true; dir: string } | { ok: false; message: string } {
  const dir = (data as { dir?: unknown } | null)?.dir;
  if (typeof dir !== 'string' || dir.length > 4096) return { ok: false, message: 'grant-folder needs {dir: string}' };
  try {
    return { ok: true, dir: roots.grant(dir) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}
