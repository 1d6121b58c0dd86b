import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test opens its own SQLite file; forks isolate native handles and child processes.
    pool: 'forks',
    // The service writes only under its downloads folders; tests download into fresh folders
    // under the OS temp dir, so that is their default root (service processes inherit it too).
    // Confinement tests pass their own roots.
    env: { PLAYLISTIFY_DOWNLOADS_DIR: tmpdir() },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
