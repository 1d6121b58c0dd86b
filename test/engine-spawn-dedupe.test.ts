import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { cleanup, gate, startService, waitFor, waitState } from './support/engine-harness';

/**
 * Regression (spawn with a dedupeKey returned an unrelated task): playlist B's spawn of video X
 * returned the download another request had started, so B completed while that "child" still
 * ran. Now B waits for a child of its own, which runs only after the other download finished.
 */

afterEach(cleanup);

describe('a parent spawning a download another task already holds the dedupeKey of', () => {
  it('waits for its own child, which never runs at the same time as the holder', async () => {
    const video = gate('video');
    const playlist = defineTask({
      type: 'playlist',
      input: z.object({}),
      async run(ctx) {
        await ctx.spawn([{ key: 'x', type: 'video', input: { id: 'X' }, dedupeKey: 'video:X' }]);
        return 'spawned';
      },
    });
    const svc = await startService({ tasks: [video.def, playlist] });
    const other = svc.create({ type: 'video', input: { id: 'X' }, dedupeKey: 'video:X' });
    await waitFor(() => video.started(other.id), 'the other download running');
    const p = svc.create({ type: 'playlist', input: {} });
    await waitState(svc, p.id, 'waiting');
    const [own] = svc.list({ parentId: p.id }).items;
    expect(own).toMatchObject({ parentId: p.id, dependsOn: [other.id], state: 'blocked' });

    video.release(other.id);
    await waitFor(() => video.started(own!.id), 'its own download to start after the other');
    expect(svc.get({ id: other.id }).state).toBe('completed');
    expect(svc.get({ id: p.id }).state).toBe('waiting');
    video.release(own!.id);
    await waitState(svc, p.id, 'completed');
  });
});
