import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { cleanup, startService, waitFor, waitState } from './support/engine-harness';

/**
 * Regression (download-pause-checkpoint): the engine refused the checkpoint a paused handler
 * saves on its way out, so resume restarted from the previous periodic checkpoint. Pause keeps
 * the final checkpoint; cancel still refuses it (a cancelled task's work is discarded).
 */

afterEach(cleanup);

function checkpointOnAbort() {
  const outcomes = new Map<string, string>();
  const def = defineTask<z.ZodObject<{ mark: z.ZodString }>, { mark: string }>({
    type: 'final-save',
    input: z.object({ mark: z.string() }),
    run: (ctx) =>
      new Promise((_, reject) => {
        ctx.signal.addEventListener(
          'abort',
          () => {
            ctx.saveCheckpoint({ mark: ctx.input.mark }).then(
              () => outcomes.set(ctx.task.id, 'saved'),
              (e: { code?: string }) => outcomes.set(ctx.task.id, `refused ${e.code}`),
            ).finally(() => reject(ctx.signal.reason));
          },
          { once: true },
        );
      }),
  });
  return { def, outcomes };
}

describe('a handler stopped by its signal', () => {
  it('may save its final checkpoint when paused, and resumes from it', async () => {
    const { def, outcomes } = checkpointOnAbort();
    const svc = await startService({ tasks: [def] });
    const t = svc.create({ type: 'final-save', input: { mark: 'at-pause' } });
    await waitState(svc, t.id, 'running');
    svc.pause({ id: t.id });
    await waitFor(() => outcomes.has(t.id), 'the handler to settle');
    expect(outcomes.get(t.id)).toBe('saved');
    expect(svc.store.getCheckpoint(t.id)).toEqual({ mark: 'at-pause' });
    expect(svc.get({ id: t.id }).state).toBe('paused');
  });

  it('may not save a checkpoint once cancelled', async () => {
    const { def, outcomes } = checkpointOnAbort();
    const svc = await startService({ tasks: [def] });
    const t = svc.create({ type: 'final-save', input: { mark: 'at-cancel' } });
    await waitState(svc, t.id, 'running');
    svc.cancel({ id: t.id });
    await waitFor(() => outcomes.has(t.id), 'the handler to settle');
    expect(outcomes.get(t.id)).toBe('refused CONFLICT');
    expect(svc.store.getCheckpoint(t.id)).toBeNull();
  });
});
