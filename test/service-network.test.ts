import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Task } from '../src/shared/task';
import { tmpDir } from './support/tmp';
import { loopbackPerTest, startService, type ServiceProcess } from './support/service-process';

/**
 * Issue 10 #13 through the real service process and the Node host: the host reports an outage
 * (host protocol `network`), downloads wait in queued without using up attempts, and they all
 * complete by themselves once the host reports online again.
 */

const loopback = loopbackPerTest();
const PATIENT = { timeout: 30_000, interval: 25 };

const get = async (svc: ServiceProcess, id: string): Promise<Task> => (await svc.client().tasks.get.query({ id })) as Task;

describe('a network outage reported by the host', () => {
  it('does not use up attempts; the downloads complete after it ends', async () => {
    const s = loopback.server;
    s.route('/v.mp4', { body: 'video', disconnectAfterBytes: 0, disconnectTimes: 1_000 }); // the outage
    const svc = startService({ dbPath: path.join(tmpDir('net-'), 'tasks.db') });
    await svc.ready;
    svc.host.setOnline(false);
    const c = svc.client();
    const tasks = await Promise.all([1, 2, 3].map(() => c.tasks.create.mutate({ type: 'fx-net', input: { url: s.url('/v.mp4') } })));
    const stats = await c.queue.stats.query();
    expect(stats.network).toEqual({ online: false, types: ['video-download', 'playlist-import', 'fx-net'], waiting: 3, reason: 'waiting for network' });
    for (const t of tasks) expect(await get(svc, t.id)).toMatchObject({ state: 'queued', runs: 0, attempt: 0 });
    expect(s.stats('/v.mp4').requests).toBe(0);

    s.patch('/v.mp4', { disconnectTimes: 0 });
    svc.host.setOnline(true);
    for (const t of tasks) {
      await vi.waitFor(async () => expect((await get(svc, t.id)).state).toBe('completed'), PATIENT);
      expect(await get(svc, t.id)).toMatchObject({ attempt: 0, runs: 1, result: { status: 200 } });
    }
  });
});
