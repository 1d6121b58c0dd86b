import { spawn } from 'node:child_process';
import { RetryableError } from '../../engine/define';

/**
 * Runs yt-dlp as a child process: an argument array (never a shell, so a URL cannot become a
 * command), a deadline, a cap on stdout, and a kill when the task's signal fires (cancel, pause,
 * shutdown). stderr is handed over line by line (the task log) and its tail kept for the error.
 * The child only reads (-J simulates, no download), so SIGKILL loses nothing and cannot leave
 * it half-exiting while a paused task is already resumed.
 */

export interface RunOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** stdout beyond this kills the child. */
  maxOutputBytes: number;
  env?: NodeJS.ProcessEnv;
  /** Each stderr line, at most `maxLogLines` of them. */
  onStderrLine?: (line: string) => void;
  maxLogLines?: number;
  /** Told the child's pid once it is spawned (tests check it is gone after an abort). */
  onSpawn?: (pid: number) => void;
}

/** What a finished run produced; `code` null means killed by a signal. */
export interface RunResult {
  code: number | null;
  stdout: string;
  /** The last stderr lines (up to 20), for error messages. */
  stderrTail: string[];
}

const TAIL_LINES = 20;
const LINE_CHARS = 1000;

export function runYtDlp(bin: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(opts.signal.reason);
    const child = spawn(bin, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, windowsHide: true });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    const out: Buffer[] = [];
    let outBytes = 0;
    const tail: string[] = [];
    let partial = '';
    let logged = 0;
    const maxLog = opts.maxLogLines ?? 200;
    let failure: unknown = null;
    const stop = (why: unknown): void => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const onAbort = (): void => stop(opts.signal.reason);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => stop(new RetryableError('YTDLP_FAILED', `yt-dlp did not answer within ${Math.round(opts.timeoutMs / 1000)} s; will retry.`)), opts.timeoutMs);
    const line = (text: string): void => {
      const l = text.replace(/\r/g, '').slice(0, LINE_CHARS);
      if (l.trim() === '') return;
      tail.push(l);
      if (tail.length > TAIL_LINES) tail.shift();
      if (logged++ < maxLog) opts.onStderrLine?.(l);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > opts.maxOutputBytes) return stop(new RetryableError('YTDLP_FAILED', `yt-dlp printed more than ${opts.maxOutputBytes} bytes; refused to parse it.`));
      out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      // A line that never ends is cut, so stderr cannot grow memory either.
      if (partial.length > LINE_CHARS * 4) partial = partial.slice(0, LINE_CHARS);
      lines.forEach(line);
    });
    // ENOENT/EACCES when the binary vanished or lost its x bit after it was located.
    child.once('error', (e) => stop(new RetryableError('YTDLP_FAILED', `Could not start yt-dlp (${bin}): ${e.message}.`)));
    child.once('close', (code) => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      if (partial !== '') line(partial);
      if (failure !== null) return reject(failure);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderrTail: tail });
    });
  });
}
