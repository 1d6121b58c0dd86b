import path from 'node:path';
import log from 'electron-log/main';
import { createAppLogger, rotateLogFiles, type AppLogger, type Level } from './logging';

/**
 * electron-log as main's sink: a file in the logs folder (main.log, rotated at 5 MB into
 * main.1.log..main.3.log) and the console. electron-log over a hand-rolled writer: it is the
 * library Electron apps use for this, it handles the platform's logs folder, sync writes on
 * exit and rotation hooks, and electron-updater logs through it. Everything testable is in
 * logging.ts.
 */

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_ARCHIVES = 3;

export function setupLog(logsFolder: string): AppLogger {
  log.transports.file.resolvePathFn = () => path.join(logsFolder, 'main.log');
  log.transports.file.maxSize = LOG_MAX_BYTES;
  log.transports.file.archiveLogFn = (file) => rotateLogFiles(file.path, LOG_ARCHIVES);
  const scopes = new Map<string, ReturnType<typeof log.scope>>();
  const scoped = (scope: string) => {
    let s = scopes.get(scope);
    if (!s) scopes.set(scope, (s = log.scope(scope)));
    return s;
  };
  return createAppLogger({ write: (level: Level, scope: string, text: string) => scoped(scope)[level](text) });
}

/** For electron-updater's own messages. */
export const electronLog = log;
