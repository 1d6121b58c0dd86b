import { ServiceError, toServiceError, type ErrorCode } from '../shared/errors';
import { getParentPort, type ParentMessage } from './parent-port';
import { serveOnPort, type PortServer } from './rpc/adapter';
import { serviceErrorOf } from './rpc/errors';
import { createAppRouter } from './rpc/router';
import { createTaskService, type TaskService } from './service';
import { openTaskStore } from './store/open-store';
import { appTasks } from './tasks';
import { DEFAULT_CONCURRENCY, serviceConfig, type ServiceConfig } from './entry/config';
import { loadTaskModules } from './entry/load-tasks';
import { log } from './entry/log';

/**
 * The utility-process entry (Electron `utilityProcess.fork`, or the Node host under plain
 * Node). Protocol with the host (see src/main/service-protocol.ts): `config` first, then one
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

async function boot(config: ServiceConfig): Promise<void> {
  const extra = await loadTaskModules(config.taskModules ?? []);
  const s = createTaskService({
    dbPath: config.dbPath,
    tasks: [...appTasks, ...extra],
    concurrency: config.concurrency ?? DEFAULT_CONCURRENCY,
    ...(config.synchronous ? { synchronous: config.synchronous } : {}),
    ...(config.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: config.shutdownTimeoutMs } : {}),
    ...(config.staleMs !== undefined ? { ownership: { staleMs: config.staleMs, heartbeatMs: Math.max(50, Math.floor(config.staleMs / 4)) } } : {}),
    ...(config.maxRecoveries !== undefined ? { recovery: { maxRecoveries: config.maxRecoveries } } : {}),
    onLog: (taskId, message) => log('info', message, { taskId }),
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
  router = createAppRouter(s);
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
    const parsed = serviceConfig.safeParse(message.data);
    if (!parsed.success) void fail(new ServiceError('BAD_INPUT', `Bad service config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`));
    else boot(parsed.data).catch(fail);
  } else if (type === 'connect') {
    connect(message);
  } else if (type === 'shutdown') {
    void shutdown('requested');
  }
});
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// The Node host went away: nobody can reach us; drain so running tasks stay resumable.
parent.onDisconnect(() => void shutdown('parent gone'));
