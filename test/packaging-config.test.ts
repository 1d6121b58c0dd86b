import fs from 'node:fs';
import path from 'node:path';
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants';
import { getCurrentFuseWire } from '@electron/fuses';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { builderConfig } from '../scripts/packaging/builder-config';
import { electronExecutable, fuseApp } from '../scripts/packaging/fuses';
import { findNativeBinding, nativeBindingCandidates } from '../src/main/app-config';
import { tmpDir } from './support/tmp';
import { expectLockedDownFuses } from './support/fuses';

/**
 * The installer config and the code that runs inside the installed app must agree: the
 * Electron-ABI sqlite binding lands where main looks for it, and the fuses flipped after
 * packing are the ones the security review asked for.
 */

type ExtraResource = { from: string; to: string };

describe('packaging config', () => {
  it('copies the Electron sqlite build to the first place nativeBindingCandidates looks in an installed app', () => {
    const config = builderConfig({});
    const resources = tmpDir();
    const extra = config.extraResources as ExtraResource[];
    // Lay the resources folder out as electron-builder does: each `from` copied to `to`.
    for (const { to } of extra) {
      fs.mkdirSync(path.dirname(path.join(resources, to)), { recursive: true });
      fs.writeFileSync(path.join(resources, to), 'binding');
    }
    const candidates = nativeBindingCandidates(path.join(resources, 'app.asar'), resources);
    expect(findNativeBinding(candidates, fs.existsSync)).toEqual({ ok: true, path: candidates[0] });
    // The source is where scripts/build-electron-sqlite.mjs writes it.
    expect(extra.map((e) => e.from)).toEqual(['native/electron/better_sqlite3.node']);
    expect(fs.readFileSync('scripts/build-electron-sqlite.mjs', 'utf8')).toContain("path.join(root, 'native', 'electron')");
  });

  it('packs the app into an asar without the Node-ABI sqlite build and never rebuilds node_modules', () => {
    const config = builderConfig({});
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(false);
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**/*', 'out/preload/**/*', 'out/renderer/**/*']));
    expect(config.files).toContain('!node_modules/better-sqlite3/{build,deps,src}/**');
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(pkg.main.startsWith('out/')).toBe(true);
    // Loaded at run time from node_modules inside the asar, so they must be production deps.
    for (const dep of ['better-sqlite3', 'electron-log', 'electron-updater']) expect(pkg.dependencies[dep]).toBeDefined();
  });

  it("passes electron-builder's own schema (what `npm run dist` checks before building)", async () => {
    await expect(validateConfiguration(builderConfig({ PLAYLISTIFY_UPDATE_URL: 'https://updates.example/' }), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...builderConfig({}), linux: { targetz: 'deb' } } as never, new DebugLogger(false))).rejects.toThrow(/Invalid configuration/);
  });

  it('builds AppImage + deb, NSIS and dmg, and writes an update feed only when one is configured', () => {
    const config = builderConfig({});
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.publish).toBeNull();
    expect(builderConfig({ PLAYLISTIFY_UPDATE_URL: 'https://updates.example/playlistify' }).publish).toEqual([
      { provider: 'generic', url: 'https://updates.example/playlistify' },
    ]);
  });

  it('flips the fuses in the packed binary: no run-as-node, NODE_OPTIONS or --inspect; asar only, with integrity; no file:// privileges', async () => {
    const appOutDir = tmpDir();
    const app = { platform: 'linux', arch: 'x64', appOutDir, productFilename: 'Playlistify', executableName: 'playlistify' };
    expect(electronExecutable(app)).toBe(path.join(appOutDir, 'playlistify'));
    // A stand-in binary with Electron's fuse wire: every fuse enabled, plus one this
    // @electron/fuses version does not know (it must stay as shipped).
    const wire = Buffer.alloc(9, FuseState.ENABLE);
    fs.writeFileSync(electronExecutable(app), Buffer.concat([Buffer.from('ELF...'), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), wire, Buffer.from('...')]));
    await fuseApp(app);
    const fuses = await getCurrentFuseWire(electronExecutable(app));
    expectLockedDownFuses(fuses);
    expect((fuses as unknown as Record<number, number>)[8]).toBe(FuseState.ENABLE);
  });

  it('names the binary @electron/fuses must edit on each platform', () => {
    const base = { arch: 'x64', appOutDir: '/o', productFilename: 'Playlistify', executableName: 'playlistify' };
    expect(electronExecutable({ ...base, platform: 'win32' })).toBe(path.join('/o', 'Playlistify.exe'));
    expect(electronExecutable({ ...base, platform: 'darwin' })).toBe(path.join('/o', 'Playlistify.app'));
  });
});
