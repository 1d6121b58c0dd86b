/**
 * Structured log lines (one JSON object per line on stderr), so a host or a test can parse
 * what the service did without scraping prose. stdout stays free for whatever embeds us.
 * The last lines are also kept in memory for `service.diagnostics` (the web host has no log
 * file a user could attach to a bug report).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How many recent lines `recentLogLines` keeps (what "Copy diagnostics" sends). */
export const RECENT_LOG_LINES = 200;
const recent: string[] = [];

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ t: new Date().toISOString(), level, pid: process.pid, msg, ...fields });
  recent.push(line);
  if (recent.length > RECENT_LOG_LINES) recent.splice(0, recent.length - RECENT_LOG_LINES);
  process.stderr.write(`${line}\n`);
}

/** The service's last log lines, oldest first. */
export function recentLogLines(): string[] {
  return [...recent];
}
