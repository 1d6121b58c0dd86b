// `npm run dist [-- --dir] [-- --linux|--win|--mac]`: installers with electron-builder.
// Needs the Electron binary (its zip, for every target platform) and the Electron-ABI
// better-sqlite3 build; where Electron cannot be downloaded (like our CI) it says so in one line
// and exits 1, as `npm start` does. Publishing is never done from here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NATIVE_BINDING_REL } from '../src/main/app-config';
import { ensureElectron } from './ensure-electron';
import { builderConfig } from './packaging/builder-config';

const require = createRequire(import.meta.url);
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
const args = process.argv.slice(2);
const platforms = { linux: args.includes('--linux'), win: args.includes('--win'), mac: args.includes('--mac') };
const hostOnly = !platforms.linux && !platforms.win && !platforms.mac;

const electron = ensureElectron();
if (!electron.ok) {
  console.error(`dist: the Electron binary could not be downloaded here (${electron.reason}), so nothing can be packaged; run \`npm run dist\` where Electron releases are reachable.`);
  process.exit(1);
}
if (!fs.existsSync(path.resolve(...NATIVE_BINDING_REL.split('/')))) {
  if (run(process.execPath, ['scripts/build-electron-sqlite.mjs']) !== 0) process.exit(1);
}
const vite = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
if (run(process.execPath, [vite, 'build']) !== 0) process.exit(1);

const { build } = await import('electron-builder');
const electronDir = path.dirname(electron.binary);
const config = builderConfig();
try {
  const files = await build({
    // The host platform packs the Electron already installed (no second download); another
    // platform's zip is fetched by electron-builder.
    config: hostOnly ? { ...config, electronDist: electronDir } : config,
    dir: args.includes('--dir'),
    ...(platforms.linux ? { linux: [] } : {}),
    ...(platforms.win ? { win: [] } : {}),
    ...(platforms.mac ? { mac: [] } : {}),
    publish: 'never',
  });
  for (const f of files) console.log(`dist: ${path.relative(process.cwd(), f)}`);
} catch (e) {
  console.error(`dist: electron-builder failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  process.exit(1);
}
