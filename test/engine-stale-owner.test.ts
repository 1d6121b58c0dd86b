import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/task-service/engine/clock';
import { defineTask } from '../src/task-service/engine/define';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { cleanup, startService, tmpDb, waitFor } from './support/engine-harness';

/**
 * Regression (an old owner overwrote a task the new owner runs): process A stalls past staleMs,
 * B takes the database over, recovers A's running task and claims it again. A's handler then
 * returned (or, once A noticed, its aborted handler saved a "final checkpoint") before A's
 * heartbeat noticed, and A wrote `completed` and its checkpoint over B's run.
 */

afterEach(cleanup);

const OWNERSHIP = { heartbeatMs: 1_000, staleMs: 5_000 };

/** B's takeover of A's running task, as B's start-up recovery and first claim would do it. */
function takeOver(dbPath: string, id: string, clock: ManualClock): SqliteTaskStore {
  const other = openTaskStore(dbPath).store;
  other.owner.acquire({ bootId: 'new-owner', pid: 4242 }, clock.now() + 60_000, 5_000);
  other.transition(id, 'queued', clock.now(), { leaseOwner: null, runAt: clock.now(), countRecovery: true, refundAttempt: true }, 'running');
  expect(other.claim({ bootId: 'new-owner', now: clock.now(), limit: 1, capacity: null }).map((t) => t.id)).toEqual([id]);
  other.saveCheckpoint(id, { newOwner: 'at 5MB' }, clock.now(), { leaseOwner: 'new-owner' });
  return other;
}

describe('a process taken over while its handler runs', () => {
  it('writes nothing when the handler returns before the heartbeat notices: no outcome, checkpoint, progress, spawn or claim', async () => {
    const dbPath = tmpDb();
    const clock = new ManualClock(Date.now());
    let release: (() => void) | null = null;
    const refused: string[] = [];
    const work = defineTask({
      type: 'work',
      input: z.object({}).passthrough(),
      async run(ctx) {
        await new Promise<void>((r) => (release = r));
        ctx.progress({ ratio: 0.99, message: 'old owner' });
        await ctx.saveCheckpoint({ stale: true }).catch((e: { code: string }) => refused.push(`checkpoint ${e.code}`));
        await ctx.spawn([{ key: 'k', type: 'work', input: { child: true } }]).catch((e: { code: string }) => refused.push(`spawn ${e.code}`));
        return { fromOldOwner: true };
      },
    });
    const svc = await startService({ dbPath, tasks: [work], clock, walCheckpointMs: 1e9, retention: false, ownership: OWNERSHIP });
    const a = svc.create({ type: 'work', input: {} });
    await waitFor(() => release !== null, 'a running');
    const other = takeOver(dbPath, a.id, clock);
    const due = other.create({ type: 'work', input: { due: true } }, clock.now()).task;

    release!();
    await svc.engine.whenIdle();
    expect(refused).toEqual(['checkpoint SERVICE_LOCKED', 'spawn SERVICE_LOCKED']);
    expect(other.get(a.id)).toMatchObject({ state: 'running', runs: 2, result: null, progress: null });
    expect(other.getCheckpoint(a.id)).toEqual({ newOwner: 'at 5MB' });
    expect(other.children(a.id)).toEqual([]);
    expect(other.get(due.id).state).toBe('queued'); // A's group commit claimed nothing for itself

    clock.advance(1_000); // now A's heartbeat notices
    await svc.engine.whenIdle();
    expect(svc.health().degraded.join()).toMatch(/ownership lost/);
    expect(other.get(a.id)).toMatchObject({ state: 'running', runs: 2, result: null });
    other.close();
  });

  it('refuses the final checkpoint of a handler aborted because ownership was lost', async () => {
    const dbPath = tmpDb();
    const clock = new ManualClock(Date.now());
    let started = false;
    let final = '';
    const work = defineTask({
      type: 'work',
      input: z.object({}),
      async run(ctx) {
        started = true;
        await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
        await ctx.saveCheckpoint({ fromOldOwnerAfterRelinquish: true }).then(
          () => (final = 'saved'),
          (e: { code: string }) => (final = `refused ${e.code}`),
        );
        throw ctx.signal.reason;
      },
    });
    const svc = await startService({ dbPath, tasks: [work], clock, walCheckpointMs: 1e9, retention: false, ownership: OWNERSHIP });
    const a = svc.create({ type: 'work', input: {} });
    await waitFor(() => started, 'a running');
    const other = takeOver(dbPath, a.id, clock);

    clock.advance(1_000); // heartbeat -> SERVICE_LOCKED -> relinquish -> abort('shutdown')
    await waitFor(() => final !== '', 'the aborted handler to try its final checkpoint');
    expect(final).toBe('refused CONFLICT');
    expect(other.get(a.id)).toMatchObject({ state: 'running', runs: 2 });
    expect(other.getCheckpoint(a.id)).toEqual({ newOwner: 'at 5MB' });
    expect(svc.health().degraded.join()).toMatch(/ownership lost/);
    other.close();
  });
});
