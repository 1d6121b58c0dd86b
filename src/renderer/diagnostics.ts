import type { HostDiagnostics } from '../shared/ipc';
import { h } from './dom';

/**
 * "Copy diagnostics" (both hosts) and "Open logs folder" (Electron only): what a user attaches
 * to a bug report. The service answers `service.diagnostics` (health, schema version, its last
 * log lines); under Electron, main adds its versions and its own last 200 lines, which already
 * include the service's piped stderr, so those replace the service's copy.
 */

/** `service.diagnostics` as the page receives it. */
export interface ServiceDiagnostics {
  health: { version: string; schemaVersion: number; [k: string]: unknown };
  logLines: string[];
}

/** The preload's bridge, present only under Electron. */
interface ElectronBridge {
  diagnostics?: () => Promise<unknown>;
  openLogsFolder?: () => Promise<unknown>;
}

const MAX_LINES = 200;

/** The text put on the clipboard. */
export function formatDiagnostics(service: ServiceDiagnostics | { error: string }, host: HostDiagnostics | null, userAgent: string, now: Date): string {
  const lines = [`Playlistify diagnostics (${now.toISOString()})`];
  if (host) lines.push(`app ${host.appVersion} · ${host.platform} · ${Object.entries(host.versions).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
  else lines.push(`host: browser (${userAgent})`);
  if ('error' in service) lines.push(`service: unreachable (${service.error})`);
  else {
    lines.push(`service ${service.health.version} · schema version ${service.health.schemaVersion}`);
    lines.push(`health: ${JSON.stringify(service.health)}`);
  }
  const log = host ? host.logLines : 'error' in service ? [] : service.logLines;
  lines.push(`--- last ${Math.min(MAX_LINES, log.length)} log lines${host ? ` (${host.logsFolder})` : ''} ---`, ...log.slice(-MAX_LINES));
  return `${lines.join('\n')}\n`;
}

/** Appends the two buttons to `parent`; `query` asks the service for its diagnostics. */
export function mountDiagnostics(parent: HTMLElement, query: () => Promise<ServiceDiagnostics>): void {
  const bridge = (window as { playlistify?: ElectronBridge }).playlistify;
  // aria-live without role=status: the page's one status element is the connection state.
  const note = h('span', { class: 'diagnostics-note', 'aria-live': 'polite' });
  const copy = h('button', { type: 'button', 'data-action': 'copy-diagnostics' }, 'Copy diagnostics');
  const bar = h('footer', { class: 'diagnostics' }, copy);
  if (bridge?.openLogsFolder) {
    const open = h('button', { type: 'button', 'data-action': 'open-logs' }, 'Open logs folder');
    open.addEventListener('click', () => void bridge.openLogsFolder?.().catch(() => (note.textContent = 'Could not open the logs folder')));
    bar.append(open);
  }
  bar.append(note);
  copy.addEventListener('click', () => {
    void (async () => {
      const service = await query().catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
      const host = bridge?.diagnostics ? ((await bridge.diagnostics().catch(() => null)) as HostDiagnostics | null) : null;
      const text = formatDiagnostics(service, host, navigator.userAgent, new Date());
      try {
        await navigator.clipboard.writeText(text);
        note.textContent = 'Diagnostics copied';
      } catch {
        // No clipboard access: show the text so it can be copied by hand.
        note.textContent = 'Copy the text below';
        bar.append(h('textarea', { readonly: true, rows: 8, 'aria-label': 'Diagnostics' }, text));
      }
    })();
  });
  parent.append(bar);
}
