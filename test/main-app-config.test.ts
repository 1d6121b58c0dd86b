import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ENV, databasePath, findNativeBinding, nativeBindingCandidates, userDataOverride } from '../src/main/app-config';
import { WORKER_ENTRY_ENV } from '../src/task-service/engine/worker/worker-path';

describe('app config', () => {
  it('takes the user-data folder from the flag (both spellings) before the env variable', () => {
    expect(userDataOverride(['electron', '.', '--user-data-dir=/tmp/a'], { PLAYLISTIFY_USER_DATA: '/tmp/b' })).toBe('/tmp/a');
    expect(userDataOverride(['electron', '--user-data-dir', '/tmp/c'], {})).toBe('/tmp/c');
    expect(userDataOverride(['electron'], { PLAYLISTIFY_USER_DATA: '/tmp/b' })).toBe('/tmp/b');
    expect(userDataOverride(['electron', '--user-data-dir'], {})).toBeNull();
    expect(databasePath('/tmp/x')).toBe(path.join('/tmp/x', 'playlistify.db'));
  });

  it('hands the service the worker entry under the variable the engine reads', () => {
    expect(SERVICE_ENV.workerEntry).toBe(WORKER_ENTRY_ENV);
  });

  it('finds the Electron sqlite binding on disk, and explains what to run when it is missing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-native-'));
    try {
      const candidates = nativeBindingCandidates(dir, path.join(dir, 'resources'));
      const missing = findNativeBinding(candidates, fs.existsSync);
      expect(missing.ok).toBe(false);
      if (!missing.ok) expect(missing.message).toContain('scripts/build-electron-sqlite.mjs');
      const dev = path.join(dir, 'native', 'electron', 'better_sqlite3.node');
      fs.mkdirSync(path.dirname(dev), { recursive: true });
      fs.writeFileSync(dev, '');
      expect(findNativeBinding(candidates, fs.existsSync)).toEqual({ ok: true, path: dev });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
