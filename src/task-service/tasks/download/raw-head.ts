import type { IncomingHttpHeaders } from 'node:http';

/** The status line and headers of an HTTP/1.x response (raw-get.ts reads them itself); null if
 * it is not one. Repeated headers are joined with ", ", as node:http does for most. */
export function parseHead(text: string): { status: number; headers: IncomingHttpHeaders } | null {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), headers };
}
