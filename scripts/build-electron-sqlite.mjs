#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into native/electron/better_sqlite3.node.
// It compiles a COPY of the package in a temp folder, so node_modules/better-sqlite3 (the Node
// build the tests use) is never overwritten; Electron main passes the result to the service as
// better-sqlite3's `nativeBinding`. Needs the Electron headers from electronjs.org.
// Usage: node scripts/build-electron-sqlite.mjs   (not part of npm install on purpose)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST_URL = 'https://electronjs.org/headers';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

function fail(message) {
  console.error(`build-electron-sqlite: ${message}`);
  process.exit(1);
}

function reachable(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function findNodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {}
  const npmDir = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return fs.existsSync(npmDir) ? npmDir : null;
}

/**
 * node-gyp's environment for an Electron build. npm exports its config to scripts, and a
 * machine-wide `nodedir` (npm_config_nodedir) would make node-gyp use Node's own headers
 * despite --target: a binary of the wrong ABI. Those settings must not leak in.
 */
function electronBuildEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_config_(nodedir|node_gyp|target|runtime|disturl|dist_url)$/i.test(key)) delete env[key];
  return { ...env, npm_config_runtime: 'electron', npm_config_target: electronVersion, npm_config_disturl: DIST_URL };
}

const electronVersion = JSON.parse(fs.readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const nodeGyp = findNodeGyp();
if (!nodeGyp) fail('node-gyp not found (it ships with npm); install it or use @electron/rebuild.');
const headers = `${DIST_URL}/v${electronVersion}/node-v${electronVersion}-headers.tar.gz`;
if (!(await reachable(headers, 8000))) fail(`cannot reach ${DIST_URL} for Electron ${electronVersion} headers; run this where that host is reachable.`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-electron-sqlite-'));
try {
  fs.cpSync(sqliteDir, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) && !src.endsWith(`${path.sep}build`) });
  execFileSync(
    process.execPath,
    [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, `--dist-url=${DIST_URL}`],
    { cwd: work, stdio: 'inherit', env: electronBuildEnv() },
  );
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(built)) fail(`node-gyp finished but ${built} is missing.`);
  const outDir = path.join(root, 'native', 'electron');
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(built, path.join(outDir, 'better_sqlite3.node'));
  console.log(`build-electron-sqlite: wrote native/electron/better_sqlite3.node for Electron ${electronVersion} (${process.arch}).`);
} catch (e) {
  fail(`node-gyp failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
