import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { cleanup, startService, tmpDb, waitState } from './support/engine-harness';

afterEach(cleanup);

describe('queue-wide pause', () => {
  it('survives a restart (persisted), shows in stats and health, and resume survives one too', async () => {
    const dbPath = tmpDb();
    let ran = 0;
    const count = defineTask({ type: 'count', input: z.object({}), async run() { ran++; return null; } });
    let svc = await startService({ dbPath, tasks: [count] });
    expect(svc.health().queuePaused).toBe(false);
    svc.queuePause();
    const t = svc.create({ type: 'count', input: {} });
    await svc.stop();

    svc = await startService({ dbPath, tasks: [count] });
    await svc.engine.whenIdle();
    expect(ran).toBe(0);
    expect(svc.stats().queuePaused).toBe(true);
    expect(svc.health()).toMatchObject({ ok: true, queuePaused: true });
    svc.queueResume();
    await waitState(svc, t.id, 'completed');
    await svc.stop();

    svc = await startService({ dbPath, tasks: [count] });
    expect(svc.stats().queuePaused).toBe(false);
    const u = svc.create({ type: 'count', input: {} });
    await waitState(svc, u.id, 'completed');
    expect(ran).toBe(2);
  });
});
