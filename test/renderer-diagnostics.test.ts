import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../src/renderer/diagnostics';
import type { HostDiagnostics } from '../src/shared/ipc';

/** What "Copy diagnostics" puts on the clipboard, on both hosts. */

const health = { ok: true, version: '0.1.0', schemaVersion: 7, bootId: 'b1', degraded: [] };
const now = new Date('2026-01-02T03:04:05Z');

describe('diagnostics text', () => {
  it('in a browser: service version, schema version, health and the service log lines', () => {
    const text = formatDiagnostics({ health, logLines: ['{"msg":"ready"}'] }, null, 'Chromium', now);
    expect(text).toContain('host: browser (Chromium)');
    expect(text).toContain('service 0.1.0 · schema version 7');
    expect(text).toContain('"bootId":"b1"');
    expect(text.trimEnd().endsWith('{"msg":"ready"}')).toBe(true);
  });

  it("under Electron: the app's versions and main's last 200 lines (which hold the service's) instead of the service copy", () => {
    const host: HostDiagnostics = {
      host: 'electron',
      appVersion: '0.1.0',
      versions: { electron: '45.5.0' },
      platform: 'linux x64',
      logsFolder: '/logs',
      logLines: Array.from({ length: 250 }, (_, i) => `main ${i}`),
    };
    const text = formatDiagnostics({ health, logLines: ['service copy'] }, host, 'x', now);
    expect(text).toContain('app 0.1.0 · linux x64 · electron 45.5.0');
    expect(text).toContain('--- last 200 log lines (/logs) ---');
    expect(text).not.toContain('service copy');
    expect(text).not.toContain('main 49\n');
    expect(text).toContain('main 50\n');
  });

  it('still reports the host when the service cannot answer', () => {
    expect(formatDiagnostics({ error: 'port closed' }, null, 'x', now)).toContain('service: unreachable (port closed)');
  });
});
