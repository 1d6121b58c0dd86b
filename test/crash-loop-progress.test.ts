import { afterEach, describe, expect, it, vi } from 'vitest';
import { readEffects } from './fixtures/service/effects';
import { allEvents } from './fixtures/service/journal';
import { startWhenFree } from './fixtures/service/restart';
import { killAll, serviceWorkspace, startService, taskIn, type ServiceProcess } from './support/service-process';

/**
 * Issue 10 #11: CRASH_LOOP counts only recoveries with no progress between them, and a user's
 * retry gives a fresh budget. Real service processes, killed with SIGKILL.
 */

const PATIENT = { timeout: 60_000, interval: 50 };
afterEach(killAll);

const workspace = serviceWorkspace;
const stateOf = taskIn;

/** Restarts until the task is failed; returns how many times the service crashed on the way. */
async function crashesUntilFailed(config: { dbPath: string } & Record<string, unknown>, id: string, limit: number): Promise<{ svc: ServiceProcess; crashes: number }> {
  let crashes = 0;
  for (;;) {
    const { svc, up } = await startWhenFree(config);
    const t = up ? await stateOf(svc, id).catch(() => null) : null;
    if (t?.state === 'failed') return { svc, crashes };
    expect((await svc.host.exit).reason).toBe('crashed');
    crashes++;
    expect(crashes).toBeLessThanOrEqual(limit);
  }
}

describe('crash-loop detection counts only recoveries without progress', () => {
  it('a task that keeps checkpointing survives more SIGKILLs than maxRecoveries and completes', async () => {
    const { dir, dbPath } = workspace();
    const config = { dbPath, maxRecoveries: 2 };
    let svc = startService(config);
    await svc.ready;
    const task = await svc.client().tasks.create.mutate({ type: 'fx-steps', input: { dir, steps: 1500, stepMs: 5 } });
    const kills = 5; // more than maxRecoveries + 1
    for (let k = 1; k <= kills; k++) {
      // Read once this boot is ready: only this boot's run writes progress from now on, so
      // progress two steps further means this run saved new checkpoints.
      const floor = ((await stateOf(svc, task.id)).progress?.current ?? 0) + 2;
      await vi.waitFor(async () => expect((await stateOf(svc, task.id)).progress?.current ?? 0).toBeGreaterThanOrEqual(floor), PATIENT);
      expect(await stateOf(svc, task.id)).toMatchObject({ state: 'running', runs: k });
      svc.host.kill('SIGKILL');
      expect((await svc.host.exit).reason).toBe('killed');
      const next = await startWhenFree(config);
      expect(next.up).toBe(true);
      svc = next.svc;
      expect((await stateOf(svc, task.id)).state).not.toBe('failed');
    }
    await vi.waitFor(async () => expect((await stateOf(svc, task.id)).state).toBe('completed'), PATIENT);
    const journal = await allEvents(svc.client(), task.id);
    const recoveries = journal.filter((e) => (e.data as { reason?: string } | null)?.reason === 'recovery');
    expect(recoveries).toHaveLength(kills);
    expect(readEffects(dir).effects.filter((e) => e.kind === 'done' && e.id === task.id)).toHaveLength(1);
  });

  it('a poison task that never progresses still ends CRASH_LOOP, and after Retry it gets the whole budget again', async () => {
    const { dir, dbPath } = workspace();
    const config = { dbPath, maxRecoveries: 2 };
    const svc = startService(config);
    await svc.ready;
    const task = await svc.client().tasks.create.mutate({ type: 'fx-crash', input: { dir, always: true } });
    expect((await svc.host.exit).reason).toBe('crashed');
    const first = await crashesUntilFailed(config, task.id, 2);
    expect(first.crashes).toBe(2); // the first run, then maxRecoveries re-runs, each took the service down
    expect((await stateOf(first.svc, task.id)).error).toMatchObject({ code: 'CRASH_LOOP' });

    // The retry's run kills the service at once; the reply may or may not make it out first.
    await first.svc.client().tasks.retry.mutate({ id: task.id }).catch(() => null);
    expect((await first.svc.host.exit).reason).toBe('crashed');
    // One more kill does not fail it at once: the next boot recovers it and runs it again, and
    // it takes maxRecoveries more crashes, as for a new task.
    const again = await crashesUntilFailed(config, task.id, 2);
    expect(again.crashes).toBe(2);
    expect((await stateOf(again.svc, task.id)).error).toMatchObject({ code: 'CRASH_LOOP' });
    expect(readEffects(dir).effects.filter((e) => e.kind === 'begin')).toHaveLength(6);
  });
});
