import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECENT_LOG_LINES, log, recentLogLines } from '../src/task-service/entry/log';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';

/**
 * "Copy diagnostics" in a browser (web host) has no log file to read: the service itself must
 * answer with its health and its last log lines, the same lines it wrote to stderr.
 */

afterEach(killAll);

describe('service.diagnostics', () => {
  it('returns health and the service log lines it wrote to stderr, capped to the last 200', async () => {
    const svc = startService({ dbPath: path.join(tmpDir(), 'tasks.db') });
    const bootId = await svc.ready;
    const client = svc.client();
    const d = await client.service.diagnostics.query();
    expect(d.health.bootId).toBe(bootId);
    expect(d.health.schemaVersion).toBeGreaterThan(0);
    const parsed = d.logLines.map((l) => JSON.parse(l) as { msg: string; bootId?: string });
    expect(parsed.find((l) => l.msg === 'ready')?.bootId).toBe(bootId);
    expect(svc.logs.map((l) => l.msg)).toContain('ready');
    expect(d.logLines.length).toBeLessThanOrEqual(RECENT_LOG_LINES);
  });

  it('keeps only the last 200 lines, oldest dropped first', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (let i = 0; i < RECENT_LOG_LINES + 50; i++) log('info', `line ${i}`);
    } finally {
      write.mockRestore();
    }
    const lines = recentLogLines().map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(lines).toHaveLength(RECENT_LOG_LINES);
    expect(lines[0]).toBe('line 50');
    expect(lines.at(-1)).toBe(`line ${RECENT_LOG_LINES + 49}`);
  });
});
