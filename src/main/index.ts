import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, MessageChannelMain, Notification, app, dialog, ipcMain, net, powerMonitor, shell, utilityProcess } from 'electron';
import type { MessagePortMain, WebContents } from 'electron';
import servicePath from '../task-service/main?modulePath';
// Emitted as its own chunk; the service's worker threads start from it (engine/worker/worker-path.ts).
import workerEntryPath from '../task-service/engine/worker/worker-entry?modulePath';
import { IPC, type HostDiagnostics, type ServiceStatus } from '../shared/ipc';
import type { Task } from '../shared/task';
import { SERVICE_ENV, databasePath, findNativeBinding, nativeBindingCandidates, userDataOverride } from './app-config';
import { APP_ORIGIN, isTrustedSender, type IpcSenderLike } from './app-protocol';
import { developmentMode } from './dev-mode';
import { setupLog } from './log-setup';
import { pipeServiceLog } from './logging';
import { startNetworkMonitor } from './network-monitor';
import { appMenuTemplate } from './menu';
import { GrantedFolders, chooseDownloadsFolder, downloadsDirFlags } from './downloads-folders';
import { PortBroker } from './port-broker';
import { loadSettings, saveSettings, settingsPath } from './settings';
import { createServiceClient } from '../shared/client';
import { fromElectronPort } from '../shared/port/adapters';
import { DesktopIntegration, followService } from './desktop-integration';
import { runFileAction } from './file-actions';
import { Supervisor, describeExit, type ServiceChild, type SupervisorState } from './supervisor';
import { startUpdates } from './updates-setup';
import { createWindow, guardAllContents, lockDownSession, pageOriginOf, registerAppScheme, rendererDir } from './window';

