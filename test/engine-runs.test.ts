import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, RetryableError } from '../src/task-service/engine/define';
import { ManualClock } from '../src/task-service/engine/clock';
import { cleanup, gate, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

/**
 * Runs vs failed attempts (DESIGN §8): `Task.attempt` counts failed attempts against maxAttempts
 * and `Task.runs` every handler run; a pause is a run, not an attempt. ctx.attempt is the try
 * number, ctx.run is unique per run.
 */
describe('runs and failed attempts are separate', () => {
  it('ten pause/resume cycles of a healthy task leave attempt 0 and runs 11', async () => {
    const g = gate('hold');
    const seen: Array<{ attempt: number; run: number }> = [];
    const track = defineTask({
      type: 'hold',
      input: z.object({}),
      maxAttempts: 3,
      run: (ctx) => {
        seen.push({ attempt: ctx.attempt, run: ctx.run });
        return g.def.run(ctx);
      },
    });
    const svc = await startService({ tasks: [track] });
    const id = svc.create({ type: 'hold', input: {} }).id;
    for (let cycle = 1; cycle <= 10; cycle++) {
      await waitFor(() => seen.length === cycle && g.started(id), `run ${cycle}`);
      expect(svc.pause({ id })).toMatchObject({ state: 'paused', attempt: 0, runs: cycle });
      svc.resume({ id });
    }
    await waitFor(() => seen.length === 11 && g.started(id), 'run 11');
    g.release(id);
    const done = await waitState(svc, id, 'completed');
    expect(done).toMatchObject({ attempt: 0, runs: 11, maxAttempts: 3 });
    expect(seen.map((s) => s.attempt)).toEqual(Array(11).fill(1));
    expect(seen.map((s) => s.run)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('a retry in backoff shows the failed attempts so far and a runAt in the future', async () => {
    const clock = new ManualClock(Date.now());
    const tries: number[] = [];
    const flaky = defineTask({
      type: 'flaky',
      input: z.object({}),
      maxAttempts: 8,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      async run(ctx) {
        tries.push(ctx.attempt);
        throw new RetryableError('NETWORK', 'down');
      },
    });
    const svc = await startService({ tasks: [flaky], clock, random: () => 1, walCheckpointMs: 10_000_000, ownership: { heartbeatMs: 10_000_000, staleMs: 20_000_000 } });
    const id = svc.create({ type: 'flaky', input: {} }).id;
    for (let n = 1; n <= 3; n++) {
      await waitFor(() => tries.length === n, `try ${n}`);
      const queued = await waitState(svc, id, 'queued');
      expect(queued).toMatchObject({ attempt: n, runs: n, error: { code: 'NETWORK' } });
      expect(queued.runAt).toBeGreaterThan(clock.now());
      clock.advance(60_000);
    }
    expect(tries).toEqual([1, 2, 3]);
  });
});
