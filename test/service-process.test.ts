import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceCodeOf } from '../src/shared/port/errors';
import type { TaskChange } from '../src/shared/task';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';
import { createServiceClient } from '../src/shared/client';

/** The service entry in a real child process, reached only through its port. */

const PATIENT = { timeout: 20_000, interval: 25 };
afterEach(killAll);

function workspace() {
  const dir = tmpDir();
  mkdirSync(path.join(dir, 'locks'));
  return { dir, dbPath: path.join(dir, 'tasks.db') };
}

describe('the service process', () => {
  it('creates, lists, watches and completes a task over the port', async () => {
    const { dir, dbPath } = workspace();
    const svc = startService({ dbPath });
    await svc.ready;
    const client = svc.client();
    const changes: Array<{ id: string; data: TaskChange }> = [];
    const sub = client.tasks.watch.subscribe({}, { onData: (d) => changes.push(d as { id: string; data: TaskChange }) });
    const task = await client.tasks.create.mutate({ type: 'fx-steps', input: { dir, steps: 3, stepMs: 5 }, title: 'three steps' });
    expect(task).toMatchObject({ type: 'fx-steps', title: 'three steps' });
    await vi.waitFor(async () => expect((await client.tasks.get.query({ id: task.id })).state).toBe('completed'), PATIENT);
    await vi.waitFor(() => expect(changes.some((c) => c.data.kind === 'event' && c.data.event.to === 'completed')).toBe(true), PATIENT);
    sub.unsubscribe();
    const page = await client.tasks.list.query({ states: ['completed'] });
    expect(page.items.map((t) => t.id)).toEqual([task.id]);
    const events = await client.tasks.events.query({ id: task.id });
    expect(events.items.map((e) => e.kind)).toContain('checkpoint');
    const health = await client.service.health.query();
    expect(health).toMatchObject({ ok: true, bootId: await svc.ready, degraded: [] });
  });

  it('answers bad input with a typed error and writes nothing', async () => {
    const { dbPath } = workspace();
    const svc = startService({ dbPath });
    await svc.ready;
    const client = svc.client();
    const bad: unknown[] = [
      { type: 'no-such-type', input: {} },
      { type: 'fx-steps', input: { steps: 'many' } },
      JSON.parse('{"type":"fx-steps","input":{},"__proto__":{"x":1}}'),
      { type: 'fx-steps', input: {}, extra: true },
    ];
    for (const input of bad) {
      const error = await client.tasks.create.mutate(input as never).then(() => null, (e: unknown) => e);
      expect(serviceCodeOf(error), JSON.stringify(input)).toMatch(/^(BAD_INPUT|UNKNOWN_TYPE)$/);
    }
    expect((await client.tasks.list.query({})).items).toEqual([]);
    const missing = await client.tasks.get.query({ id: 'nope' }).then(() => null, (e: unknown) => e);
    expect(serviceCodeOf(missing)).toBe('NOT_FOUND');
  });

  it('a second service on the same database refuses with SERVICE_LOCKED', async () => {
    const { dbPath } = workspace();
    const first = startService({ dbPath });
    await first.ready;
    const second = startService({ dbPath });
    await expect(second.ready).rejects.toMatchObject({ code: 'SERVICE_LOCKED' });
    expect((await second.host.exit).code).toBe(1);
  });

  it('a restart right after a SIGKILL takes over at once: the dead holder is not a rival', async () => {
    const { dbPath } = workspace();
    const first = startService({ dbPath, staleMs: 600_000 });
    await first.ready;
    first.host.kill('SIGKILL');
    await first.host.exit;
    const second = startService({ dbPath, staleMs: 600_000 });
    await expect(second.ready).resolves.toEqual(expect.any(String));
  });

  it('a watcher that saw no event before a restart resumes from its starting point without a gap', async () => {
    const { dbPath } = workspace();
    const first = startService({ dbPath });
    await first.ready;
    const task = await first.client().tasks.create.mutate({ type: 'fx-hang', input: {} });
    await vi.waitFor(async () => expect((await first.client().tasks.get.query({ id: task.id })).state).toBe('running'), PATIENT);
    const service = createServiceClient({ port: first.host.connect() });
    const client = service.trpc;
    const seen: Array<{ id: string; kind: string; to?: string | null }> = [];
    client.tasks.watch.subscribe({ ids: [task.id] }, {
      onData: (d) => seen.push({ id: d.id, kind: d.data.kind, ...(d.data.kind === 'event' ? { to: d.data.event.to } : {}) }),
    });
    await vi.waitFor(() => expect(seen.map((s) => s.kind)).toEqual(['sync']), PATIENT);
    first.host.kill('SIGKILL');
    await first.host.exit;
    const second = startService({ dbPath });
    await second.ready;
    service.setPort(second.host.connect());
    // The new boot put the orphan back to queued and claimed it again before we reconnected.
    await vi.waitFor(() => expect(seen.filter((s) => s.kind === 'event').map((s) => s.to)).toEqual(['queued', 'running']), PATIENT);
  });

  it('stops gracefully on request, leaving an interrupted task queued', async () => {
    const { dir, dbPath } = workspace();
    const svc = startService({ dbPath });
    await svc.ready;
    const client = svc.client();
    const task = await client.tasks.create.mutate({ type: 'fx-steps', input: { dir, steps: 1000, stepMs: 10 } });
    await vi.waitFor(async () => expect((await client.tasks.get.query({ id: task.id })).state).toBe('running'), PATIENT);
    const exit = await svc.host.stop(10_000);
    expect(exit.reason).toBe('stopped');
    const again = startService({ dbPath });
    await again.ready;
    const after = await again.client().tasks.get.query({ id: task.id });
    expect(['queued', 'running']).toContain(after.state);
  });
});
