import fs from 'node:fs';
import path from 'node:path';

/**
 * Main's log, Electron-free: one writer (electron-log's file transport in the app, anything in
 * tests) plus a ring of the last lines for "Copy diagnostics". The service's stderr (one JSON
 * object per line, see task-service/entry/log.ts) is split into lines and written to the same
 * log under the `service` scope, so a user has one file to send.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** Where lines end up (electron-log's functions in the app). */
export interface LogSink {
  write(level: Level, scope: string, text: string): void;
}

/** The last `capacity` lines, oldest first. */
export class LogRing {
  private readonly lines: string[] = [];
  constructor(readonly capacity = 200) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  snapshot(): string[] {
    return [...this.lines];
  }
}

export interface AppLogger {
  log(level: Level, scope: string, text: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** The last lines written (main's own and the service's), for diagnostics. */
  recent(): string[];
}

export function createAppLogger(sink: LogSink, ring = new LogRing(), now: () => Date = () => new Date()): AppLogger {
  const log = (level: Level, scope: string, text: string): void => {
    ring.push(`${now().toISOString()} [${level}] (${scope}) ${text}`);
    sink.write(level, scope, text);
  };
  return {
    log,
    info: (t) => log('info', 'main', t),
    warn: (t) => log('warn', 'main', t),
    error: (t) => log('error', 'main', t),
    recent: () => ring.snapshot(),
  };
}

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

/**
 * One stderr line of the service as a log entry: its JSON `level` and `msg` (other fields kept
 * as JSON after it); anything else (a crash trace, a native warning) is logged as-is at warn.
 */
export function serviceLogEntry(line: string): { level: Level; text: string } {
  try {
    const obj = JSON.parse(line) as unknown;
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) {
      const { level, msg, t: _t, ...rest } = obj as Record<string, unknown>;
      if (typeof level === 'string' && LEVELS.has(level) && typeof msg === 'string') {
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        return { level: level as Level, text: `${msg}${extra}` };
      }
    }
  } catch {
    // Not one of ours: fall through.
  }
  return { level: 'warn', text: line };
}

/** The longest line kept whole; a runaway line (no newline) is cut rather than buffered forever. */
export const MAX_LINE = 16 * 1024;

/** Splits a byte stream into lines (a chunk may end mid-line); `end()` flushes the rest. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let buffered = '';
  const emit = (line: string) => {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.length > 0) onLine(trimmed);
  };
  return {
    push(chunk) {
      buffered += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) emit(p.length > MAX_LINE ? `${p.slice(0, MAX_LINE)}…` : p);
      if (buffered.length > MAX_LINE) {
        emit(`${buffered.slice(0, MAX_LINE)}…`);
        buffered = '';
      }
    },
    end() {
      emit(buffered);
      buffered = '';
    },
  };
}

/** A readable the service's stderr pipe provides (Node's Readable; utilityProcess's stderr). */
export interface LineSource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** Pipes the service's stderr into the app log, one entry per line. */
export function pipeServiceLog(stderr: LineSource, logger: AppLogger): void {
  const split = lineSplitter((line) => {
    const { level, text } = serviceLogEntry(line);
    logger.log(level, 'service', text);
  });
  stderr.on('data', (chunk) => split.push(chunk));
  stderr.on('end', () => split.end());
}

/**
 * Rotation for the log file: when it is full, `main.log` becomes `main.1.log`, `main.1.log`
 * becomes `main.2.log`, ... and the oldest beyond `keep` is dropped. (electron-log's default
 * keeps a single `.old` file; a bug that started yesterday needs more than that.)
 */
export function rotateLogFiles(file: string, keep: number): void {
  const ext = path.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  const nth = (n: number) => `${stem}.${n}${ext}`;
  fs.rmSync(nth(keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    if (fs.existsSync(nth(n))) fs.renameSync(nth(n), nth(n + 1));
  }
  if (fs.existsSync(file)) fs.renameSync(file, nth(1));
}
