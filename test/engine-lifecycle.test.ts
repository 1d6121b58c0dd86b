import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import { cleanup, gate, startService, tmpDb, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

/** Leaves a task `running` under another boot's lease, as a crashed service would. */
function orphanTask(dbPath: string, type: string, recoveries = 0): string {
  const { store } = openTaskStore(dbPath);
  const id = store.create({ type, input: {} }, Date.now()).task.id;
  for (let i = 0; i < recoveries; i++) {
    store.claim({ bootId: `dead-${i}`, now: Date.now(), limit: 1, capacity: null });
    store.transition(id, 'queued', Date.now(), { leaseOwner: null, countRecovery: true }, 'running');
  }
  store.saveCheckpoint(id, { done: 7 }, Date.now());
  store.claim({ bootId: 'dead-boot', now: Date.now(), limit: 1, capacity: null });
  store.close();
  return id;
}

describe('recovery, ownership, shutdown', () => {
  it('requeues a task left running by an earlier boot and resumes it from its checkpoint', async () => {
    const dbPath = tmpDb();
    let seen: unknown = null;
    const work = defineTask({ type: 'work', input: z.object({}), async run(ctx) { seen = ctx.checkpoint; return null; } });
    const id = orphanTask(dbPath, 'work');
    const svc = await startService({ dbPath, tasks: [work] });
    await waitState(svc, id, 'completed');
    expect(seen).toEqual({ done: 7 });
    const reasons = svc.events({ id, limit: 100 }).items.map((e) => (e.data as { reason?: string } | null)?.reason);
    expect(reasons).toContain('recovery');
  });

  it('fails a task with CRASH_LOOP after maxRecoveries', async () => {
    const dbPath = tmpDb();
    const work = defineTask({ type: 'work', input: z.object({}), async run() { return null; } });
    const id = orphanTask(dbPath, 'work', 2);
    const svc = await startService({ dbPath, tasks: [work], recovery: { maxRecoveries: 2 } });
    const t = await waitState(svc, id, 'failed');
    expect(t.error).toMatchObject({ code: 'CRASH_LOOP', retryable: false });
  });

  it('a second service on the same file is refused with SERVICE_LOCKED, and takes over once the first is gone', async () => {
    const dbPath = tmpDb();
    const work = defineTask({ type: 'work', input: z.object({}), async run() { return null; } });
    const first = await startService({ dbPath, tasks: [work] });
    await expect(startService({ dbPath, tasks: [work] })).rejects.toMatchObject({ code: 'SERVICE_LOCKED' });
    await first.stop();
    const second = await startService({ dbPath, tasks: [work] });
    expect(second.health().ok).toBe(true);
  });

  it('takes over a stale owner (a crashed service that never released)', async () => {
    const dbPath = tmpDb();
    const { store } = openTaskStore(dbPath);
    store.owner.acquire({ bootId: 'crashed', pid: 999_999 }, Date.now() - 60_000, 10_000);
    store.close();
    const work = defineTask({ type: 'work', input: z.object({}), async run() { return null; } });
    const svc = await startService({ dbPath, tasks: [work], ownership: { heartbeatMs: 1_000, staleMs: 10_000 } });
    expect(svc.health().ok).toBe(true);
  });

  it('graceful shutdown aborts with kind shutdown and leaves interrupted tasks queued, not failed', async () => {
    const dbPath = tmpDb();
    const g = gate('hold'); // honours the signal
    const deaf = gate('deaf', false); // ignores it: bounded wait, still queued
    const kinds: string[] = [];
    const hold = defineTask({
      ...g.def,
      async run(ctx) {
        ctx.signal.addEventListener('abort', () => kinds.push((ctx.signal.reason as { kind: string }).kind));
        return g.def.run(ctx);
      },
    });
    const svc = await startService({ dbPath, tasks: [hold, deaf.def] });
    const a = svc.create({ type: 'hold', input: {} });
    const b = svc.create({ type: 'deaf', input: {} });
    await waitFor(() => g.started(a.id) && deaf.started(b.id), 'both running');
    await svc.stop({ timeoutMs: 200 });
    expect(kinds).toEqual(['shutdown']);
    const { store } = openTaskStore(dbPath);
    expect(store.get(a.id).state).toBe('queued');
    expect(store.get(b.id).state).toBe('queued');
    expect(store.get(a.id).error).toBeNull();
    store.close();
    deaf.release(b.id);
  });
});
