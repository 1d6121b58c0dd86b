import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceCodeOf } from '../src/shared/port/errors';
import { waitFor } from './support/engine-harness';
import { tmpDir } from './support/tmp';
import { loopbackPerTest, startService } from './support/service-process';

/**
 * Regression: the host's `downloadsDir` was parsed and never used. The service entry now takes
 * its downloads roots from the host (downloadsDir first, then downloadsRoots), accepts more
 * folders through the host-only `grant-folder` message, and shows them in service.health.
 */

const loop = loopbackPerTest();

describe('the service entry confines downloads to the roots its host gives it', () => {
  it('downloadsDir is the default root, downloadsRoots and grant-folder add more, and the rest is refused', async () => {
    const base = tmpDir('dl-roots-svc-');
    const [downloads, usb, granted] = ['Downloads', 'usb', 'granted'].map((n) => path.join(base, n)) as [string, string, string];
    loop.server.route('/v.mp4', { content: { size: 3000, seed: 9 } });
    const svc = startService({ dbPath: path.join(base, 'tasks.db'), downloadsDir: downloads, downloadsRoots: [usb] });
    await svc.ready;
    const client = svc.client();
    expect((await client.service.health.query()).downloadsRoots).toEqual([downloads, usb]);

    const refused = await client.tasks.create.mutate({ type: 'video-download', input: { url: loop.server.url('/v.mp4'), dir: granted } }).catch((e: unknown) => e);
    expect(serviceCodeOf(refused)).toBe('BAD_INPUT');
    expect(fs.existsSync(granted)).toBe(false);

    // What Electron main sends after the user picked a folder in its dialog.
    svc.host.postMessage({ type: 'grant-folder', dir: granted });
    await waitFor(() => svc.logs.some((l) => l.msg === 'downloads folder granted'), 'the grant');
    expect((await client.service.health.query()).downloadsRoots).toEqual([downloads, usb, granted]);

    // A relative dir lands under downloadsDir, which the service creates.
    const rel = await client.tasks.create.mutate({ type: 'video-download', input: { url: loop.server.url('/v.mp4'), dir: 'shows', filename: 'a.mp4' } });
    const inGranted = await client.tasks.create.mutate({ type: 'video-download', input: { url: loop.server.url('/v.mp4'), dir: granted, filename: 'b.mp4' } });
    const finished = async (id: string) => {
      for (;;) {
        const t = await client.tasks.get.query({ id });
        if (t.state === 'completed' || t.state === 'failed') return t;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    expect(await finished(rel.id)).toMatchObject({ state: 'completed', result: { path: path.join(downloads, 'shows', 'a.mp4') } });
    expect(await finished(inGranted.id)).toMatchObject({ state: 'completed', result: { path: path.join(granted, 'b.mp4') } });

    // A UNC path is not a folder anyone can grant.
    svc.host.postMessage({ type: 'grant-folder', dir: '\\\\evil\\share' });
    await waitFor(() => svc.logs.some((l) => l.msg === 'downloads folder refused'), 'the refusal');
    expect((await client.service.health.query()).downloadsRoots).toEqual([downloads, usb, granted]);
  });
});
