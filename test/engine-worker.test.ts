import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { cleanup, noop, startService, waitFor, waitState } from './support/engine-harness';
import { hashTask, workerBad, workerParent } from './fixtures/engine/worker-tasks';

afterEach(cleanup);

describe('worker-thread handlers', () => {
  it('a CPU-bound worker task does not delay a main-thread task\'s progress events', async () => {
    // The main-thread task ticks progress on a 20 ms interval; its events can only reach the
    // watcher while the worker is hashing if the event loop stays free.
    const ticker = defineTask({
      type: 'ticker',
      input: z.object({}),
      run: (ctx) =>
        new Promise((resolve) => {
          let n = 0;
          const t = setInterval(() => ctx.progress({ current: ++n }), 20);
          ctx.signal.addEventListener('abort', () => { clearInterval(t); resolve(n); });
        }),
    });
    const svc = await startService({ tasks: [hashTask, ticker], progress: { emitMs: 20, persistMs: 1_000 } });
    const tick = svc.create({ type: 'ticker', input: {} });
    const w = svc.watch({ ids: [tick.id] });
    const hash = svc.create({ type: 'hash', input: { rounds: 400, mb: 4, checkpointEvery: 100 } });
    await waitState(svc, hash.id, 'running');
    let duringWorker = 0;
    for await (const item of w) {
      if (item.change.kind !== 'progress') continue;
      if (svc.get({ id: hash.id }).state !== 'running') break;
      if (++duringWorker >= 10) break;
    }
    // Ten progress events of the main-thread task were delivered while the worker still ran.
    expect(duringWorker).toBe(10);
    expect(svc.get({ id: hash.id }).state).toBe('running');
    const done = await waitState(svc, hash.id, 'completed', 60_000);
    expect(done.result).toMatchObject({ rounds: 400 });
    expect(svc.events({ id: hash.id, limit: 100 }).items.filter((e) => e.kind === 'checkpoint')).toHaveLength(4);
    svc.cancel({ id: tick.id });
  });

  it('forwards cancel to the worker, spawns children through messages, and maps permanent errors', async () => {
    const svc = await startService({ tasks: [hashTask, workerParent, workerBad, noop] });
    const h = svc.create({ type: 'hash', input: { rounds: 100_000, mb: 1 } });
    await waitFor(() => (svc.get({ id: h.id }).progress?.current ?? 0) > 0 || svc.get({ id: h.id }).state === 'running', 'hash running');
    svc.cancel({ id: h.id });
    expect(svc.get({ id: h.id }).state).toBe('cancelled');
    const p = svc.create({ type: 'worker-parent', input: { n: 3 } });
    const parent = await waitState(svc, p.id, 'completed', 20_000);
    expect(parent.result).toEqual({ spawned: 3 });
    expect(svc.list({ parentId: p.id }).items).toHaveLength(3);
    expect(parent.title).toBe('Parent of 3');
    expect(svc.events({ id: p.id }).items.filter((e) => e.kind === 'title').map((e) => e.data)).toEqual([{ title: 'Parent of 3' }]);
    const b = svc.create({ type: 'worker-bad', input: {} });
    const failed = await waitState(svc, b.id, 'failed', 20_000);
    expect(failed.error).toEqual({ code: 'BAD_INPUT', message: 'refused in worker', retryable: false });
    await waitFor(() => svc.stats().busySlots === 0, 'cancelled worker slot freed', 20_000);
  });
});
