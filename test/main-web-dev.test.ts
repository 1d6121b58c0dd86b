import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SupervisorState } from '../src/main/supervisor';
import { startWebDev, type WebDev } from '../src/main/web-dev';

/**
 * The browser dev host assembled with the real service entry under the Node host (the
 * renderer is a stub page: serving it is main-web-host's subject). What matters here is the
 * service's life: a SIGKILL mid-run is followed by a working restart, not a refusal.
 */

let dir: string;
let dev: WebDev | null = null;
const lines: string[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-webdev-'));
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>AC</title>');
  lines.length = 0;
});

afterEach(async () => {
  await dev?.close();
  dev = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves at the first state that `pick` accepts (checked now and on every change). */
function waitFor(d: WebDev, pick: (s: SupervisorState) => boolean): Promise<SupervisorState> {
  return new Promise((resolve) => {
    if (pick(d.supervisor.state)) return resolve(d.supervisor.state);
    const off = d.supervisor.onState((s) => {
      if (pick(s)) {
        off();
        resolve(s);
      }
    });
  });
}

const settled = (s: SupervisorState) => s.kind === 'running' || s.kind === 'gave-up';

describe('startWebDev with the real service entry', () => {
  // Regression: the restarted service found the killed one's owner row with a fresh heartbeat
  // and refused to start (SERVICE_LOCKED), so the supervisor gave up instead of recovering.
  it('restarts the service after a SIGKILL and takes over its database at once', async () => {
    dev = await startWebDev({
      userDataDir: path.join(dir, 'data'),
      rendererDir: path.join(dir, 'renderer'),
      stdio: { log: (l) => lines.push(l) },
      supervisor: { baseDelayMs: 50 },
    });
    const first = await waitFor(dev, settled);
    expect(first.kind, lines.join('\n')).toBe('running');
    const pid = dev.servicePid()!;
    process.kill(pid, 'SIGKILL');
    const next = await waitFor(dev, (s) => settled(s) && dev!.servicePid() !== pid);
    expect(next, lines.join('\n')).toMatchObject({ kind: 'running' });
    // Both lives logged ready; neither logged a startup failure.
    const logged = lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as { msg: string }] : []));
    expect(logged.filter((l) => l.msg === 'ready')).toHaveLength(2);
    expect(logged.filter((l) => l.msg === 'startup failed')).toEqual([]);
    const res = await fetch(dev.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  }, 60_000);

  it('refuses to start without a built renderer, and leaves no service running', async () => {
    await expect(startWebDev({ userDataDir: path.join(dir, 'data'), rendererDir: path.join(dir, 'none') })).rejects.toThrow(/No built renderer/);
  });

  // Regression (issue 10, ways in 1): this frame, piped to the service, made it exit with a
  // RangeError while reading its IPC channel.
  it('a deeply nested WebSocket frame gets BAD_INPUT and the real service stays up', async () => {
    dev = await startWebDev({ userDataDir: path.join(dir, 'data'), rendererDir: path.join(dir, 'renderer'), stdio: { log: (l) => lines.push(l) } });
    expect((await waitFor(dev, settled)).kind, lines.join('\n')).toBe('running');
    const page = new URL(dev.url);
    const token = new URLSearchParams(page.hash.slice(1)).get('token');
    const ws = new WebSocket(`ws://${page.host}/service?token=${token}`, { origin: page.origin });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies: any[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    const pid = dev.servicePid();
    // The bridge now refuses it before parsing; the point is what the page and the service see.
    const deep = (n: number) => `{"id":${n},"method":"query","params":{"path":"tasks.list","input":${'{"a":'.repeat(2_100)}1${'}'.repeat(2_100)}}}`;
    ws.send(deep(1));
    ws.send(JSON.stringify({ id: 2, method: 'query', params: { path: 'service.health' } }));
    await expect.poll(() => replies.length, { timeout: 20_000 }).toBe(2);
    expect(replies.find((r) => r.id === 1)).toMatchObject({ error: { data: { serviceCode: 'BAD_INPUT' } } });
    expect(replies.find((r) => r.id === 2)).toMatchObject({ result: { data: { ok: true } } });
    expect(dev.servicePid()).toBe(pid);
    ws.close();
  }, 60_000);

  // Regression (issue 12): a second instance on the same data folder showed "Reconnecting..."
  // forever; only the terminal said SERVICE_LOCKED. The page's socket now closes with the reason.
  it('a second instance on the same data closes the page socket with SERVICE_LOCKED as the reason', async () => {
    const data = path.join(dir, 'data');
    dev = await startWebDev({ userDataDir: data, rendererDir: path.join(dir, 'renderer'), stdio: { log: (l) => lines.push(l) } });
    expect((await waitFor(dev, settled)).kind, lines.join('\n')).toBe('running');
    const second = await startWebDev({ userDataDir: data, rendererDir: path.join(dir, 'renderer'), stdio: { log: () => {} } });
    try {
      expect((await waitFor(second, settled)).kind).toBe('gave-up');
      const page = new URL(second.url);
      const token = new URLSearchParams(page.hash.slice(1)).get('token');
      const ws = new WebSocket(`ws://${page.host}/service?token=${token}`, { origin: page.origin });
      const [code, reason] = await new Promise<[number, string]>((resolve) => ws.once('close', (c, r) => resolve([c, String(r)])));
      expect(code).toBe(4000);
      expect(reason).toMatch(/^SERVICE_LOCKED: /);
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    } finally {
      await second.close();
    }
    // The first instance is untouched.
    expect(dev.supervisor.state.kind).toBe('running');
  }, 60_000);
});
