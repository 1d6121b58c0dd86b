import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Where yt-dlp lives: the service config's path first (the app may ship or pin one), then the
 * PLAYLISTIFY_YTDLP environment variable, then PATH. Looked up per use, not once at boot, so a
 * user who installs yt-dlp while the app runs only has to retry the task.
 */

/** How to find yt-dlp; `env` defaults to the service's environment. */
export interface LocateOptions {
  /** An explicit path from the service config. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

async function executable(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every file PATH would run for `name`, in order (PATHEXT suffixes on Windows). */
function pathCandidates(name: string, env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d.length > 0 && path.isAbsolute(d));
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  return dirs.flatMap((d) => exts.map((e) => path.join(d, name + e.toLowerCase())));
}

/** The absolute path of yt-dlp, or null when none of the three places has it. */
export async function locateYtDlp(options: LocateOptions = {}): Promise<string | null> {
  const env = options.env ?? process.env;
  // A configured path that is wrong is not silently replaced by another copy: the user asked
  // for that one, and running a different version would hide their mistake.
  const explicit = options.path ?? env.PLAYLISTIFY_YTDLP;
  if (explicit !== undefined && explicit !== '') return (await executable(explicit)) ? path.resolve(explicit) : null;
  for (const candidate of pathCandidates('yt-dlp', env)) {
    if (await executable(candidate)) return candidate;
  }
  return null;
}

/** Where the lookup went, for the "not found" message. */
export function lookedAt(options: LocateOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.path !== undefined && options.path !== '') return `the configured path ${options.path}`;
  if (env.PLAYLISTIFY_YTDLP) return `PLAYLISTIFY_YTDLP=${env.PLAYLISTIFY_YTDLP}`;
  return 'PATH';
}
