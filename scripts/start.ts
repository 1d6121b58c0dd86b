// `npm start`: the Electron app. Fetches the Electron binary if it is missing (electron's own
// installer), builds better-sqlite3 for Electron's ABI if missing, then runs electron-vite
// preview (build + launch). Where Electron cannot be installed it says so and names the
// browser dev host instead of failing obscurely. `--dev` (npm run dev) runs electron-vite dev
// instead: the renderer's dev server, hot reload and DevTools (src/main/dev-mode.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureElectron } from './ensure-electron';

const require = createRequire(import.meta.url);
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

const electron = ensureElectron();
if (!electron.ok) {
  console.error(`start: the Electron binary could not be installed here (${electron.reason}). Run \`npm run start:web\` for the browser dev host.`);
  process.exit(1);
}
if (!fs.existsSync(path.resolve('native', 'electron', 'better_sqlite3.node'))) {
  if (run(process.execPath, ['scripts/build-electron-sqlite.mjs']) !== 0) process.exit(1);
}
const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const args = process.argv.slice(2);
const dev = args.includes('--dev');
process.exit(run(process.execPath, [cli, dev ? 'dev' : 'preview', ...args.filter((a) => a !== '--dev')]));
