import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * Temporary folders for tests, removed when the current test finishes (pass or fail).
 * Call inside a test (onTestFinished needs one); outside a test use `tmpDirManual`.
 */

/** A fresh empty directory, deleted after the current test. */
export function tmpDir(prefix = 'playlistify-'): string {
  const { dir, dispose } = tmpDirManual(prefix);
  onTestFinished(dispose);
  return dir;
}

/** A path for a new SQLite file in a fresh directory (the file does not exist yet). */
export function tmpDbPath(name = 'tasks.db'): string {
  return join(tmpDir(), name);
}

/** For hooks and benchmarks: the caller must call dispose(). */
export function tmpDirManual(prefix = 'playlistify-'): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
