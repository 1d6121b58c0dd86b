import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ServiceError } from '../../../shared/errors';

/**
 * Where the worker-thread entry lives, in every way the engine runs:
 *  1. an explicit path (service option `workerEntry`) or PLAYLISTIFY_WORKER_ENTRY — what a
 *     bundled Electron build uses (main gets the emitted file's path from electron-vite's
 *     `?modulePath` import and hands it to the service);
 *  2. from TypeScript sources (tsx, vitest): worker-bootstrap.mjs, which registers tsx on the
 *     worker thread before loading worker-entry.ts;
 *  3. from a build without an explicit path: `worker-entry.js` beside the module running this
 *     code (the bundle), so the build must emit it there under that name.
 * The path is computed with node:path rather than `new URL('./x', import.meta.url)`, a pattern
 * bundlers rewrite into asset references.
 */

export const WORKER_ENTRY_FILE = 'worker-entry.js';
export const WORKER_ENTRY_ENV = 'PLAYLISTIFY_WORKER_ENTRY';

export function resolveWorkerEntry(explicit?: string, here: string = import.meta.url): URL {
  const given = explicit ?? process.env[WORKER_ENTRY_ENV];
  if (given) return /^file:/i.test(given) ? new URL(given) : pathToFileURL(path.resolve(given));
  const dir = path.dirname(fileURLToPath(here));
  return pathToFileURL(path.join(dir, here.endsWith('.ts') ? 'worker-bootstrap.mjs' : WORKER_ENTRY_FILE));
}

/** Fails at start, naming the path, rather than on the first worker task. */
export function checkWorkerEntry(entry: URL): void {
  if (fs.existsSync(fileURLToPath(entry))) return;
  throw new ServiceError(
    'INTERNAL',
    `The worker-thread entry ${fileURLToPath(entry)} does not exist. A bundled build must emit ${WORKER_ENTRY_FILE} beside the service bundle, or pass its path (service option workerEntry or ${WORKER_ENTRY_ENV}).`,
    { entry: entry.href },
  );
}