/**
 * Electron main, kept thin: it wires Electron's functions into the Electron-free supervisor,
 * port broker, guards and log, creates the hardened window, and quits gracefully. All
 * decisions worth testing live in those modules.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
// import.meta.env.DEV is a build-time constant: false in every production bundle (dev-mode.ts).
const mode = developmentMode(import.meta.env.DEV, process.env, APP_ORIGIN);

const userDataDir = userDataOverride(process.argv, process.env);
if (userDataDir) {
  app.setPath('userData', userDataDir); // before the lock: the lock is per folder
  app.setAppLogsPath(path.join(userDataDir, 'logs'));
} else {
  app.setAppLogsPath(); // the platform's default (userData/logs, ~/Library/Logs/<name> on macOS)
}
const logger = setupLog(app.getPath('logs'));
registerAppScheme();
guardAllContents((what, detail) => logger.warn(`refused ${what}: ${detail}`));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  logger.info(`Playlistify ${app.getVersion()} starting (Electron ${process.versions.electron}, ${mode.dev ? 'development' : 'production'})`);
  const userData = app.getPath('userData');
  fs.mkdirSync(userData, { recursive: true });
  const binding = findNativeBinding(nativeBindingCandidates(app.getAppPath(), process.resourcesPath), fs.existsSync);
  if (!binding.ok) {
    logger.error(binding.message);
    dialog.showErrorBox('Playlistify cannot start', binding.message);
    app.exit(1);
    return;
  }

  lockDownSession(rendererDir(here), pageOriginOf(mode), (what, detail) => logger.warn(`refused ${what}: ${detail}`));
  const broker = new PortBroker<WebContents, MessagePortMain>({
    createChannel: () => new MessageChannelMain(),
    sendToWindow: (wc, port) => wc.postMessage(IPC.servicePort, null, [port]),
    windowId: (wc) => wc.id,
    closePort: (port) => port.close(),
  });
  // Folders granted by --downloads-dir or chooseDownloadsFolder (downloads-folders.ts), sent at every fork.
  const granted = new GrantedFolders(path.join(userData, 'granted-folders.json'));
  const supervisor = new Supervisor({
    fork: ({ takeoverBootId }) => forkService(userData, binding.path, takeoverBootId, [...downloadsDirFlags(process.argv), ...granted.list()]),
  });
  supervisor.onReady((child) => broker.attach(child));
  // Downloads wait in queued while offline (issue 10 #13); each new service life hears the state.
  const network = startNetworkMonitor({
    isOnline: () => net.isOnline(),
    send: (online) => supervisor.service?.postMessage({ type: 'network', online }),
    signals: [(check) => (powerMonitor.on('resume', check), () => powerMonitor.off('resume', check))],
    setInterval: (fn, ms) => setInterval(fn, ms).unref(),
    clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  });
  supervisor.onReady((child) => child.postMessage({ type: 'network', online: network.online() }));
  app.once('will-quit', () => network.stop());
  supervisor.onState((s) => {
    if (s.kind !== 'running') broker.detach();
    if (s.kind === 'crashed' || s.kind === 'gave-up') logger.error(`service: ${s.kind === 'gave-up' ? s.message : describeExit(s.reason)}`);
    const status = toStatus(s);
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(IPC.serviceState, status);
  });

  const trusted = (event: IpcSenderLike<{ url: string }> & { sender: { id: number } }, what: string): boolean => {
    if (isTrustedSender(event, mode.pageOrigins)) return true;
    logger.warn(`refused ${what} to webContents ${event.sender.id} (${event.senderFrame?.url ?? 'no frame'})`);
    return false;
  };
  ipcMain.on(IPC.requestPort, (event) => {
    // Only the top frame of a window we created, showing our page; anything else gets nothing.
    if (!trusted(event, 'a service port')) return;
    if (broker.connectWindow(event.sender) === 'refused') logger.warn(`Refused a service port to webContents ${event.sender.id}`);
    event.sender.send(IPC.serviceState, toStatus(supervisor.state));
  });
  const logsFolder = app.getPath('logs');
  ipcMain.handle(IPC.diagnostics, (event): HostDiagnostics | null => {
    if (!trusted(event, 'diagnostics')) return null;
    return {
      host: 'electron',
      appVersion: app.getVersion(),
      versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node },
      platform: `${process.platform} ${process.arch}`,
      logsFolder,
      logLines: logger.recent(),
    };
  });
  const openLogs = () => void shell.openPath(logsFolder).then((err) => err && logger.warn(`cannot open ${logsFolder}: ${err}`));
  ipcMain.handle(IPC.openLogsFolder, (event) => {
    if (trusted(event, 'open logs folder')) openLogs();
  });

  const settingsFile = settingsPath(userData);
  const loaded = loadSettings(settingsFile);
  if (loaded.problem) logger.warn(loaded.problem);
  let settings = loaded.settings;
  const updates = startUpdates(logger, settings.updates.enabled);
  const setMenu = () =>
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate({
          platform: process.platform,
          dev: mode.dev,
          appName: app.getName(),
          updatesEnabled: settings.updates.enabled,
          openLogsFolder: openLogs,
          setUpdatesEnabled: (enabled) => {
            settings = { ...settings, updates: { enabled } };
            saveSettings(settingsFile, settings);
            updates.setEnabled(enabled);
            setMenu();
          },
        }),
      ),
    );
  setMenu();

  // A folder the user picks is granted to the service at once (and remembered for later forks).
  const chooseFolder = (owner: BrowserWindow) =>
    chooseDownloadsFolder((o) => dialog.showOpenDialog(owner, o), granted, (m) => supervisor.service?.postMessage(m), path.join(app.getPath('downloads'), 'Playlistify'));
  wireDesktop(broker, trusted, chooseFolder);

  // For e2e only (Playwright's electronApp.evaluate runs here, in main): which pid to kill.
  (globalThis as { __playlistify?: unknown }).__playlistify = { servicePid: () => supervisor.service?.pid };
  supervisor.start();
  createWindow(mode, path.join(here, '../preload/index.cjs'), broker);
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());

  let drained = false;
  app.on('before-quit', (event) => {
    if (drained) return;
    event.preventDefault();
    drained = true; // once: a second quit request while draining just waits for this one
    void supervisor.stop().finally(() => {
      logger.info('quit');
      app.quit();
    });
  });
}

/**
 * Main's own service client (the broker's main port, again after each restart) feeds the
 * desktop integration and answers the page's file actions by task id.
 */
