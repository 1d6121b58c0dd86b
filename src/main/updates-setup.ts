import fs from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import { electronLog } from './log-setup';
import type { AppLogger } from './logging';
import { UpdateController, type UpdaterLike } from './updater';

/**
 * electron-updater wired into the UpdateController (updater.ts). electron-updater is imported
 * only when the setting is on, so a default install never loads it. Its feed is the
 * app-update.yml electron-builder writes beside app.asar when the build has a `publish`
 * provider (README "Updates").
 */
export function startUpdates(logger: AppLogger, enabled: boolean): UpdateController {
  const controller = new UpdateController({
    loadUpdater: async () => {
      const mod = await import('electron-updater');
      // A CommonJS module: its exports may arrive on `default` under ESM interop.
      const updater = mod.default?.autoUpdater ?? mod.autoUpdater;
      updater.logger = electronLog;
      return updater as UpdaterLike;
    },
    unavailable: () => {
      if (!app.isPackaged) return 'not an installed build';
      if (!fs.existsSync(path.join(process.resourcesPath, 'app-update.yml'))) return 'this build has no update feed (built without PLAYLISTIFY_UPDATE_URL)';
      return null;
    },
    log: (level, text) => logger.log(level, 'updates', text),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  });
  controller.setEnabled(enabled);
  return controller;
}
