import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, RetryableError } from '../src/task-service/engine/define';
import { ManualClock } from '../src/task-service/engine/clock';
import { cleanup, gate, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

const quietTimers = { walCheckpointMs: 10_000_000, ownership: { heartbeatMs: 10_000_000, staleMs: 20_000_000 } };

describe('retries, timeouts, cancel, pause', () => {
  it('retries with capped exponential backoff, then fails with the recorded error', async () => {
    const clock = new ManualClock(Date.now());
    let runs = 0;
    const flaky = defineTask({
      type: 'flaky',
      input: z.object({}),
      maxAttempts: 3,
      backoff: { baseMs: 1_000, maxMs: 1_500 },
      async run() {
        runs++;
        throw new RetryableError('NETWORK', `boom ${runs}`);
      },
    });
    const svc = await startService({ tasks: [flaky], clock, random: () => 1, ...quietTimers });
    const t = svc.create({ type: 'flaky', input: {} });
    await waitFor(() => runs === 1, 'first run');
    const queued = await waitState(svc, t.id, 'queued');
    expect(queued.error).toEqual({ code: 'NETWORK', message: 'boom 1', retryable: true });
    expect(queued.runAt).toBe(clock.now() + 1_000);
    clock.advance(999);
    await svc.engine.whenIdle();
    expect(runs).toBe(1);
    clock.advance(1);
    await waitFor(() => runs === 2, 'second run');
    await waitState(svc, t.id, 'queued');
    expect(svc.get({ id: t.id }).runAt).toBe(clock.now() + 1_500); // 2,000 capped at 1,500
    clock.advance(1_500);
    const failed = await waitState(svc, t.id, 'failed');
    expect(runs).toBe(3);
    expect(failed.attempt).toBe(3);
    expect(failed.error).toEqual({ code: 'NETWORK', message: 'boom 3', retryable: true });
  });

  it('times a task out with kind timeout and records a retryable TIMEOUT', async () => {
    const clock = new ManualClock(Date.now());
    const kinds: string[] = [];
    const slow = defineTask({
      type: 'slow',
      input: z.object({}),
      maxAttempts: 1,
      timeoutMs: 5_000,
      run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => { kinds.push((ctx.signal.reason as { kind: string }).kind); reject(ctx.signal.reason); })),
    });
    const svc = await startService({ tasks: [slow], clock, ...quietTimers });
    const t = svc.create({ type: 'slow', input: {} });
    await waitState(svc, t.id, 'running');
    await svc.engine.whenIdle();
    clock.advance(5_000);
    const failed = await waitState(svc, t.id, 'failed');
    expect(kinds).toEqual(['timeout']);
    expect(failed.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('a handler that ignores its signal cannot keep a cancelled task from being cancelled, nor run twice at once', async () => {
    const g = gate('deaf', false);
    let concurrent = 0;
    let maxConcurrent = 0;
    const deaf = defineTask({
      type: 'deaf',
      input: z.object({}),
      async run(ctx) {
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        try {
          return await g.def.run(ctx);
        } finally {
          concurrent--;
        }
      },
    });
    const svc = await startService({ tasks: [deaf] });
    const t = svc.create({ type: 'deaf', input: {} });
    await waitFor(() => g.started(t.id), 'handler started');
    const cancelled = svc.cancel({ id: t.id });
    expect(cancelled.state).toBe('cancelled');
    // Retried at once: the new run must wait for the ignored one to settle.
    svc.retry({ id: t.id });
    await waitState(svc, t.id, 'running');
    await svc.engine.whenIdle();
    expect(concurrent).toBe(1);
    g.release(t.id); // the ignored run finally returns; its result is ignored
    await svc.engine.whenIdle();
    await waitFor(() => g.started(t.id), 'second run started');
    expect(maxConcurrent).toBe(1);
    g.release(t.id);
    const done = await waitState(svc, t.id, 'completed');
    expect(done).toMatchObject({ attempt: 0, runs: 2 }); // retry reset attempts; runs go on (the cancelled one was run 1)
    const events = svc.events({ id: t.id, limit: 100 }).items.map((e) => e.to);
    expect(events).toContain('cancelled');
  });

  it('cancel cascades to children and dependents, with the reason', async () => {
    const g = gate('hold');
    const svc = await startService({ tasks: [g.def] });
    const [a, b] = svc.createGraph({ tasks: [{ key: 'a', type: 'hold', input: {} }, { key: 'b', type: 'hold', input: {}, dependsOn: ['a'] }] });
    await waitFor(() => g.started(a!.id), 'a running');
    svc.cancel({ id: a!.id });
    const bt = await waitState(svc, b!.id, 'cancelled');
    expect(bt.error?.code ?? 'DEPENDENCY_FAILED').toBe('DEPENDENCY_FAILED');
  });

  it('pause keeps the checkpoint and aborts with kind pause; resume re-queues and the handler gets it back', async () => {
    const seen: Array<{ checkpoint: unknown; attempt: number }> = [];
    const kinds: string[] = [];
    const step = defineTask({
      type: 'step',
      input: z.object({}),
      async run(ctx) {
        seen.push({ checkpoint: ctx.checkpoint, attempt: ctx.attempt });
        if (ctx.checkpoint) return { resumedFrom: ctx.checkpoint };
        await ctx.saveCheckpoint({ at: 42 });
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => { kinds.push((ctx.signal.reason as { kind: string }).kind); reject(ctx.signal.reason); }));
        return null;
      },
    });
    const svc = await startService({ tasks: [step] });
    const t = svc.create({ type: 'step', input: {} });
    await waitFor(() => seen.length === 1, 'first run');
    await waitFor(() => svc.events({ id: t.id }).items.some((e) => e.kind === 'checkpoint'), 'checkpoint saved');
    expect(svc.pause({ id: t.id }).state).toBe('paused');
    await svc.engine.whenIdle();
    expect(kinds).toEqual(['pause']);
    expect(svc.get({ id: t.id }).state).toBe('paused');
    svc.resume({ id: t.id });
    const done = await waitState(svc, t.id, 'completed');
    expect(done.result).toEqual({ resumedFrom: { at: 42 } });
    expect(seen[1]!.checkpoint).toEqual({ at: 42 });
  });

  it('queue pause stops claiming; resume starts again', async () => {
    let ran = 0;
    const t = defineTask({ type: 'count', input: z.object({}), async run() { ran++; return null; } });
    const svc = await startService({ tasks: [t] });
    svc.queuePause();
    const task = svc.create({ type: 'count', input: {} });
    await svc.engine.whenIdle();
    expect(ran).toBe(0);
    expect(svc.stats().queuePaused).toBe(true);
    svc.queueResume();
    await waitState(svc, task.id, 'completed');
    expect(ran).toBe(1);
  });
});
