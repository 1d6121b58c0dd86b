import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/task-service/engine/clock';
import { defineTask } from '../src/task-service/engine/define';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { cleanup, startService, waitState } from './support/engine-harness';

afterEach(cleanup);

describe('degraded: recovered means inserts work again', () => {
  it('does not flap back to claiming while in-place writes succeed but inserts still fail (regression: heartbeat probe)', async () => {
    const clock = new ManualClock(Date.now());
    let ran = 0;
    const work = defineTask({ type: 'work', input: z.object({ pad: z.string() }), async run() { ran++; return null; } });
    const svc = await startService({ tasks: [work], clock, probeMs: 1_000, walCheckpointMs: 10_000_000, ownership: { heartbeatMs: 500, staleMs: 60_000 } });
    const db = (svc.store as SqliteTaskStore).db;
    svc.queuePause();
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    let failure: unknown = null;
    for (let i = 0; i < 200 && failure === null; i++) {
      try {
        svc.create({ type: 'work', input: { pad: 'y'.repeat(4_000) } });
      } catch (e) {
        failure = e;
      }
    }
    expect(failure).toMatchObject({ code: 'DISK_FULL' });
    const queuedBefore = svc.stats().byState.queued;
    // In-place writes still succeed: the heartbeat (every 500 ms) and the queue setting.
    svc.queueResume();
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      await svc.engine.whenIdle();
      expect(svc.health().degraded.join(' ')).toMatch(/disk full/);
      expect(() => svc.create({ type: 'work', input: { pad: 'y'.repeat(4_000) } })).toThrow(expect.objectContaining({ code: 'DISK_FULL' }));
    }
    expect(ran).toBe(0); // never claimed while degraded
    expect(svc.stats().byState.queued).toBe(queuedBefore);

    db.pragma('max_page_count = 1073741823');
    clock.advance(1_000);
    await svc.engine.whenIdle();
    expect(svc.health().ok).toBe(true);
    const t = svc.create({ type: 'work', input: { pad: 'z' } });
    await waitState(svc, t.id, 'completed');
    expect(db.prepare('SELECT count(*) AS n FROM write_probe').get()).toEqual({ n: 0 });
  });
});
