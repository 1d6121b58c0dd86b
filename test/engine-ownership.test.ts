import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/task-service/engine/clock';
import { defineTask } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import { cleanup, startService, tmpDb, waitFor } from './support/engine-harness';

afterEach(cleanup);

describe('ownership lost mid-run', () => {
  it('aborts running handlers with kind shutdown, stops claiming and writes nothing for tasks the new owner holds', async () => {
    const dbPath = tmpDb();
    const clock = new ManualClock(Date.now());
    const kinds: string[] = [];
    let release: (() => void) | null = null;
    let runs = 0;
    const work = defineTask({
      type: 'work',
      input: z.object({}),
      async run(ctx) {
        runs++;
        ctx.signal.addEventListener('abort', () => kinds.push((ctx.signal.reason as { kind: string }).kind));
        // Ignores the abort on purpose: its late result must not be written.
        await new Promise<void>((r) => (release = r));
        return { late: true };
      },
    });
    const svc = await startService({ dbPath, tasks: [work], clock, walCheckpointMs: 10_000_000, ownership: { heartbeatMs: 1_000, staleMs: 5_000 } });
    const a = svc.create({ type: 'work', input: {} });
    const b = svc.create({ type: 'work', input: {}, runAt: clock.now() + 500 });
    await waitFor(() => runs === 1, 'a running');

    // A stall: another process finds our heartbeat stale and takes over.
    const other = openTaskStore(dbPath).store;
    other.owner.acquire({ bootId: 'new-owner', pid: 4242 }, clock.now() + 60_000, 5_000);
    clock.advance(1_000); // our heartbeat fails: SERVICE_LOCKED
    await svc.engine.whenIdle();

    expect(kinds).toEqual(['shutdown']);
    expect(svc.health().ok).toBe(false);
    expect(svc.health().degraded.join()).toMatch(/ownership lost/);
    expect(() => svc.create({ type: 'work', input: {} })).toThrow(expect.objectContaining({ code: 'SERVICE_LOCKED' }));
    expect(() => svc.queueResume()).toThrow(expect.objectContaining({ code: 'SERVICE_LOCKED' }));

    release!(); // the ignored handler returns late
    clock.advance(10_000); // b fell due long ago: nothing claims it here
    await svc.engine.whenIdle();
    expect(runs).toBe(1);
    expect(other.get(a.id)).toMatchObject({ state: 'running', result: null });
    expect(other.get(b.id).state).toBe('queued');
    await svc.stop();
    expect(other.get(a.id).state).toBe('running'); // stop() requeues nothing it no longer owns
    other.close();
  });
});
