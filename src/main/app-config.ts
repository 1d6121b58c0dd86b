import path from 'node:path';

/**
 * Where the app keeps its data and which native binding the service loads. Electron-free so
 * it is tested under Node; index.ts feeds it argv, env and app paths.
 */

export const USER_DATA_ENV = 'PLAYLISTIFY_USER_DATA';
export const USER_DATA_FLAG = '--user-data-dir';

/** Env the service entry reads (the launch contract with src/task-service/main.ts). */
export const SERVICE_ENV = {
  dbPath: 'PLAYLISTIFY_DB_PATH',
  nativeBinding: 'PLAYLISTIFY_NATIVE_BINDING',
  downloadsDir: 'PLAYLISTIFY_DOWNLOADS_DIR',
  /** Must equal engine/worker/worker-path.ts WORKER_ENTRY_ENV (test/main-app-config checks). */
  workerEntry: 'PLAYLISTIFY_WORKER_ENTRY',
} as const;

/**
 * A user-data folder chosen by a flag (`--user-data-dir=X` or `--user-data-dir X`), then by
 * env PLAYLISTIFY_USER_DATA, else null (keep Electron's default). Tests use either to get a
 * fresh folder per run; it also scopes the single-instance lock.
 */
export function userDataOverride(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith(`${USER_DATA_FLAG}=`)) return path.resolve(arg.slice(USER_DATA_FLAG.length + 1));
    if (arg === USER_DATA_FLAG && argv[i + 1]) return path.resolve(argv[i + 1]!);
  }
  const fromEnv = env[USER_DATA_ENV];
  return fromEnv ? path.resolve(fromEnv) : null;
}

/** The database file inside the user-data folder. */
export function databasePath(userData: string): string {
  return path.join(userData, 'playlistify.db');
}

/**
 * The Electron-ABI better-sqlite3 build, relative to the packaged app's resources folder and to
 * the repo (where scripts/build-electron-sqlite.mjs writes it). The installer config copies it
 * to exactly this place (scripts/packaging/builder-config.ts; test/packaging-config checks).
 */
export const NATIVE_BINDING_REL = 'native/electron/better_sqlite3.node';

/**
 * Candidate locations of the Electron-ABI better-sqlite3 build: next to the packaged app's
 * resources first, then the repo's native/electron (dev), which the build script writes.
 */
export function nativeBindingCandidates(appPath: string, resourcesPath: string | undefined): string[] {
  const rel = path.join(...NATIVE_BINDING_REL.split('/'));
  const list = [path.join(appPath, rel)];
  if (resourcesPath) list.unshift(path.join(resourcesPath, rel));
  return list;
}

/** The first candidate that exists, or a message saying exactly what is missing and how to fix it. */
export function findNativeBinding(
  candidates: readonly string[],
  exists: (file: string) => boolean,
): { ok: true; path: string } | { ok: false; message: string } {
  const found = candidates.find((c) => exists(c));
  if (found) return { ok: true, path: found };
  return {
    ok: false,
    message:
      `better-sqlite3 built for Electron is missing (looked in ${candidates.join(', ')}). ` +
      'Run "node scripts/build-electron-sqlite.mjs" with access to electronjs.org headers, then start again.',
  };
}
