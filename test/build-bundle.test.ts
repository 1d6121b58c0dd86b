import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startNodeHost, type NodeHost } from '../src/task-service/node-host/host';
import { generatedSha256 } from './support/generated-content';
import { startLoopbackServer } from './support/loopback-server';
import { createServiceClient } from '../src/shared/client';

/**
 * The app as electron-vite bundles it: the service chunk that `utilityProcess.fork` would start
 * runs under plain Node (no TypeScript loader) and does real work. Catches what only bundling
 * breaks: a dependency that did not survive, the worker-thread entry, import.meta paths.
 */

const require = createRequire(import.meta.url);
const hosts: NodeHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) {
    h.kill('SIGKILL');
    await h.exit;
  }
});

describe('the bundled app', () => {
  it('emits main, preload, renderer, the service chunk and the worker chunk; the service serves a download', async () => {
    // Inside the project: the bundle keeps its dependencies external, resolved from node_modules.
    const out = path.resolve('out', `bundle-test-${process.pid}`);
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));
    const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
    execFileSync(process.execPath, [cli, 'build', '--outDir', out], { stdio: 'pipe' });
    const chunks = readdirSync(path.join(out, 'main', 'chunks'));
    const service = chunks.find((f) => /^main-.*\.js$/.test(f));
    const worker = chunks.find((f) => /^worker-entry-.*\.js$/.test(f));
    expect(service, chunks.join(', ')).toBeDefined();
    expect(worker, chunks.join(', ')).toBeDefined();
    const mainJs = readFileSync(path.join(out, 'main', 'index.js'), 'utf8');
    expect(mainJs).toContain(worker!);
    // Regression (production doors): a production bundle has no code path that reads the dev
    // server URL; the development flag is compiled out, whatever the environment says.
    expect(mainJs).not.toContain('ELECTRON_RENDERER_URL');
    expect(mainJs).toContain('developmentMode(false,');
    expect(readdirSync(path.join(out, 'preload'))).toContain('index.cjs');
    expect(readdirSync(path.join(out, 'renderer'))).toContain('index.html');

    const server = await startLoopbackServer();
    try {
      server.route('/clip.mp4', { content: { size: 300_000, seed: 5 } });
      const host = startNodeHost({
        entry: path.join(out, 'main', 'chunks', service!),
        // Like a real host: downloads go under the downloadsDir it gives (the service writes nowhere else).
        config: { dbPath: path.join(out, 'tasks.db'), downloadsDir: out },
        env: { ...process.env, PLAYLISTIFY_WORKER_ENTRY: path.join(out, 'main', 'chunks', worker!) },
        stdio: 'ignore',
      });
      hosts.push(host);
      const client = createServiceClient({ port: host.connect() }).trpc;
      await vi.waitFor(async () => expect(await client.service.health.query()).toMatchObject({ ok: true, downloadsRoots: [out] }), { timeout: 20_000, interval: 100 });
      const sha256 = generatedSha256(5, 300_000);
      const task = await client.tasks.create.mutate({ type: 'video-download', input: { url: server.url('/clip.mp4'), dir: out, filename: 'clip.mp4', sha256 } });
      await vi.waitFor(async () => expect((await client.tasks.get.query({ id: task.id })).state).toBe('completed'), { timeout: 20_000, interval: 50 });
      expect((await client.tasks.get.query({ id: task.id })).result).toMatchObject({ bytes: 300_000, sha256 });
    } finally {
      await server.close();
    }
  }, 120_000);
});
