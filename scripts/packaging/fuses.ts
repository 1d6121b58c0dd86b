import path from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses, type FuseV1Config } from '@electron/fuses';

/**
 * Electron fuses flipped in the packaged binary (after packing, before signing, so the
 * signature covers them). Each closes a way to run code other than our app:
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the app into a plain Node interpreter;
 * - NodeOptions off: NODE_OPTIONS cannot --require code into it;
 * - NodeCliInspect off: --inspect cannot attach a debugger to main;
 * - embedded asar integrity on: a tampered app.asar is refused (Electron validates it on macOS
 *   and Windows, where electron-builder embeds the hash);
 * - OnlyLoadAppFromAsar on: no loose app folder is loaded instead of app.asar;
 * - GrantFileProtocolExtraPrivileges off: file:// pages lose their extra powers (we serve the
 *   page from app://, see src/main/app-protocol.ts).
 * Cookie encryption is on as well; fuses this @electron/fuses version does not know stay as
 * Electron ships them.
 */
export const FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const satisfies FuseV1Config;

/** What electron-builder's afterPack context tells us about the packed app. */
export interface PackedApp {
  platform: string;
  arch: string;
  appOutDir: string;
  productFilename: string;
  /** The Linux executable's file name. */
  executableName: string;
}

/** The file @electron/fuses edits: the .app bundle on macOS, the executable elsewhere. */
export function electronExecutable(app: PackedApp): string {
  if (app.platform === 'darwin' || app.platform === 'mas') return path.join(app.appOutDir, `${app.productFilename}.app`);
  if (app.platform === 'win32') return path.join(app.appOutDir, `${app.productFilename}.exe`);
  return path.join(app.appOutDir, app.executableName);
}

/** Flips FUSES in the packed app. An arm64 macOS binary needs its ad-hoc signature redone. */
export async function fuseApp(app: PackedApp): Promise<string> {
  const exe = electronExecutable(app);
  await flipFuses(exe, { ...FUSES, resetAdHocDarwinSignature: app.platform === 'darwin' && app.arch === 'arm64' });
  return exe;
}
