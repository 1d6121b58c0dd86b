import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromTrpc } from '../src/renderer/client';
import { Session } from '../src/renderer/session';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';
import { createServiceClient } from '../src/shared/client';

/**
 * The Activity Center's controller against the real service entry in a child process, through
 * the same typed client and port link the page uses: the UI's reading of the router's outputs
 * (tasks, tracked changes, queue.stats) is checked against the real thing, not a stand-in.
 */

const PATIENT = { timeout: 20_000, interval: 25 };
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.dispose();
  await killAll();
});

async function live() {
  const dir = tmpDir();
  mkdirSync(path.join(dir, 'locks'));
  const svc = startService({ dbPath: path.join(dir, 'tasks.db') });
  await svc.ready;
  const session = new Session(fromTrpc(createServiceClient({ port: svc.host.connect() }).trpc));
  sessions.push(session);
  await session.start();
  return { dir, session };
}

describe('Session over the real service', () => {
  it('shows a created task running to completion from the watch, with its history and stats', async () => {
    const { dir, session } = await live();
    expect(session.status.kind).toBe('live');
    expect(await session.create({ type: 'fx-steps', input: { dir, steps: 3, stepMs: 20 }, title: 'three steps' })).toBe(true);
    const id = [...session.model.tasks.keys()][0]!;
    await session.select(id);
    await vi.waitFor(() => expect(session.model.tasks.get(id)?.state).toBe('completed'), PATIENT);
    await vi.waitFor(() => expect(session.history.map((e) => e.to)).toContain('completed'), PATIENT);
    expect(session.history[0]).toMatchObject({ kind: 'created', taskId: id });
    await vi.waitFor(() => expect(session.stats?.byState.completed).toBe(1), PATIENT);
  });

  it('explains bad input in a sentence, keeps the service message as detail, and creates nothing', async () => {
    const { session } = await live();
    expect(await session.create({ type: 'video-download', input: { url: 'not a url', dir: '/tmp' }, title: 'bad' })).toBe(false);
    expect(session.alert).toBe('Please enter a web address starting with http:// or https://.');
    expect(session.alertDetail).toMatch(/^BAD_INPUT: .*url/);
    expect(await session.refresh()).toBe(true);
    expect(session.model.tasks.size).toBe(0);
  });

  it('pauses and resumes the queue as the service reports it', async () => {
    const { session } = await live();
    await session.toggleQueue();
    expect(session.queuePaused).toBe(true);
    expect(session.stats?.queuePaused).toBe(true);
    await session.toggleQueue();
    expect(session.queuePaused).toBe(false);
  });
});
