import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, PermanentError } from '../src/task-service/engine/define';
import { cleanup, startService, waitFor, waitState } from './support/engine-harness';

/**
 * Regression (a failed parent left its children running): a handler spawned children and then
 * threw; the parent failed, its children ran on unowned, and cancelling the parent was an
 * ILLEGAL_TRANSITION. Now the failure cancels them (their handlers see kind 'cancel'), and a
 * retry of the parent runs them again.
 */

afterEach(cleanup);

describe('a parent whose handler throws after spawning', () => {
  it('cancels its running children with the reason; retrying the parent runs them again', async () => {
    const aborts: string[] = [];
    let parentRuns = 0;
    let childRuns = 0;
    let secondRound = false;
    const slow = defineTask({
      type: 'slow',
      input: z.object({}).passthrough(),
      async run(ctx) {
        childRuns++;
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => (aborts.push((ctx.signal.reason as { kind: string }).kind), reject(ctx.signal.reason)), { once: true });
          // The second round (after the retry) finishes on its own.
          if (secondRound) setImmediate(resolve);
        });
        return 'ok';
      },
    });
    const parent = defineTask({
      type: 'p',
      input: z.object({}),
      async run(ctx) {
        await ctx.spawn([{ key: 'a', type: 'slow', input: {} }, { key: 'b', type: 'slow', input: {} }]);
        if (++parentRuns === 1) {
          await waitFor(() => childRuns === 2, 'both children running');
          throw new PermanentError('HTTP_ERROR', 'parent broke after spawning');
        }
        return 'p';
      },
    });
    const svc = await startService({ tasks: [slow, parent] });
    const p = svc.create({ type: 'p', input: {} });
    await waitState(svc, p.id, 'failed');
    const kids = svc.list({ parentId: p.id }).items;
    expect(kids.map((c) => c.state)).toEqual(['cancelled', 'cancelled']);
    expect(kids[0]!.error).toMatchObject({ code: 'CANCELLED' });
    await waitFor(() => aborts.length === 2, 'both child handlers aborted');
    expect(aborts).toEqual(['cancel', 'cancel']);
    expect(svc.stats().busySlots).toBe(0);

    secondRound = true;
    svc.retry({ id: p.id });
    const done = await waitState(svc, p.id, 'completed');
    expect(done.error).toBeNull();
    expect(svc.list({ parentId: p.id }).items.map((c) => c.state)).toEqual(['completed', 'completed']);
  });
});
