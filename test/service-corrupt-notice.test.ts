import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceCodeOf } from '../src/shared/port/errors';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';

/**
 * Issue 10, "promises" 12: a corrupt database was moved aside and a fresh one started, but
 * service.health() said nothing (degraded stayed []), so the user just saw their tasks gone.
 * The quarantine now shows as a notice until acknowledged, across restarts of the service.
 */

afterEach(killAll);

async function boot(dbPath: string) {
  const svc = startService({ dbPath });
  await svc.ready;
  return { svc, client: svc.client() };
}

describe('a quarantined corrupt database', () => {
  it('shows in service.health() until acknowledged, survives a restart, and stays gone once acknowledged', async () => {
    const dbPath = path.join(tmpDir(), 'tasks.db');
    writeFileSync(dbPath, 'this is not a database\n'.repeat(50));

    const first = await boot(dbPath);
    const health = await first.client.service.health.query();
    expect(health.notices).toHaveLength(1);
    const notice = health.notices[0]!;
    expect(notice).toMatchObject({ code: 'DB_CORRUPT', message: expect.stringContaining('moved aside') });
    expect(notice.path).toMatch(/tasks\.db\.corrupt-/);
    expect(readFileSync(notice.path, 'utf8')).toContain('this is not a database');
    expect(Math.abs(notice.at - Date.now())).toBeLessThan(10 * 60_000);

    // Killed before anyone acknowledged it: the next life still shows it.
    first.svc.host.kill();
    await first.svc.host.exit;
    const second = await boot(dbPath);
    expect((await second.client.service.health.query()).notices).toEqual([notice]);

    // Unknown codes are refused; a code with no notice changes nothing.
    await expect(second.client.service.acknowledge.mutate({ code: 'NOPE' as never })).rejects.toSatisfy((e) => serviceCodeOf(e) === 'BAD_INPUT');
    expect((await second.client.service.acknowledge.mutate({ code: 'DISK_FULL' })).notices).toEqual([notice]);

    const after = await second.client.service.acknowledge.mutate({ code: 'DB_CORRUPT' });
    expect(after.notices).toEqual([]);
    expect(existsSync(notice.path)).toBe(true);
    second.svc.host.kill();
    await second.svc.host.exit;
    const third = await boot(dbPath);
    expect((await third.client.service.health.query()).notices).toEqual([]);
  }, 60_000);

  it('a healthy database has no notices', async () => {
    const { client } = await boot(path.join(tmpDir(), 'tasks.db'));
    expect(await client.service.health.query()).toMatchObject({ ok: true, notices: [] });
  });
});
