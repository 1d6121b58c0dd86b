import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';
import { cleanup, startService, waitFor, waitState } from './support/engine-harness';

/**
 * The network constraint (issue 10 #13): types that require the network wait in `queued` while
 * the host reports offline, a run that fails with NETWORK during an outage is given back, and
 * everything goes on by itself once the host reports online again. Real HTTP on loopback.
 */

let server: LoopbackServer | null = null;
afterEach(async () => {
  await cleanup();
  await server?.close();
  server = null;
});

/** GET url; a dropped connection rejects with the socket's code (ECONNRESET: NETWORK). */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function fetcher() {
  const holds = new Map<string, () => void>();
  const def = defineTask({
    type: 'fetch',
    input: z.object({ url: z.string() }),
    requiresNetwork: true,
    maxAttempts: 2,
    backoff: { baseMs: 1, maxMs: 1 },
    async run(ctx) {
      if (ctx.run === 1 && (ctx.input.url.includes('hold'))) await new Promise<void>((r) => holds.set(ctx.task.id, r));
      return { status: await get(ctx.input.url) };
    },
  });
  return { def, holds };
}

describe('network constraint', () => {
  it('an outage reported by the host does not use up attempts; the downloads complete after it ends', async () => {
    server = await startLoopbackServer();
    const s = server;
    s.route('/hold.mp4', { body: 'ok' });
    s.route('/a.mp4', { body: 'ok' });
    const f = fetcher();
    const svc = await startService({ tasks: [f.def] });
    const running = svc.create({ type: 'fetch', input: { url: s.url('/hold.mp4') } });
    await waitFor(() => f.holds.has(running.id), 'a download under way');

    // The outage: the server drops every connection, and the host says so.
    s.patch('/hold.mp4', { disconnectAfterBytes: 0, disconnectTimes: 1_000 });
    svc.setNetwork(false);
    const waiting = [1, 2, 3].map(() => svc.create({ type: 'fetch', input: { url: s.url('/a.mp4') } }));
    f.holds.get(running.id)!(); // its request now fails with a dropped connection
    await waitFor(() => svc.get({ id: running.id }).state === 'queued', 'the failed run given back');
    await svc.engine.whenIdle();
    expect(svc.get({ id: running.id })).toMatchObject({ state: 'queued', attempt: 0, runs: 1, error: null });
    const back = svc.events({ id: running.id, limit: 100 }).items.at(-1)!;
    expect(back.data).toMatchObject({ reason: 'network', waiting: 'waiting for network', error: { code: 'NETWORK' } });
    for (const t of waiting) expect(svc.get({ id: t.id })).toMatchObject({ state: 'queued', runs: 0 });
    expect(svc.stats().network).toEqual({ online: false, types: ['fetch'], waiting: 4, reason: 'waiting for network' });

    // The outage ends: nothing to do but say so.
    s.patch('/hold.mp4', { disconnectTimes: 0 });
    svc.setNetwork(true);
    for (const t of [running, ...waiting]) {
      const done = await waitState(svc, t.id, 'completed');
      expect(done.attempt).toBe(0);
    }
    expect(svc.stats().network.waiting).toBe(0);
  });

  it('a run during which the network went away and came back is given back too; without an outage NETWORK counts', async () => {
    server = await startLoopbackServer();
    const s = server;
    s.route('/hold.mp4', { body: 'ok', disconnectAfterBytes: 0, disconnectTimes: 1_000 });
    const f = fetcher();
    const svc = await startService({ tasks: [f.def] });
    const t = svc.create({ type: 'fetch', input: { url: s.url('/hold.mp4') } });
    await waitFor(() => f.holds.has(t.id), 'run 1 under way');
    svc.setNetwork(false);
    svc.setNetwork(true);
    f.holds.get(t.id)!();
    // Run 1 is given back (an outage began during it); runs 2 and 3 fail while online and count.
    const failed = await waitState(svc, t.id, 'failed');
    expect(failed).toMatchObject({ attempt: 2, runs: 3, error: { code: 'NETWORK' } });
  });
});
