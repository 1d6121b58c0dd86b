import { toServiceError, type ErrorCode } from '../shared/errors';
import { getParentPort, type ParentMessage } from './parent-port';
import { serveOnPort, type PortServer } from './rpc/adapter';
import { serviceErrorOf } from './rpc/errors';
import { createAppRouter } from './rpc/router';
import { createTaskService, type TaskService } from './service';
import { openTaskStore } from './store/open-store';
import { createAppTasks, DownloadRoots, rootsFromEnv } from './tasks';
import { grantFolderMessage } from './tasks/download/roots';
import { DEFAULT_CONCURRENCY, configMessage, networkMessage, type ConfigMessage } from '../shared/host-protocol';
import { parseWith } from '../shared/validate';
import { loadTaskModules } from './entry/load-tasks';
import { log, recentLogLines } from './entry/log';

/**
 * The utility-process entry (Electron `utilityProcess.fork`, or the Node host under plain
 * Node). Protocol with the host (src/shared/host-protocol.ts): `config` first, then one
 * `connect` per client with its port in `ports[0]`; `shutdown` or SIGTERM drains and exits.
 * Clients that connect before the database is ready wait; they are served once it is.
 */

/** Codes that mean the service failed a call, as opposed to refusing a bad or stale request. */
const SERVICE_FAULTS: ReadonlySet<ErrorCode> = new Set(['INTERNAL', 'DB_UNAVAILABLE', 'DB_CORRUPT', 'DISK_FULL', 'INTEGRITY']);

const parent = getParentPort();
const servers = new Set<PortServer>();
let service: TaskService | null = null;
let router: ReturnType<typeof createAppRouter> | null = null;
const waiting: ParentMessage[] = [];
let clients = 0;
let stopping = false;
/** The folders tasks may write into: the host's downloadsDir first, then granted folders. */
let roots: DownloadRoots | null = null;
/** The host's last connectivity report; one that arrives while booting applies at start. */
let online: boolean | undefined;

async function boot(config: ConfigMessage): Promise<void> {
  const extra = await loadTaskModules(config.taskModules ?? []);
  roots = new DownloadRoots([...(config.downloadsDir ? [config.downloadsDir] : rootsFromEnv().list()), ...(config.downloadsRoots ?? [])]);
  const { tasks: appTasks, ytdlp } = createAppTasks(roots, config.downloadLimits, config.ytdlp ?? {});
  void ytdlp.probe(); // its version shows in service.health once known
  const s = createTaskService({
    dbPath: config.dbPath,
    tasks: [...appTasks, ...extra],
    downloadsRoots: () => roots?.list() ?? [],
    ytdlpHealth: () => ytdlp.lastHealth(),
    concurrency: config.concurrency ?? DEFAULT_CONCURRENCY,
    ...(config.synchronous ? { synchronous: config.synchronous } : {}),
    ...(config.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: config.shutdownTimeoutMs } : {}),
    ...(config.staleMs !== undefined ? { ownership: { staleMs: config.staleMs, heartbeatMs: Math.max(50, Math.floor(config.staleMs / 4)) } } : {}),
    ...(config.maxRecoveries !== undefined ? { recovery: { maxRecoveries: config.maxRecoveries } } : {}),
    onLog: (taskId, message) => log('info', message, { taskId }),
    online: online ?? config.online ?? true,
    openStore: (file, o) => {
      const opened = openTaskStore(file, { ...o, ...(config.nativeBinding ? { nativeBinding: config.nativeBinding } : {}) });
      if (opened.movedAside) log('warn', 'database was unreadable and was moved aside', { ...opened.movedAside });
      if (opened.migration.applied.length > 0) log('info', 'migrated', { ...opened.migration });
      // Only that boot's row goes (never a live stranger's): the host watched its process die.
      if (config.takeoverBootId) opened.store.owner.release(config.takeoverBootId);
      return opened.store;
    },
  });
  await s.start();
  service = s;
  router = createAppRouter(s, { recentLogLines });
  log('info', 'ready', { bootId: s.bootId, dbPath: config.dbPath, types: [...appTasks, ...extra].map((d) => d.type) });
  parent.postMessage({ type: 'ready', bootId: s.bootId });
  for (const m of waiting.splice(0)) connect(m);
}

function connect({ ports }: ParentMessage): void {
  const port = ports[0];
  if (!port) return;
  if (!router) {
    waiting.push({ data: null, ports });
    return;
  }
  const clientId = `client-${++clients}`;
  const server = serveOnPort({
    router,
    port,
    createContext: () => ({ clientId }),
    onError: ({ error, path }) => {
      // A ServiceError thrown by a procedure reaches here as INTERNAL_SERVER_ERROR whatever its
      // code; only the service's own faults are errors worth a log line, not a client's NOT_FOUND.
      const { code } = serviceErrorOf(error);
      if (SERVICE_FAULTS.has(code)) log('error', 'procedure failed', { clientId, path, code, message: error.message });
    },
  });
  servers.add(server);
  port.onClose(() => {
    server.close();
    servers.delete(server);
  });
}

async function shutdown(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('info', 'shutting down', { why });
  for (const server of servers) server.close();
  try {
    await service?.stop();
  } catch (e) {
    log('error', 'shutdown failed', { message: toServiceError(e).message });
  }
  parent.postMessage({ type: 'drained' });
  await parent.flush();
  process.exit(0);
}

async function fail(e: unknown): Promise<void> {
  const err = toServiceError(e);
  log('error', 'startup failed', { code: err.code, message: err.message });
  parent.postMessage({ type: 'fatal', error: { code: err.code, message: err.message } });
  await parent.flush();
  process.exit(1);
}

parent.onMessage((message) => {
  const type = (message.data as { type?: unknown } | null)?.type;
  if (type === 'config') {
    if (service || stopping) return;
    let config: ConfigMessage;
    try {
      config = parseWith(configMessage, message.data, 'service config');
    } catch (e) {
      void fail(e);
      return;
    }
    boot(config).catch(fail);
  } else if (type === 'connect') {
    connect(message);
  } else if (type === 'grant-folder') {
    const r = roots ? grantFolderMessage(roots, message.data) : { ok: false as const, message: 'grant-folder before config' };
    log(r.ok ? 'info' : 'warn', r.ok ? 'downloads folder granted' : 'downloads folder refused', r.ok ? { dir: r.dir } : { message: r.message });
  } else if (type === 'shutdown') {
    void shutdown('requested');
  } else if (type === 'network') {
    const r = networkMessage.safeParse(message.data);
    if (!r.success) return; // hosts are trusted; a malformed report is ignored, not fatal
    online = r.data.online;
    log('info', online ? 'host reports online' : 'host reports offline', {});
    service?.setNetwork(online);
  }
});
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// The Node host went away: nobody can reach us; drain so running tasks stay resumable.
parent.onDisconnect(() => void shutdown('parent gone'));
