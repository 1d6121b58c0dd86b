import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeHost, type NodeHost } from '../task-service/node-host/host';
import { databasePath } from './app-config';
import type { HostToService } from './service-protocol';
import { Supervisor, type ServiceChild, type SupervisorOptions } from './supervisor';
import { startWebHost, type WebHost } from './web-host';

/**
 * The browser dev host, assembled: the same service entry Electron forks, run under the Node
 * host and watched by the same Supervisor; the built renderer served on loopback; each page
 * connected over a WebSocket to a fresh virtual port. Used by `npm run start:web` and by the
 * e2e `web` project (one per test, each with its own data folder).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SERVICE_ENTRY = path.resolve(here, '../task-service/main.ts');
export const DEFAULT_RENDERER_DIR = path.resolve(here, '../../out/web-renderer');

export interface WebDevOptions {
  userDataDir: string;
  rendererDir?: string;
  serviceEntry?: string;
  port?: number;
  downloadsDir?: string;
  /** More folders downloads may go to (the --downloads-dir flags); downloadsDir stays the default. */
  downloadsRoots?: string[];
  /** The service's output: inherited (default), ignored, or each line to `log` (never a pipe left unread, which would stall the child). */
  stdio?: 'inherit' | 'ignore' | { log: (line: string) => void };
  supervisor?: Omit<SupervisorOptions, 'fork'>;
  /** Connectivity reported to the service (default online); change it with WebDev.setOnline. */
  online?: boolean;
}

export interface WebDev {
  url: string;
  supervisor: Supervisor;
  /** The running service's pid (tests kill it), or undefined between lives. */
  servicePid(): number | undefined;
  /** Reports connectivity to this and every later service life (network task types wait while offline). */
  setOnline(online: boolean): void;
  close(): Promise<void>;
}

/** Builds the renderer with vite for serving over http (relative asset paths). */
export async function buildRenderer(outDir: string = DEFAULT_RENDERER_DIR): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: path.resolve(here, '../renderer'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** Adapts a Node host to the supervisor's child; ports go through host.connect(), not postMessage. */
export function nodeHostChild(host: NodeHost): ServiceChild {
  return {
    get pid() {
      return host.pid;
    },
    postMessage: (message: HostToService) => host.postMessage(message),
    on: ((event: 'exit' | 'message', listener: (value: unknown) => void) => {
      if (event === 'message') return host.onMessage(listener);
      return host.onEvent((e) => {
        if (e.type === 'exit') listener(e.exit.code);
      });
    }) as ServiceChild['on'],
    kill: () => host.kill('SIGKILL'),
  };
}

function forwardLines(host: NodeHost, log: (line: string) => void): void {
  for (const stream of [host.child.stdout, host.child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) log(line);
    });
  }
}

export async function startWebDev(opts: WebDevOptions): Promise<WebDev> {
  fs.mkdirSync(opts.userDataDir, { recursive: true });
  const rendererDir = opts.rendererDir ?? DEFAULT_RENDERER_DIR;
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`No built renderer in ${rendererDir}; call buildRenderer() first (npm run start:web does).`);
  }
  const downloadsDir = opts.downloadsDir ?? path.join(opts.userDataDir, 'downloads');
  let host: NodeHost | null = null;
  let online = opts.online ?? true;
  const supervisor = new Supervisor({
    ...opts.supervisor,
    fork: ({ takeoverBootId }) => {
      host = startNodeHost({
        entry: opts.serviceEntry ?? DEFAULT_SERVICE_ENTRY,
        config: { dbPath: databasePath(opts.userDataDir), downloadsDir, ...(opts.downloadsRoots?.length ? { downloadsRoots: opts.downloadsRoots } : {}), ...(takeoverBootId ? { takeoverBootId } : {}) },
        stdio: typeof opts.stdio === 'object' ? 'pipe' : (opts.stdio ?? 'inherit'),
        online,
      });
      if (typeof opts.stdio === 'object') forwardLines(host, opts.stdio.log);
      return nodeHostChild(host);
    },
  });
  supervisor.onState((s) => {
    if (s.kind === 'gave-up') console.error(`[web host] ${s.message}`);
  });
  supervisor.start();
  let web: WebHost;
  try {
    web = await startWebHost({
      rendererDir,
      port: opts.port,
      connect: () => (supervisor.service && host ? host.connect() : null),
      // Code first: the close reason is short, and the page recognises SERVICE_LOCKED by it.
      gaveUp: () => {
        const s = supervisor.state;
        return s.kind !== 'gave-up' ? null : s.reason.kind === 'fatal' ? `${s.reason.code}: ${s.reason.message}` : s.message;
      },
    });
  } catch (e) {
    await supervisor.stop();
    throw e;
  }
  return {
    url: web.url,
    supervisor,
    servicePid: () => supervisor.service?.pid,
    setOnline(value) {
      online = value;
      host?.setOnline(value);
    },
    async close() {
      await web.close();
      await supervisor.stop();
    },
  };
}
