/**
 * The host side of the host <-> service control protocol. The messages themselves are one zod
 * schema in src/shared/host-protocol.ts (types inferred), shared with the service entry and the
 * Node host; this module adds what only a host decides.
 */

export {
  asServiceMessage,
  type ConfigMessage,
  type ConnectMessage,
  type DrainedMessage,
  type FatalMessage,
  type GrantFolderMessage,
  type HostToService,
  type ReadyMessage,
  type ServiceToHost,
  type ShutdownMessage as DrainMessage,
} from '../shared/host-protocol';

/**
 * Startup failures that a restart cannot fix: the supervisor gives up at once and shows why.
 * Everything else (a crash, an I/O hiccup) is retried with backoff.
 */
export const FATAL_CODES: ReadonlySet<string> = new Set(['SERVICE_LOCKED', 'SCHEMA_TOO_NEW', 'DB_CORRUPT', 'BAD_INPUT']);
