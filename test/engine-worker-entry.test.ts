import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskDefinition } from '../src/task-service/engine/define';
import { resolveWorkerEntry, WORKER_ENTRY_ENV } from '../src/task-service/engine/worker/worker-path';
import { cleanup, startService, tmpDb, waitState } from './support/engine-harness';
import { tmpDir } from './support/tmp';

afterEach(cleanup);

const engineDir = fileURLToPath(new URL('../src/task-service/engine/worker/', import.meta.url));
const plainTaskUrl = new URL('./fixtures/engine/plain-worker-task.mjs', import.meta.url).href;

/** Bundles like a production build: plain ESM .js, no tsx anywhere on the worker thread. */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'silent' });
}

async function plainTask(): Promise<TaskDefinition> {
  return ((await import(plainTaskUrl)) as { plainHash: TaskDefinition }).plainHash;
}

describe('worker entry resolution', () => {
  it('from TypeScript sources uses the tsx bootstrap, which exists', () => {
    const e = resolveWorkerEntry();
    expect(fileURLToPath(e)).toBe(path.join(engineDir, 'worker-bootstrap.mjs'));
    expect(fs.existsSync(e)).toBe(true);
  });

  it('from a bundle resolves worker-entry.js beside the bundle (path ops, not a bundler-rewritten URL)', async () => {
    const dir = tmpDir('engine-bundle-');
    const probe = path.join(dir, 'probe.ts');
    fs.writeFileSync(probe, `import { resolveWorkerEntry } from ${JSON.stringify(path.join(engineDir, 'worker-path'))};\nexport const entry = resolveWorkerEntry().href;\n`);
    await bundle(probe, path.join(dir, 'out', 'service.js'));
    const { entry } = (await import(pathToFileURL(path.join(dir, 'out', 'service.js')).href)) as { entry: string };
    expect(fileURLToPath(entry)).toBe(path.join(dir, 'out', 'worker-entry.js'));
  });

  it('a built worker-entry.js runs a worker task with no TypeScript loader (explicit option and env variable)', async () => {
    const dir = tmpDir('engine-worker-built-');
    const built = path.join(dir, 'worker-entry.js');
    await bundle(path.join(engineDir, 'worker-entry.ts'), built);
    const def = await plainTask();
    const want = createHash('sha256').update('hello').digest('hex');

    const svc = await startService({ tasks: [def], workerEntry: built });
    const t = svc.create({ type: 'plain-hash', input: { text: 'hello' } });
    expect((await waitState(svc, t.id, 'completed')).result).toEqual({ digest: want, attempt: 1 });
    await svc.stop();

    process.env[WORKER_ENTRY_ENV] = pathToFileURL(built).href;
    try {
      const svc2 = await startService({ tasks: [def] });
      const u = svc2.create({ type: 'plain-hash', input: { text: 'hello' } });
      expect((await waitState(svc2, u.id, 'completed')).result).toEqual({ digest: want, attempt: 1 });
    } finally {
      delete process.env[WORKER_ENTRY_ENV];
    }
  });

  it('a missing worker entry fails the start with a message naming the path, and writes nothing', async () => {
    const dbPath = tmpDb();
    const missing = path.join(tmpDir('engine-missing-'), 'worker-entry.js');
    await expect(startService({ dbPath, tasks: [await plainTask()], workerEntry: missing })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(missing),
    });
    // The file was not locked by the failed start: a correct one starts at once.
    const ok = await startService({ dbPath, tasks: [await plainTask()] });
    expect(ok.health().ok).toBe(true);
  });
});
