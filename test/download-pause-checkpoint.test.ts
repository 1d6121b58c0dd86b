import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Task, TaskEvent } from '../src/shared/task';
import { tmpDir } from './support/tmp';
import { generatedSha256 } from './support/generated-content';
import { loopbackPerTest, startService, type ServiceProcess } from './support/service-process';

/**
 * Regression: a paused download's final checkpoint was refused by the engine. On pause the
 * engine commits `paused`, detaches the execution and only then aborts the handler, so the
 * handler's last `saveCheckpoint` (the bytes it wrote since the previous periodic checkpoint)
 * fails with CONFLICT "no longer running under this handler". Nothing is lost, but resume
 * truncates the .part back to the last periodic checkpoint and downloads up to ~1 MiB again,
 * and DESIGN.md §4 says "pause keeps the checkpoint". Shutdown aborts before detaching, so
 * there the same save is accepted (see download-crash.test.ts).
 */

const MiB = 1024 * 1024;
const SIZE = 10 * MiB + 777;
const SEED = 77;
const PATIENT = { timeout: 30_000, interval: 20 };
const loopback = loopbackPerTest();

const get = async (svc: ServiceProcess, id: string): Promise<Task> => (await svc.client().tasks.get.query({ id })) as Task;

async function allEvents(svc: ServiceProcess, id: string): Promise<TaskEvent[]> {
  const out: TaskEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await svc.client().tasks.events.query({ id, ...(cursor ? { cursor } : {}) });
    out.push(...(page.items as TaskEvent[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('pausing a download in the service process', () => {
  it('keeps the final checkpoint the handler saves on its way out, so resume starts at the end of the .part', async () => {
    const dir = tmpDir('dl-pause-');
    loopback.server.route('/v.mp4', { content: { size: SIZE, seed: SEED }, bytesPerSecond: 4 * MiB });
    const input = { url: loopback.server.url('/v.mp4'), dir, filename: 'v.mp4', expectedSize: SIZE, sha256: generatedSha256(SEED, SIZE) };
    const svc = startService({ dbPath: path.join(dir, 'tasks.db') });
    await svc.ready;
    const client = svc.client();
    const task = await client.tasks.create.mutate({ type: 'video-download', input });
    await vi.waitFor(async () => expect((await get(svc, task.id)).progress?.current ?? 0).toBeGreaterThanOrEqual(2 * MiB), PATIENT);
    await client.tasks.pause.mutate({ id: task.id });

    // The handler has finished once its last checkpoint landed after `paused`, or once it
    // logged that the engine refused it; whichever happens tells us it no longer writes.
    const refused = (): unknown[] => svc.logs.filter((l) => l.taskId === task.id && /final checkpoint/.test(String(l.msg)));
    const savedAfterPause = async (): Promise<boolean> => {
      const events = await allEvents(svc, task.id);
      const paused = events.findIndex((e) => e.kind === 'state' && e.to === 'paused');
      return paused >= 0 && events.slice(paused + 1).some((e) => e.kind === 'checkpoint');
    };
    await vi.waitFor(async () => expect(refused().length > 0 || (await savedAfterPause())).toBe(true), PATIENT);
    expect(refused()).toEqual([]);
    const partAtPause = statSync(path.join(dir, 'v.mp4.part')).size;

    await client.tasks.resume.mutate({ id: task.id });
    await vi.waitFor(async () => expect((await get(svc, task.id)).state).toBe('completed'), PATIENT);
    expect(existsSync(path.join(dir, 'v.mp4'))).toBe(true);
    expect(loopback.server.stats('/v.mp4').ranges[1]).toBe(`bytes=${partAtPause}-`);
  }, 60_000);
});
