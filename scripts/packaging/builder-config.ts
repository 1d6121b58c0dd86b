import { Arch, type AfterPackContext, type Configuration } from 'electron-builder';
import { NATIVE_BINDING_REL } from '../../src/main/app-config';
import { fuseApp } from './fuses';

/**
 * electron-builder's configuration (used by scripts/dist.ts). electron-builder over Forge: one
 * declarative config makes all four installers (AppImage, deb, NSIS, dmg) with signing and
 * electron-updater's feed file built in; Forge would need a maker plugin per target and
 * its own publisher for the same feed.
 *
 * - The app (out/main, out/preload, out/renderer and the production node_modules) goes into app.asar.
 * - better-sqlite3's Node-ABI build, sources and headers stay out; the Electron-ABI build from
 *   native/electron/ is copied beside the asar, to resources/native/electron/, the first place
 *   nativeBindingCandidates() looks (a .node file cannot be loaded from inside an asar).
 * - No npm rebuild: it would overwrite node_modules/better-sqlite3 with an Electron build,
 *   which the Node tests need as it is.
 * - The fuses are flipped in afterPack (scripts/packaging/fuses.ts).
 * - Updates: a build knows its feed only when PLAYLISTIFY_UPDATE_URL is set (generic provider;
 *   see README "Updates"); without it no app-update.yml is written and the updater stays idle.
 */
export function builderConfig(env: Readonly<Record<string, string | undefined>> = process.env): Configuration {
  const feed = env.PLAYLISTIFY_UPDATE_URL;
  return {
    appId: 'app.playlistify.desktop',
    productName: 'Playlistify',
    executableName: 'playlistify',
    directories: { output: 'dist', buildResources: 'build' },
    // Only the three electron-vite outputs (out/ also holds test bundles and the web renderer).
    files: ['out/main/**/*', 'out/preload/**/*', 'out/renderer/**/*', 'package.json', '!**/*.map', '!node_modules/better-sqlite3/{build,deps,src}/**'],
    asar: true,
    npmRebuild: false,
    nodeGypRebuild: false,
    extraResources: [{ from: NATIVE_BINDING_REL, to: NATIVE_BINDING_REL }],
    afterPack: (ctx) => fuseAfterPack(ctx),
    linux: {
      target: ['AppImage', 'deb'],
      category: 'AudioVideo',
      maintainer: 'Playlistify <playlistify@users.noreply.github.com>',
      synopsis: 'Playlist import and video downloads that survive restarts',
    },
    win: { target: ['nsis'] },
    nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
    mac: { target: ['dmg'], category: 'public.app-category.video', hardenedRuntime: true },
    publish: feed ? [{ provider: 'generic', url: feed }] : null,
  };
}

async function fuseAfterPack(ctx: AfterPackContext): Promise<void> {
  const exe = await fuseApp({
    platform: ctx.electronPlatformName,
    arch: Arch[ctx.arch],
    appOutDir: ctx.appOutDir,
    productFilename: ctx.packager.appInfo.productFilename,
    executableName: (ctx.packager as { executableName?: string }).executableName ?? ctx.packager.appInfo.productFilename,
  });
  console.log(`dist: fuses flipped in ${exe}`);
}
