import { z } from 'zod';

/**
 * The first message a host sends the service entry. Hosts are trusted (Electron main or the
 * Node host), but the shape is still checked so a wrong launch fails with a clear message.
 */

export const serviceConfig = z.object({
  type: z.literal('config'),
  dbPath: z.string().min(1),
  nativeBinding: z.string().min(1).optional(),
  downloadsDir: z.string().min(1).optional(),
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
});

export type ServiceConfig = z.infer<typeof serviceConfig>;

export const DEFAULT_CONCURRENCY = { global: 6 } as const;
