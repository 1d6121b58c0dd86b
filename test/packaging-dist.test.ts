import fs from 'node:fs';
import path from 'node:path';
import { listPackage } from '@electron/asar';
import { getCurrentFuseWire } from '@electron/fuses';
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants';
import { build } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import { builderConfig } from '../scripts/packaging/builder-config';
import { findNativeBinding, nativeBindingCandidates, NATIVE_BINDING_REL } from '../src/main/app-config';
import { tmpDir } from './support/tmp';
import { expectLockedDownFuses } from './support/fuses';

/**
 * `npm run dist -- --dir` for real, minus the Electron download: electron-builder packs a copy
 * of this project (its package.json and node_modules, stand-in build outputs) with a stand-in
 * Electron distribution (a file carrying Electron's fuse wire). What comes out must be what the
 * app expects at run time: app.asar with the bundles and production dependencies but no
 * Node-ABI sqlite build, the Electron sqlite binding where nativeBindingCandidates looks first,
 * and the fuses flipped by the afterPack hook.
 */

function fakeElectronDist(dir: string): void {
  const wire = Buffer.alloc(9, FuseState.ENABLE);
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), wire]), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT');
  fs.writeFileSync(path.join(dir, 'version'), '45.5.0');
}

function projectCopy(dir: string): void {
  fs.copyFileSync('package.json', path.join(dir, 'package.json'));
  fs.copyFileSync('package-lock.json', path.join(dir, 'package-lock.json'));
  fs.symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  const files: Array<[string, string]> = [
    ['out/main/index.js', 'main'],
    ['out/main/chunks/main-x.js', 'service'],
    ['out/main/index.js.map', '{}'],
    ['out/preload/index.cjs', 'preload'],
    ['out/renderer/index.html', '<!doctype html>'],
    ['out/web-renderer/index.html', 'not packed'],
    [NATIVE_BINDING_REL, 'electron-abi binding'],
  ];
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
}

describe('npm run dist -- --dir', () => {
  // The stand-in Electron has the Linux layout (a macOS one would be an Electron.app bundle).
  it.runIf(process.platform === 'linux')('packs an app whose layout is the one main looks up at run time, with the fuses flipped', async () => {
    const electronDist = tmpDir();
    const project = tmpDir();
    fakeElectronDist(electronDist);
    projectCopy(project);
    const base = builderConfig({});
    const output = path.join(project, 'dist');
    await build({ projectDir: project, config: { ...base, electronDist, directories: { ...base.directories, output } }, dir: true, linux: ['dir'], publish: 'never' });

    const appOut = path.join(output, 'linux-unpacked');
    const resources = path.join(appOut, 'resources');
    const binding = findNativeBinding(nativeBindingCandidates(path.join(resources, 'app.asar'), resources), fs.existsSync);
    expect(binding).toEqual({ ok: true, path: path.join(resources, ...NATIVE_BINDING_REL.split('/')) });
    expect(fs.readFileSync(path.join(resources, NATIVE_BINDING_REL), 'utf8')).toBe('electron-abi binding');

    const inAsar = new Set(listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((f) => f.split(path.sep).join('/')));
    for (const f of ['/package.json', '/out/main/index.js', '/out/main/chunks/main-x.js', '/out/preload/index.cjs', '/out/renderer/index.html']) expect(inAsar, f).toContain(f);
    for (const dep of ['better-sqlite3/lib/index.js', 'zod/package.json', 'p-queue/package.json', '@trpc/server/package.json', 'electron-log/main.js', 'electron-updater/package.json']) {
      expect(inAsar, dep).toContain(`/node_modules/${dep}`);
    }
    const unwanted = [...inAsar].filter((f) => /\.map$|^\/out\/web-renderer|^\/native\/|better-sqlite3\/(build|deps|src)\/|^\/node_modules\/(electron|typescript|vitest|electron-builder)\//.test(f));
    expect(unwanted).toEqual([]);

    const fuses = await getCurrentFuseWire(path.join(appOut, 'playlistify'));
    expectLockedDownFuses(fuses);
  }, 180_000);
});
