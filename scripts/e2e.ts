// `npm run test:e2e`: the Playwright specs on both hosts. The `web` project always runs; the
// `electron` project runs where the Electron binary is installed (under xvfb-run when there is
// no display), and otherwise prints one line and runs nothing.
// Flags: --web / --electron to run one project only; anything else goes to `playwright test`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ELECTRON_MISSING, electronBinary } from '../e2e/electron-binary';

const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('@playwright/test/package.json')), 'cli.js');
const own = new Set(['--web', '--electron']);
const extra = process.argv.slice(2).filter((a) => !own.has(a));
const onlyWeb = process.argv.includes('--web');
const onlyElectron = process.argv.includes('--electron');

function playwright(project: string, wrap: string[] = []): number {
  const [cmd, ...pre] = wrap.length > 0 ? wrap : [process.execPath];
  const args = [...pre, ...(wrap.length > 0 ? [process.execPath] : []), cli, 'test', `--project=${project}`, ...extra];
  const r = spawnSync(cmd!, args, { stdio: 'inherit' });
  if (r.error) {
    console.error(`e2e: could not run ${cmd}: ${r.error.message}`);
    return 1;
  }
  return r.status ?? 1;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, name)));
}

let status = 0;
if (!onlyElectron) status = playwright('web');
if (!onlyWeb) {
  if (electronBinary() === null) console.log(ELECTRON_MISSING);
  else {
    const headless = process.platform === 'linux' && !process.env.DISPLAY;
    if (headless && !onPath('xvfb-run')) {
      console.error('e2e: the electron project needs a display; install xvfb (apt-get install xvfb xauth) or set DISPLAY');
      status ||= 1;
    } else {
      const code = playwright('electron', headless ? ['xvfb-run', '-a'] : []);
      status ||= code;
    }
  }
}
process.exit(status);
