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
  const [cmd, ...args] = [...wrap, process.execPath, cli, 'test', `--project=${project}`, ...extra];
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

const NATIVE = path.resolve('native', 'electron', 'better_sqlite3.node');

/** The electron project, with what it needs first: the Electron-ABI sqlite build and a display. */
function electron(): number {
  if (electronBinary() === null) {
    console.log(ELECTRON_MISSING);
    return 0;
  }
  if (!fs.existsSync(NATIVE) && spawnSync(process.execPath, ['scripts/build-electron-sqlite.mjs'], { stdio: 'inherit' }).status !== 0) {
    console.error('e2e: the electron project needs native/electron/better_sqlite3.node (npm run build:electron-sqlite)');
    return 1;
  }
  const headless = process.platform === 'linux' && !process.env.DISPLAY;
  if (headless && !onPath('xvfb-run')) {
    console.error('e2e: the electron project needs a display; install xvfb (apt-get install xvfb xauth) or set DISPLAY');
    return 1;
  }
  return playwright('electron', headless ? ['xvfb-run', '-a'] : []);
}

const web = onlyElectron ? 0 : playwright('web');
const desktop = onlyWeb ? 0 : electron();
process.exit(web || desktop);
