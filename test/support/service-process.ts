import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TRPCClient } from '@trpc/client';
import { afterEach, beforeEach } from 'vitest';
import { startNodeHost, type NodeHost } from '../../src/task-service/node-host/host';
import type { AppRouter } from '../../src/task-service/rpc/router';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';
import { createServiceClient } from '../../src/shared/client';
import type { Task } from '../../src/shared/task';
import { effectsDir } from '../fixtures/service/effects';
import { tmpDir } from './tmp';

/**
 * The real service entry (src/task-service/main.ts) in a real child process under the Node
 * host, with the test fixture task types registered. Every started process is killed by
 * `killAll()` (call it in afterEach).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVICE_ENTRY = path.resolve(here, '../../src/task-service/main.ts');
export const FIXTURE_TASKS = path.resolve(here, '../fixtures/service/tasks.ts');

export interface ServiceProcess {
  host: NodeHost;
  /** Resolves with the boot id once the service is ready, rejects with its fatal error. */
  ready: Promise<string>;
  client(): TRPCClient<AppRouter>;
  /** Structured log lines the service wrote to stderr. */
  logs: Array<Record<string, unknown>>;
}

const live = new Set<NodeHost>();

export function startService(config: { dbPath: string } & Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ServiceProcess {
  const host = startNodeHost({
    entry: SERVICE_ENTRY,
    config: { taskModules: [FIXTURE_TASKS], staleMs: 1_500, shutdownTimeoutMs: 2_000, ...config },
    env: { ...process.env, PLAYLISTIFY_ALLOW_TASK_MODULES: '1', ...env },
    stdio: 'pipe',
  });
  live.add(host);
  void host.exit.then(() => live.delete(host));
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  host.child.stderr?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  host.child.stdout?.resume();
  const ready = new Promise<string>((resolve, reject) => {
    host.onMessage((m) => {
      const msg = m as { type?: string; bootId?: string; error?: { code: string; message: string } };
      if (msg.type === 'ready') resolve(msg.bootId ?? '');
      if (msg.type === 'fatal') reject(Object.assign(new Error(msg.error?.message ?? 'fatal'), { code: msg.error?.code }));
    });
    void host.exit.then((e) => reject(new Error(`service exited before ready: ${e.reason}`)));
  });
  ready.catch(() => {});
  return {
    host,
    ready,
    logs,
    client: (): TRPCClient<AppRouter> => createServiceClient({ port: host.connect() }).trpc,
  };
}

export async function killAll(): Promise<void> {
  const hosts = [...live];
  for (const h of hosts) h.kill('SIGKILL');
  await Promise.all(hosts.map((h) => h.exit));
}

/**
 * A loopback server for each test of the calling file, closed only after every service process
 * is killed (a live download would otherwise hold the server's close open).
 */
export function loopbackPerTest(): { readonly server: LoopbackServer } {
  const box = {} as { server: LoopbackServer };
  beforeEach(async () => {
    box.server = await startLoopbackServer();
  });
  afterEach(async () => {
    await killAll();
    await box.server.close();
  });
  return box;
}

/** A fresh folder for a service-process test: its effects log (fixtures/service) and database path. */
export function serviceWorkspace(): { dir: string; dbPath: string } {
  const dir = effectsDir(tmpDir());
  return { dir, dbPath: path.join(dir, 'tasks.db') };
}

/** One task as the service process reports it. */
export async function taskIn(svc: ServiceProcess, id: string): Promise<Task> {
  return (await svc.client().tasks.get.query({ id })) as Task;
}
