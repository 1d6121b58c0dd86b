import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogRing, MAX_LINE, createAppLogger, lineSplitter, pipeServiceLog, rotateLogFiles, serviceLogEntry, type Level } from '../src/main/logging';
import { tmpDir } from './support/tmp';

/** Main's log: the service's stderr joins it line by line, the last 200 lines stay for diagnostics, files rotate. */

function memorySink() {
  const written: Array<{ level: Level; scope: string; text: string }> = [];
  return { written, sink: { write: (level: Level, scope: string, text: string) => void written.push({ level, scope, text }) } };
}

describe('main log', () => {
  it('pipes a real child process stderr into the log, one entry per line, with the service level', async () => {
    const { written, sink } = memorySink();
    const logger = createAppLogger(sink);
    // A child that writes like the service: JSON lines, split across writes, then a raw crash line.
    const script = [
      `process.stderr.write(JSON.stringify({t:'x',level:'info',pid:1,msg:'ready',bootId:'b1'}) + '\\n' + '{"level":"er');`,
      `setTimeout(() => process.stderr.write('ror","msg":"procedure failed","code":"INTERNAL"}\\nSegmentation fault'), 20);`,
    ].join('\n');
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    pipeServiceLog(child.stderr, logger);
    await new Promise((r) => child.on('close', r));
    expect(written).toEqual([
      { level: 'info', scope: 'service', text: 'ready {"pid":1,"bootId":"b1"}' },
      { level: 'error', scope: 'service', text: 'procedure failed {"code":"INTERNAL"}' },
      { level: 'warn', scope: 'service', text: 'Segmentation fault' },
    ]);
    expect(logger.recent()).toHaveLength(3);
    expect(logger.recent()[1]).toMatch(/\[error\] \(service\) procedure failed/);
  });

  it('keeps the last 200 lines of main and service together, oldest dropped first', () => {
    const logger = createAppLogger(memorySink().sink, new LogRing(200));
    for (let i = 0; i < 250; i++) logger.info(`line ${i}`);
    const recent = logger.recent();
    expect(recent).toHaveLength(200);
    expect(recent[0]).toMatch(/line 50$/);
    expect(recent.at(-1)).toMatch(/line 249$/);
  });

  it('treats lines that are not the service JSON shape as warnings, verbatim', () => {
    expect(serviceLogEntry('{"level":"loud","msg":"x"}')).toEqual({ level: 'warn', text: '{"level":"loud","msg":"x"}' });
    expect(serviceLogEntry('[1,2]')).toEqual({ level: 'warn', text: '[1,2]' });
    expect(serviceLogEntry('{"level":"debug","msg":"d"}')).toEqual({ level: 'debug', text: 'd' });
  });

  it('cuts a runaway line instead of buffering it forever', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split.push('x'.repeat(MAX_LINE + 10));
    split.push('tail\r\nnext');
    split.end();
    expect(lines.map((l) => l.length)).toEqual([MAX_LINE + 1, 4, 4]);
    expect(lines.slice(1)).toEqual(['tail', 'next']);
  });

  it('rotates main.log into numbered archives and drops the oldest beyond the limit', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'main.log');
    for (let gen = 1; gen <= 5; gen++) {
      fs.writeFileSync(file, `gen ${gen}`);
      rotateLogFiles(file, 3);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.3.log']);
    expect(fs.readFileSync(path.join(dir, 'main.1.log'), 'utf8')).toBe('gen 5');
    expect(fs.readFileSync(path.join(dir, 'main.3.log'), 'utf8')).toBe('gen 3');
  });
});
