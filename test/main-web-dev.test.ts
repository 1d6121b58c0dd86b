import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
