import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { HostToService, ServiceConfig } from '../../shared/host-protocol';
import type { CountedPort } from '../../shared/port/create-port';
import { exitReason, type HostEvent, type HostExit } from './lifecycle';
import { isChildToHost, isPortTraffic, type HostToChild, type PortId } from './protocol';
import { VirtualPortHub } from './virtual-ports';

/**
 * The plain-Node stand-in for Electron main: forks the service entry with IPC, hands out
 * virtual ports (see protocol.ts), and reports the child's exit with a typed reason. It serves
 * tests, benchmarks and the browser dev host; Electron main does the same with utilityProcess.
 */

export interface NodeHostOptions {
  /** The service entry (.ts entries run through tsx). */
  entry: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Sent first, as the parentPort message `{type:'config', ...config}` (shared/host-protocol.ts).
   * Toy entries in tests may take fields of their own.
   */
  config?: ServiceConfig | Record<string, unknown>;
  /** Extra Node flags, after the tsx loader. */
  execArgv?: string[];
  cwd?: string;
  /** The child's stdout/stderr (default 'inherit'). */
  stdio?: 'inherit' | 'pipe' | 'ignore';
  /** How long stop() waits for a graceful exit before SIGKILL (default 5000 ms). */
  stopTimeoutMs?: number;
  /** Connectivity to report at launch (config.online); change it later with setOnline. */
  online?: boolean;
}

export interface NodeHost {
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  /** Resolves once, when the child is gone; never rejects. */
  readonly exit: Promise<HostExit>;
  /** A new client port; the child receives `{type:'connect'}` with the other end in `ports[0]`. */
  connect(): CountedPort;
  /** A parentPort message to the child. */
  postMessage(data: unknown): void;
  /** Reports connectivity to the service (host protocol `network`): network task types wait while offline. */
  setOnline(online: boolean): void;
  /** Messages the child posts on its parentPort. */
  onMessage(listener: (data: unknown) => void): () => void;
  onEvent(listener: (event: HostEvent) => void): () => void;
  kill(signal?: NodeJS.Signals): void;
  /** Asks the child to drain (`{type:'shutdown'}`), waits stopTimeoutMs, then SIGKILLs. */
  stop(timeoutMs?: number): Promise<HostExit>;
}

const TS_ENTRY = /\.[cm]?tsx?$/;

function tsxLoader(): string {
  // An absolute URL, so `--import` does not depend on the child's cwd.
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export function startNodeHost(opts: NodeHostOptions): NodeHost {
  const execArgv = [...(TS_ENTRY.test(opts.entry) ? ['--import', tsxLoader()] : []), ...(opts.execArgv ?? [])];
  const stdio = opts.stdio ?? 'inherit';
  const child = fork(opts.entry, opts.args ?? [], {
    execArgv,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    serialization: 'advanced',
    stdio: ['ignore', stdio, stdio, 'ipc'],
  });

  const eventListeners = new Set<(e: HostEvent) => void>();
  const messageListeners = new Set<(data: unknown) => void>();
  const emit = (event: HostEvent) => {
    for (const l of [...eventListeners]) l(event);
  };
  // Held until the child's stand-in says hello: IPC messages sent before it listens are lost.
  let outbox: HostToChild[] | null = [];
  let nextPortId: PortId = 1;
  let stopRequested = false;
  let stopTimedOut = false;
  let killSent = false;
  let gone = false;

  const sendNow = (message: HostToChild): boolean => {
    if (gone || !child.connected) return false;
    child.send(message, undefined, undefined, () => {});
    return true;
  };
  const send = (message: HostToChild): boolean => {
    if (gone) return false;
    if (outbox) outbox.push(message);
    else return sendNow(message);
    return true;
  };
  const hub = new VirtualPortHub(send);

  child.on('message', (raw: unknown) => {
    if (!isChildToHost(raw)) return;
    if (isPortTraffic(raw)) hub.handle(raw);
    else if (raw.type === 'hello') {
      const queued = outbox ?? [];
      outbox = null;
      for (const m of queued) sendNow(m);
      emit({ type: 'ready' });
    } else if (raw.type === 'parent-msg') {
      for (const l of [...messageListeners]) l(raw.data);
    }
  });

  let settleExit!: (exit: HostExit) => void;
  const exit = new Promise<HostExit>((resolve) => (settleExit = resolve));
  const finish = (result: HostExit) => {
    if (gone) return;
    gone = true;
    outbox = null;
    hub.closeAll();
    settleExit(result);
    emit({ type: 'exit', exit: result });
  };
  child.once('spawn', () => emit({ type: 'spawned', pid: child.pid! }));
  child.on('error', (error) => {
    // 'error' also reports failed sends and kills of a live child; only a failed spawn ends it.
    if (child.pid === undefined) finish({ reason: 'spawn-failed', code: null, signal: null, error });
  });
  child.once('exit', (code, signal) => finish({ reason: exitReason({ code, signal, stopRequested, stopTimedOut, killSent }), code, signal }));

  const control = (data: HostToService): boolean => send({ type: 'parent-msg', data, portIds: [] });
  if (opts.config) send({ type: 'parent-msg', data: { type: 'config', ...opts.config, ...(opts.online !== undefined ? { online: opts.online } : {}) }, portIds: [] });

  return {
    get pid() {
      return child.pid;
    },
    child,
    exit,
    connect() {
      const portId = nextPortId++;
      const port = hub.open(portId);
      const connect: HostToService = { type: 'connect' };
      if (!send({ type: 'parent-msg', data: connect, portIds: [portId] })) port.close();
      return port;
    },
    postMessage(data) {
      send({ type: 'parent-msg', data, portIds: [] });
    },
    setOnline(online) {
      control({ type: 'network', online });
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    kill(signal = 'SIGKILL') {
      if (gone) return;
      killSent = true;
      child.kill(signal);
    },
    async stop(timeoutMs = opts.stopTimeoutMs ?? 5_000) {
      if (gone) return exit;
      stopRequested = true;
      control({ type: 'shutdown' });
      const timer = setTimeout(() => {
        if (gone) return;
        stopTimedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
}
