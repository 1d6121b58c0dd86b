import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Task, TaskChange } from '../src/shared/task';
import { byTask, readEffects } from './fixtures/service/effects';
import { allEvents } from './fixtures/service/journal';
import { startWhenFree } from './fixtures/service/restart';
import { killAll, serviceWorkspace, startService, taskIn, type ServiceProcess } from './support/service-process';

/**
 * SIGKILL of the real service process mid-task, and what the next process on the same file
 * makes of it: resume from the checkpoint, no second live run, one completion, a watcher that
 * resumes by lastEventId without gap or duplicate, CRASH_LOOP after bounded recoveries, and
 * takeover of a dead owner's database once its lease is stale.
 */

const PATIENT = { timeout: 30_000, interval: 25 };
afterEach(killAll);

const workspace = serviceWorkspace;
const stateOf = taskIn;

describe('SIGKILL of the service mid-task', () => {
  it('resumes from the checkpoint, runs once at a time, completes once, and a resumed watcher misses nothing', async () => {
    const { dir, dbPath } = workspace();
    const first = startService({ dbPath });
    await first.ready;
    const c1 = first.client();
    const task = await c1.tasks.create.mutate({ type: 'fx-steps', input: { dir, steps: 120, stepMs: 10 } });

    const delivered: Array<{ id: string; data: TaskChange; conn: 1 | 2 }> = [];
    let lastId: string | undefined;
    let seenStep = 0;
    // The client infers JSON-ish types (unknown fields optional); the wire carries TaskChange.
    const onData = (conn: 1 | 2) => (d: { id: string; data: unknown }) => {
      const data = d.data as TaskChange;
      delivered.push({ id: d.id, data, conn });
      lastId = d.id;
      if (data.kind === 'progress') seenStep = Math.max(seenStep, data.progress.current ?? 0);
    };
    // From the start of the journal: the task's creation happened before this subscription.
    c1.tasks.watch.subscribe({ ids: [task.id], lastEventId: '0' }, { onData: onData(1), onError: () => {} });
    await vi.waitFor(() => expect(seenStep).toBeGreaterThanOrEqual(20), PATIENT);

    first.host.kill('SIGKILL');
    expect((await first.host.exit).reason).toBe('killed');
    const stepAtKill = seenStep;
    const resumeFrom = lastId;
    expect(resumeFrom).toBeDefined();

    const { svc: second } = await startWhenFree({ dbPath });
    const c2 = second.client();
    let completedSeen = false;
    c2.tasks.watch.subscribe(
      { ids: [task.id], lastEventId: resumeFrom },
      {
        onData: (d) => {
          onData(2)(d);
          if (d.data.kind === 'event' && d.data.event.to === 'completed') completedSeen = true;
        },
      },
    );
    await vi.waitFor(() => expect(completedSeen).toBe(true), PATIENT);
    const done = await stateOf(second, task.id);
    expect(done.state).toBe('completed');

    // The side effects, recorded outside the database by the fixture.
    const { tasks, overlaps } = byTask(readEffects(dir).effects);
    const mine = tasks.get(task.id)!;
    expect(overlaps).toEqual([]);
    expect(mine.froms[0]).toBe(0);
    expect(mine.froms.length).toBeGreaterThanOrEqual(2);
    // Progress for step N is reported before checkpoint N is saved: N-1 was durable at the kill.
    expect(mine.froms[1]).toBeGreaterThanOrEqual(stepAtKill - 1);
    expect([...mine.dones]).toEqual([[done.runs, 1]]);
    for (const [run, n] of mine.begins) expect(n, `begins of run ${run}`).toBe(1);

    // Every durable event of the task reached the watcher exactly once across both connections.
    const journal = await allEvents(c2, task.id);
    const seqs = delivered.filter((d) => d.data.kind === 'event').map((d) => (d.data as Extract<TaskChange, { kind: 'event' }>).event.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(journal.map((e) => e.seq));
    expect(delivered.some((d) => d.conn === 2 && d.data.kind === 'event')).toBe(true);
  });

  it('fails a task that kills the service every time with CRASH_LOOP after maxRecoveries', async () => {
    const { dir, dbPath } = workspace();
    const config = { dbPath, maxRecoveries: 2 };
    let svc = startService(config);
    await svc.ready;
    const task = await svc.client().tasks.create.mutate({ type: 'fx-crash', input: { dir, always: true } });
    expect((await svc.host.exit).reason).toBe('crashed');
    let crashes = 1;
    for (;;) {
      // A recovered run may take the service down before it even reports ready.
      const next = await startWhenFree(config);
      svc = next.svc;
      const up = next.up;
      const t = up ? await stateOf(svc, task.id).catch(() => null) : null;
      if (t?.state === 'failed') break;
      expect((await svc.host.exit).reason).toBe('crashed');
      crashes++;
      expect(crashes).toBeLessThanOrEqual(3);
    }
    const failed = await stateOf(svc, task.id);
    expect(failed.error).toMatchObject({ code: 'CRASH_LOOP', retryable: false });
    // The first run plus maxRecoveries re-runs, each of which took the service down.
    expect(crashes).toBe(3);
    expect(readEffects(dir).effects.filter((e) => e.kind === 'begin')).toHaveLength(3);
  });

  it('lets a new host take over the database of a SIGKILLed one once its lease is stale', async () => {
    const { dir, dbPath } = workspace();
    const first = startService({ dbPath });
    await first.ready;
    const task = await first.client().tasks.create.mutate({ type: 'fx-steps', input: { dir, steps: 300, stepMs: 10 } });
    await vi.waitFor(async () => expect((await stateOf(first, task.id)).progress?.current ?? 0).toBeGreaterThan(5), PATIENT);
    first.host.kill('SIGKILL');
    await first.host.exit;

    const { svc } = await startWhenFree({ dbPath });
    await vi.waitFor(async () => expect((await stateOf(svc, task.id)).state).toBe('completed'), PATIENT);
    const mine = byTask(readEffects(dir).effects).tasks.get(task.id)!;
    expect(mine.froms[1]).toBeGreaterThan(0);
    expect([...mine.dones.values()]).toEqual([1]);
  });
});
