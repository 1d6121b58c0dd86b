import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../shared/errors';

/**
 * Things the user must hear about once, shown in service.health() until acknowledged. Today
 * that is a corrupt task database moved aside at open (db/open.ts, db/corrupt.ts): the service
 * runs on with a fresh, empty database, so nothing fails, and without this the user would just
 * see their tasks gone. (It once was silent: the open report was logged and dropped.)
 *
 * The moved-aside files themselves are the record, so a notice survives crashes and restarts
 * until the user acknowledges it; the acknowledged names are kept in `<db>.notices.json`. A
 * notice also goes away if the user deletes the file.
 */

/** One notice in service.health(). */
export interface ServiceNotice {
  code: ErrorCode;
  message: string;
  /** When it happened (ms since the epoch). */
  at: number;
  /** The file it is about (for DB_CORRUPT: where the unusable database now is). */
  path: string;
}

/** `<db>.corrupt-<ISO time with - for : and .>[-n]`, as moveAside names the main file. */
const MOVED_ASIDE = /\.corrupt-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-\d+)?$/;

export class Notices {
  private readonly ackFile: string | null;
  private acknowledged = new Set<string>();
  private current: ServiceNotice[] = [];

  constructor(private readonly dbPath: string) {
    this.ackFile = dbPath === ':memory:' ? null : `${dbPath}.notices.json`;
    this.acknowledged = this.readAcknowledged();
    this.current = this.scan();
  }

  list(): ServiceNotice[] {
    return this.current.map((n) => ({ ...n }));
  }

  /** Hides every notice with this code, for good; returns how many it hid. */
  acknowledge(code: ErrorCode): number {
    const hidden = this.current.filter((n) => n.code === code);
    if (hidden.length === 0) return 0;
    for (const n of hidden) this.acknowledged.add(path.basename(n.path));
    this.writeAcknowledged();
    this.current = this.current.filter((n) => n.code !== code);
    return hidden.length;
  }

  private scan(): ServiceNotice[] {
    if (this.ackFile === null) return [];
    const dir = path.dirname(this.dbPath);
    const prefix = `${path.basename(this.dbPath)}.corrupt-`;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const notices: ServiceNotice[] = [];
    for (const name of names) {
      const m = name.startsWith(prefix) ? MOVED_ASIDE.exec(name) : null;
      if (!m || this.acknowledged.has(name)) continue;
      const file = path.join(dir, name);
      notices.push({
        code: 'DB_CORRUPT',
        at: Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`),
        path: file,
        message: `The task database was unusable, so it was moved aside to ${file} and a new, empty one was started. Tasks in the old file are not lost and can be inspected there. Acknowledge this notice once you have seen it.`,
      });
    }
    return notices.sort((a, b) => a.at - b.at);
  }

  private readAcknowledged(): Set<string> {
    if (this.ackFile === null) return new Set();
    try {
      const parsed = JSON.parse(readFileSync(this.ackFile, 'utf8')) as { acknowledged?: unknown };
      return new Set(Array.isArray(parsed.acknowledged) ? parsed.acknowledged.filter((n): n is string => typeof n === 'string') : []);
    } catch {
      // Absent or unreadable: at worst a notice shows again, which is the safe side.
      return new Set();
    }
  }

  private writeAcknowledged(): void {
    if (this.ackFile === null) return;
    // Write-then-rename, so a crash mid-write cannot leave a half file that shows notices again.
    const tmp = `${this.ackFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ acknowledged: [...this.acknowledged] }));
    renameSync(tmp, this.ackFile);
  }
}
