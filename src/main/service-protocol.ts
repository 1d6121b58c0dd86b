/**
 * Control messages between a host (Electron main or the Node host) and the task service
 * process over its parent port. Client traffic (tRPC) never goes here: it runs over the
 * MessagePorts that `connect` hands over.
 *
 * host -> service
 *   {type:'config', dbPath, nativeBinding?, downloadsDir?, takeoverBootId?}: first message (same as the Node host's)
 *   {type:'connect', clientId}  + ports[0]: a new client; the service serves tRPC on that port
 *   {type:'shutdown'}                      : drain: stop claiming, checkpoint, close, exit(0)
 *   {type:'grant-folder', dir}             : the user allowed downloads into `dir` (a new downloads root)
 * service -> host
 *   {type:'ready', bootId}                 : the database is open and recovered; accept clients
 *   {type:'fatal', error:{code, message}}  : startup failed for a reason a restart cannot fix
 *   {type:'drained'}                       : optional, right before a graceful exit
 */

export interface ConnectMessage {
  type: 'connect';
  clientId: string;
}

/** Named like the Node host's stop request, so one service entry serves both hosts. */
export interface DrainMessage {
  type: 'shutdown';
}

/** Where the service keeps its data; sent first. */
export interface ConfigMessage {
  type: 'config';
  dbPath: string;
  nativeBinding?: string;
  downloadsDir?: string;
  /** Folders the user granted (see downloads-folders.ts); downloadsDir stays the default. */
  downloadsRoots?: string[];
  /** The previous child's boot id, after it exited: release its owner row (see ForkContext). */
  takeoverBootId?: string;
}

/** A folder the user chose: the service may write downloads there from now on. */
export interface GrantFolderMessage {
  type: 'grant-folder';
  dir: string;
}

export type HostToService = ConfigMessage | ConnectMessage | DrainMessage | GrantFolderMessage;

export interface ReadyMessage {
  type: 'ready';
  bootId?: string;
}

export interface FatalMessage {
  type: 'fatal';
  error: { code: string; message: string };
}

export interface DrainedMessage {
  type: 'drained';
}

export type ServiceToHost = ReadyMessage | FatalMessage | DrainedMessage;

/** Narrows an untrusted message from the service to a known control message. */
export function asServiceMessage(msg: unknown): ServiceToHost | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const type = (msg as { type?: unknown }).type;
  if (type === 'ready' || type === 'drained') return msg as ServiceToHost;
  if (type === 'fatal') {
    const error = (msg as { error?: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return { type: 'fatal', error: { code: String(code ?? 'INTERNAL'), message: String(message ?? 'Service failed to start') } };
    }
  }
  return null;
}

/**
 * Startup failures that a restart cannot fix: the supervisor gives up at once and shows why.
 * Everything else (a crash, an I/O hiccup) is retried with backoff.
 */
export const FATAL_CODES: ReadonlySet<string> = new Set(['SERVICE_LOCKED', 'SCHEMA_TOO_NEW', 'DB_CORRUPT', 'BAD_INPUT']);
