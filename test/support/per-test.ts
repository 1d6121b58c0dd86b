import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';

/**
 * A loopback server and a fresh folder for every test of the calling file, handed to `use`
 * before each test, then closed and removed after it.
 */
export function serverAndDirPerTest(prefix: string, use: (server: LoopbackServer, dir: string) => void): void {
  let server: LoopbackServer | null = null;
  let dir: string | null = null;
  beforeEach(async () => {
    server = await startLoopbackServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    use(server, dir);
  });
  afterEach(async () => {
    await server?.close();
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
    server = null;
    dir = null;
  });
}
