import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, MessageChannelMain, Notification, app, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import type { MessagePortMain, WebContents } from 'electron';
import servicePath from '../task-service/main?modulePath';
// Emitted as its own chunk; the service's worker threads start from it (engine/worker-path.ts).
import workerEntryPath from '../task-service/engine/worker-entry?modulePath';
import { IPC, type ServiceStatus } from '../shared/ipc';
import type { Task } from '../shared/task';
import { SERVICE_ENV, databasePath, findNativeBinding, nativeBindingCandidates, userDataOverride } from './app-config';
import { PortBroker } from './port-broker';
import { createTRPCClient } from '@trpc/client';
import { fromElectronPort } from '../shared/port/adapters';
import { PortConnection } from '../shared/port/connection';
import { portLink } from '../shared/port/link';
import type { AppRouter } from '../task-service/rpc/router';
import { DesktopIntegration, followService } from './desktop-integration';
import { pickFolder, runFileAction } from './file-actions';
import { contentSecurityPolicy } from './security';
import { Supervisor, describeExit, type ServiceChild, type SupervisorState } from './supervisor';

/**
 * Electron main, kept thin: it wires Electron's functions into the Electron-free supervisor
 * and port broker, creates the hardened window, and quits gracefully. All decisions worth
 * testing live in those modules.
 */

const here = path.dirname(fileURLToPath(import.meta.url));

const userDataDir = userDataOverride(process.argv, process.env);
if (userDataDir) app.setPath('userData', userDataDir); // before the lock: the lock is per folder

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  const userData = app.getPath('userData');
  fs.mkdirSync(userData, { recursive: true });
  const binding = findNativeBinding(nativeBindingCandidates(app.getAppPath(), process.resourcesPath), fs.existsSync);
  if (!binding.ok) {
    console.error(binding.message);
    dialog.showErrorBox('Playlistify cannot start', binding.message);
    app.exit(1);
    return;
  }

  lockDownSession();
  const broker = new PortBroker<WebContents, MessagePortMain>({
    createChannel: () => new MessageChannelMain(),
    sendToWindow: (wc, port) => wc.postMessage(IPC.servicePort, null, [port]),
    windowId: (wc) => wc.id,
    closePort: (port) => port.close(),
  });
  const supervisor = new Supervisor({
    fork: ({ takeoverBootId }) => forkService(userData, binding.path, takeoverBootId),
  });
  supervisor.onReady((child) => broker.attach(child));
  supervisor.onState((s) => {
    if (s.kind !== 'running') broker.detach();
    const status = toStatus(s);
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(IPC.serviceState, status);
  });

  ipcMain.on(IPC.requestPort, (event) => {
    // Only the top frame of a window we created; a subframe or a foreign webContents gets nothing.
    if (event.senderFrame !== event.sender.mainFrame) return;
    if (broker.connectWindow(event.sender) === 'refused') console.warn(`Refused a service port to webContents ${event.sender.id}`);
    event.sender.send(IPC.serviceState, toStatus(supervisor.state));
  });

  wireDesktop(broker);

  // For e2e only (Playwright's electronApp.evaluate runs here, in main): which pid to kill.
  (globalThis as { __playlistify?: unknown }).__playlistify = { servicePid: () => supervisor.service?.pid };
  supervisor.start();
  createWindow(broker);
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
    void supervisor.stop().finally(() => app.quit());
  });
}

/**
 * Main's own service client (the broker's main port, again after each restart) feeds the
 * desktop integration and answers the page's file actions by task id.
 */
function wireDesktop(broker: PortBroker<WebContents, MessagePortMain>): void {
  const connection = new PortConnection({ resubscribe: true });
  broker.onMainPort((port) => connection.setPort(fromElectronPort(port)));
  const trpc = createTRPCClient<AppRouter>({ links: [portLink<AppRouter>({ connection })] });
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
      list: async (cursor) => (await trpc.tasks.list.query(cursor === undefined ? { limit: 500 } : { limit: 500, cursor })) as Awaited<ReturnType<Parameters<typeof followService>[0]['list']>>,
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
  const trusted = (event: Electron.IpcMainInvokeEvent) => event.senderFrame === event.sender.mainFrame && broker.isOurs(event.sender.id);
  ipcMain.handle(IPC.fileAction, (event, action: unknown, id: unknown) =>
    trusted(event)
      ? runFileAction({ getTask: async (tid) => (await trpc.tasks.get.query({ id: tid })) as Task, showItemInFolder: shell.showItemInFolder, openPath: shell.openPath, exists: fs.existsSync }, action, id)
      : { ok: false, message: 'Refused.' },
  );
  ipcMain.handle(IPC.pickFolder, (event) => {
    const owner = BrowserWindow.fromWebContents(event.sender);
    if (!trusted(event) || !owner) return null;
    return pickFolder({ showOpenDialog: (o) => dialog.showOpenDialog(owner, o) }, path.join(app.getPath('downloads'), 'Playlistify'));
  });
}

function forkService(userData: string, nativeBinding: string, takeoverBootId: string | null): ServiceChild {
  const child = utilityProcess.fork(servicePath, [], {
    serviceName: 'Playlistify task service',
    stdio: 'inherit',
    env: {
      ...process.env,
      [SERVICE_ENV.dbPath]: databasePath(userData),
      [SERVICE_ENV.nativeBinding]: nativeBinding,
      [SERVICE_ENV.downloadsDir]: app.getPath('downloads'),
      [SERVICE_ENV.workerEntry]: workerEntryPath,
    },
  });
  // The same first message the Node host sends; env carries it too for early startup code.
  child.postMessage({
    type: 'config',
    dbPath: databasePath(userData),
    nativeBinding,
    downloadsDir: app.getPath('downloads'),
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

function createWindow(broker: PortBroker<WebContents, MessagePortMain>): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'Playlistify — Activity Center',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const id = win.webContents.id;
  broker.addWindow(win.webContents);
  win.on('closed', () => broker.removeWindow(id));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-redirect', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  if (!app.isPackaged && process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(path.join(here, '../renderer/index.html'));
  return win;
}

/** CSP on every response, no permission prompts, no webviews: nothing remote gets in. */
function lockDownSession(): void {
  const csp = contentSecurityPolicy();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
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
