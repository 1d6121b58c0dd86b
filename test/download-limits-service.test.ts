import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './support/tmp';
import { loopbackPerTest, startService } from './support/service-process';

/**
 * The byte cap and the minimum-speed rule in the real service process, with the limits its host
 * configures (`downloadLimits`; the app keeps the defaults: 64 GiB, 1 KiB/s over 60 s).
 * Regression: a dripping server held a slot forever and a sizeless body filled the disk.
 */

const loop = loopbackPerTest();
const MiB = 1024 * 1024;

describe('download limits set by the host', () => {
  it('a dripping server ends a run with a retryable STALLED; a sizeless body past maxBytes fails TOO_LARGE', async () => {
    const dir = tmpDir('dl-limits-svc-');
    loop.server.route('/drip', { content: { size: 10_000, seed: 61 }, bytesPerSecond: 20 });
    loop.server.route('/endless', { content: { size: 64 * MiB, seed: 62 }, omitContentLength: true, bytesPerSecond: 32 * MiB });
    const svc = startService({ dbPath: path.join(dir, 'tasks.db'), downloadsDir: dir, downloadLimits: { maxBytes: 1 * MiB, minBytesPerSecond: 1024, stallWindowMs: 500 } });
    await svc.ready;
    const client = svc.client();
    const drip = await client.tasks.create.mutate({ type: 'video-download', input: { url: loop.server.url('/drip'), dir, filename: 'drip.bin' } });
    const endless = await client.tasks.create.mutate({ type: 'video-download', input: { url: loop.server.url('/endless'), dir, filename: 'endless.bin' } });
    type Got = Awaited<ReturnType<typeof client.tasks.get.query>>;
    const until = async (id: string, done: (t: Got) => boolean): Promise<Got> => {
      for (;;) {
        const t = await client.tasks.get.query({ id });
        if (done(t)) return t;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const stalled = await until(drip.id, (t) => t.error?.code === 'STALLED');
    expect(stalled.error).toMatchObject({ retryable: true, message: expect.stringContaining('under the minimum of 1024 bytes/s') });
    expect(stalled.state).not.toBe('failed');
    const tooLarge = await until(endless.id, (t) => t.state === 'failed');
    expect(tooLarge.error).toMatchObject({ code: 'TOO_LARGE', retryable: false });
    expect(fs.existsSync(path.join(dir, 'endless.bin.part'))).toBe(false);
    await client.tasks.cancel.mutate({ id: drip.id });
  });
});
