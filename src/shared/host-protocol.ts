import { z } from 'zod';

/**
 * The control protocol between a host (Electron main or the Node host) and the task service
 * process, over the service's parent port. One schema, its types inferred: main, the Node host
 * and the service entry all read it from here, so the two sides cannot drift apart. Client
 * traffic (tRPC) never goes here: it runs over the MessagePorts that `connect` hands over.
 *
 *   host -> service   config (first), connect + ports[0] (a new client), shutdown (drain + exit 0),
 *                     grant-folder (the user allowed downloads into a folder: a new downloads root)
 *                     network (connectivity changed: network task types wait while offline)
 *   service -> host   ready (open and recovered), fatal (a restart cannot fix it), drained
 *
 * Hosts are trusted, but the service still checks the config so that a wrong launch fails with
 * a clear message.
 */

/** Where the service keeps its data and how it runs; sent first. */
export const configMessage = z.object({
  type: z.literal('config'),
  dbPath: z.string().min(1),
  nativeBinding: z.string().min(1).optional(),
  /** The default downloads folder (first root); without it, PLAYLISTIFY_DOWNLOADS_DIR or ~/Downloads. */
  downloadsDir: z.string().min(1).max(4096).optional(),
  /** More folders the user granted (web host --downloads-dir, Electron's folder dialog). */
  downloadsRoots: z.array(z.string().min(1).max(4096)).max(64).optional(),
  /** Download limits (defaults: 64 GiB when no size is known; STALLED under 1 KiB/s for 60 s). */
  downloadLimits: z
    .strictObject({
      maxBytes: z.number().int().min(1).optional(),
      minBytesPerSecond: z.number().min(0).optional(),
      stallWindowMs: z.number().int().min(100).optional(),
    })
    .optional(),
  concurrency: z
    .object({ global: z.number().int().min(1).max(1024), perType: z.record(z.string(), z.number().int().min(1)).optional() })
    .optional(),
  synchronous: z.enum(['NORMAL', 'FULL']).optional(),
  /** yt-dlp: an explicit binary (else PLAYLISTIFY_YTDLP, else PATH) and the -f format selector. */
  ytdlp: z.object({ path: z.string().min(1).optional(), format: z.string().min(1).max(500).optional() }).optional(),
  /**
   * The boot id of this host's previous service, which the host saw exit (a crash): its owner
   * row is released at once instead of blocking the restart until the heartbeat goes stale.
   */
  takeoverBootId: z.string().min(1).max(100).optional(),
  /**
   * Extra task-definition modules (absolute paths) to register: test fixtures (crash, hang,
   * spam progress) that must not ship in the app. Honoured only when the host set
   * PLAYLISTIFY_ALLOW_TASK_MODULES=1 in the service's environment.
   */
  taskModules: z.array(z.string().min(1)).max(50).optional(),
  /** Engine knobs tests shorten (ownership staleness, shutdown wait, recovery bound). */
  staleMs: z.number().int().min(100).optional(),
  shutdownTimeoutMs: z.number().int().min(0).optional(),
  maxRecoveries: z.number().int().min(1).optional(),
  /** Connectivity at launch (default true); later changes come as `network` messages. */
  online: z.boolean().optional(),
});

/** A new client; the service serves tRPC on the port in `ports[0]`. */
export const connectMessage = z.object({ type: z.literal('connect'), clientId: z.string().optional() });

/** Drain: stop claiming, checkpoint, close, exit(0). Same name under both hosts. */
export const shutdownMessage = z.object({ type: z.literal('shutdown') });

/** A folder the user chose: the service may write downloads there from now on. */
export const grantFolderMessage = z.object({ type: z.literal('grant-folder'), dir: z.string().min(1).max(4096) });


/**
 * The host's view of connectivity (Electron: net.isOnline() and its checks; the Node host: an
 * option or setOnline). While offline, task types that require the network stay queued.
 */
export const networkMessage = z.strictObject({ type: z.literal('network'), online: z.boolean() });

export const hostToService = z.discriminatedUnion('type', [configMessage, connectMessage, shutdownMessage, grantFolderMessage, networkMessage]);

/** The database is open and recovered; accept clients. */
export const readyMessage = z.object({ type: z.literal('ready'), bootId: z.string().optional() });

/** Startup failed. Lenient on purpose: whatever the service managed to say is shown, as text. */
export const fatalMessage = z.object({
  type: z.literal('fatal'),
  error: z.object({
    code: z.unknown().optional().transform((c) => String(c ?? 'INTERNAL')),
    message: z.unknown().optional().transform((m) => String(m ?? 'Service failed to start')),
  }),
});

/** Optional, right before a graceful exit. */
export const drainedMessage = z.object({ type: z.literal('drained') });

export const serviceToHost = z.discriminatedUnion('type', [readyMessage, fatalMessage, drainedMessage]);

export type ConfigMessage = z.infer<typeof configMessage>;
/** The config fields a host fills in (the entry adds `type`). */
export type ServiceConfig = Omit<ConfigMessage, 'type'>;
export type ConnectMessage = z.infer<typeof connectMessage>;
export type ShutdownMessage = z.infer<typeof shutdownMessage>;
export type GrantFolderMessage = z.infer<typeof grantFolderMessage>;
export type NetworkMessage = z.infer<typeof networkMessage>;
export type HostToService = z.infer<typeof hostToService>;
export type ReadyMessage = z.infer<typeof readyMessage>;
export type FatalMessage = z.infer<typeof fatalMessage>;
export type DrainedMessage = z.infer<typeof drainedMessage>;
export type ServiceToHost = z.infer<typeof serviceToHost>;

/** Narrows an untrusted message from the service to a known control message, else null. */
export function asServiceMessage(msg: unknown): ServiceToHost | null {
  const r = serviceToHost.safeParse(msg);
  return r.success ? r.data : null;
}

export const DEFAULT_CONCURRENCY = { global: 6 } as const;
