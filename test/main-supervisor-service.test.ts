import path from 'node:path';
import type { TRPCClient } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Supervisor, type SupervisorState } from '../src/main/supervisor';
import { nodeHostChild } from '../src/main/web-dev';
import { startNodeHost, type NodeHost } from '../src/task-service/node-host/host';
import type { AppRouter } from '../src/task-service/rpc/router';
import { openTaskStore } from '../src/task-service/store/open-store';
import { tmpDir } from './support/tmp';
import { FIXTURE_TASKS, SERVICE_ENTRY } from './support/service-process';
import { createServiceClient } from '../src/shared/client';

/**
 * The supervisor's defaults against the real service's defaults, with the real entry under the
 * Node host. Regressions: a task that crashed the service every time made the supervisor give
 * up (5 crashes) before the service failed it with CRASH_LOOP (then after 5 recoveries); and a
 * quit killed the service (5 s drain) before its own bounded shutdown (5 s) put tasks back.
 */

const hosts: NodeHost[] = [];
const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stop();
  for (const h of hosts.splice(0)) {
    h.kill('SIGKILL');
    await h.exit;
  }
});

function supervise(dir: string, fast = false) {
  let client: TRPCClient<AppRouter> | null = null;
  const states: SupervisorState[] = [];
  const supervisor = new Supervisor({
    ...(fast ? { baseDelayMs: 50 } : {}),
    fork: ({ takeoverBootId }) => {
      const host = startNodeHost({
        entry: SERVICE_ENTRY,
        config: { dbPath: path.join(dir, 'tasks.db'), taskModules: [FIXTURE_TASKS], ...(takeoverBootId ? { takeoverBootId } : {}) },
        env: { ...process.env, PLAYLISTIFY_ALLOW_TASK_MODULES: '1' },
        stdio: 'ignore',
      });
      hosts.push(host);
      client = createServiceClient({ port: host.connect() }).trpc;
      return nodeHostChild(host);
    },
  });
  supervisors.push(supervisor);
  supervisor.onState((s) => states.push(s));
  supervisor.start();
  return { supervisor, states, client: () => client! };
}

describe('the supervisor with the real service', () => {
  it('a task that crashes the service every time fails with CRASH_LOOP before the supervisor gives up', async () => {
    const dir = tmpDir();
    const { supervisor, states, client } = supervise(dir, true);
    await vi.waitFor(() => expect(supervisor.state.kind).toBe('running'), { timeout: 20_000 });
    const task = await client().tasks.create.mutate({ type: 'fx-crash', input: { dir, always: true } });
    await vi.waitFor(
      async () => {
        expect(supervisor.state.kind).not.toBe('gave-up');
        expect(supervisor.state.kind).toBe('running');
        expect((await client().tasks.get.query({ id: task.id })).error?.code).toBe('CRASH_LOOP');
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(states.filter((s) => s.kind === 'crashed').length).toBeLessThan(5);
  }, 90_000);

  it('a graceful stop lets the service finish its bounded shutdown: a task whose handler ignores it is left queued', async () => {
    const dir = tmpDir();
    const { supervisor, client } = supervise(dir);
    await vi.waitFor(() => expect(supervisor.state.kind).toBe('running'), { timeout: 20_000 });
    const task = await client().tasks.create.mutate({ type: 'fx-hang', input: {} });
    await vi.waitFor(async () => expect((await client().tasks.get.query({ id: task.id })).state).toBe('running'), { timeout: 20_000 });
    expect(await supervisor.stop()).toMatchObject({ kind: 'drained' });
    const { store } = openTaskStore(path.join(dir, 'tasks.db'));
    try {
      expect(store.get(task.id).state).toBe('queued');
    } finally {
      store.close();
    }
  }, 60_000);
});
