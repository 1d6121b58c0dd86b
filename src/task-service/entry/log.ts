/**
 * Structured log lines (one JSON object per line on stderr), so a host or a test can parse
 * what the service did without scraping prose. stdout stays free for whatever embeds us.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, pid: process.pid, msg, ...fields })}\n`);
}