function wireDesktop(
  broker: PortBroker<WebContents, MessagePortMain>,
  trusted: (event: Electron.IpcMainInvokeEvent, what: string) => boolean,
  chooseFolder: (owner: BrowserWindow) => Promise<string | null>,
): void {
  const client = createServiceClient();
  broker.onMainPort((port) => client.setPort(fromElectronPort(port)));
  const trpc = client.trpc;
  const win = () => BrowserWindow.getAllWindows()[0];
  const desktop = new DesktopIntegration({
    notify: (title, body) => Notification.isSupported() && new Notification({ title, body }).show(),
    setProgressBar: (value) => win()?.setProgressBar(value),
    setBadgeCount: (count) => app.setBadgeCount(count),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  });
  followService(
    {
      list: async (cursor) => (await trpc.tasks.list.query(cursor === undefined ? { limit: 2_000 } : { limit: 2_000, cursor })) as Awaited<ReturnType<Parameters<typeof followService>[0]['list']>>,
      watch(onChange, onLive) {
        const sub = trpc.tasks.watch.subscribe({}, {
          onStarted: onLive,
          onData: (v) => v.data.kind !== 'sync' && onChange(v.data as Parameters<typeof onChange>[0]),
          onConnectionStateChange: (s) => s.state === 'pending' && onLive(),
        });
        return () => sub.unsubscribe();
      },
    },
    desktop,
  );
  ipcMain.handle(IPC.fileAction, (event, action: unknown, id: unknown) =>
    trusted(event, 'a file action')
      ? runFileAction({ getTask: async (tid) => (await trpc.tasks.get.query({ id: tid })) as Task, showItemInFolder: shell.showItemInFolder, openPath: shell.openPath, exists: fs.existsSync }, action, id)
      : { ok: false, message: 'Refused.' },
  );
  ipcMain.handle(IPC.pickFolder, (event) => {
    const owner = BrowserWindow.fromWebContents(event.sender);
    if (!trusted(event, 'the folder picker') || !owner) return null;
    return chooseFolder(owner);
  });
}

function forkService(userData: string, nativeBinding: string, takeoverBootId: string | null, downloadsRoots: string[]): ServiceChild {
  const child = utilityProcess.fork(servicePath, [], {
    serviceName: 'Playlistify task service',
    // Piped, not inherited: a packaged app has no terminal, so its lines go to the log file.
    stdio: 'pipe',
    env: {
      ...process.env,
      [SERVICE_ENV.dbPath]: databasePath(userData),
      [SERVICE_ENV.nativeBinding]: nativeBinding,
      [SERVICE_ENV.downloadsDir]: path.join(app.getPath('downloads'), 'Playlistify'),
      [SERVICE_ENV.workerEntry]: workerEntryPath,
    },
  });
  if (child.stderr) pipeServiceLog(child.stderr, logger);
  if (child.stdout) pipeServiceLog(child.stdout, logger);
  // The same first message the Node host sends; env carries it too for early startup code.
  child.postMessage({
    type: 'config',
    dbPath: databasePath(userData),
    nativeBinding,
    downloadsDir: path.join(app.getPath('downloads'), 'Playlistify'),
    downloadsRoots,
    ...(takeoverBootId ? { takeoverBootId } : {}),
  });
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (message, transfer) => child.postMessage(message, transfer as MessagePortMain[] | undefined),
    on: (event: 'exit' | 'message', listener: (value: never) => void) => child.on(event as 'exit', listener as (code: number) => void),
    kill: () => child.kill(),
  } as ServiceChild;
}

function toStatus(s: SupervisorState): ServiceStatus {
  switch (s.kind) {
    case 'running':
      return { kind: 'running', message: null };
    case 'starting':
      return { kind: 'starting', message: null };
    case 'crashed':
      return { kind: 'restarting', message: `The task service ${describeExit(s.reason)}` };
    case 'restarting':
      return { kind: 'restarting', message: `The task service ${describeExit(s.reason)}; restarting in ${Math.ceil(s.delayMs / 1000)} s` };
    case 'gave-up':
      return { kind: 'gave-up', message: s.message };
    case 'stopping':
    case 'stopped':
      return { kind: 'stopped', message: null };
  }
}
