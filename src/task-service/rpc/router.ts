import { initTRPC, tracked } from '@trpc/server';
import { z } from 'zod';
import {
  acknowledgeRequest,
  createGraphRequest,
  createTaskRequest,
  eventsRequest,
  idRequest,
  listRequest,
  noInput,
  setConcurrencyRequest,
  taskId,
} from '../../shared/schemas';
import type { TaskService } from '../service';
import { errorFormatter } from './errors';

/**
 * The service's RPC surface (names are the contract of DESIGN.md §5). Procedures only parse
 * and delegate: the service validates again and owns every rule, so the router never knows
 * about ports, and tests can call it in-process with createCaller.
 */

export interface RpcContext {
  clientId: string;
}

const t = initTRPC.context<RpcContext>().create({ errorFormatter, isServer: true, isDev: false });

const watchRequest = z.strictObject({
  ids: z.array(taskId).max(1_000).optional(),
  parentId: taskId.optional(),
  /** Set by the client link on resume: the last tracked id it saw (a journal seq). */
  lastEventId: z.string().regex(/^\d{1,15}$/, 'a journal sequence number').nullish(),
});

/** What the host adds to the router beyond the service (the entry's recent log lines). */
export interface RouterExtras {
  recentLogLines?: () => string[];
}

export function createAppRouter(service: TaskService, extras: RouterExtras = {}) {
  const id = t.procedure.input(idRequest);
  return t.router({
    tasks: t.router({
      create: t.procedure.input(createTaskRequest).mutation(({ input }) => service.create(input)),
      createGraph: t.procedure.input(createGraphRequest).mutation(({ input }) => service.createGraph(input)),
      get: id.query(({ input }) => service.get(input)),
      list: t.procedure.input(listRequest.optional()).query(({ input }) => service.list(input ?? {})),
      events: t.procedure.input(eventsRequest).query(({ input }) => service.events(input)),
      cancel: id.mutation(({ input }) => service.cancel(input)),
      pause: id.mutation(({ input }) => service.pause(input)),
      resume: id.mutation(({ input }) => service.resume(input)),
      retry: id.mutation(({ input }) => service.retry(input)),
      remove: id.mutation(({ input }) => service.remove(input)),
      watch: t.procedure.input(watchRequest.optional()).subscription(async function* ({ input, signal }) {
        const watch = service.watch({
          ...(input?.ids ? { ids: input.ids } : {}),
          ...(input?.parentId ? { parentId: input.parentId } : {}),
          ...(input?.lastEventId ? { afterSeq: Number(input.lastEventId) } : {}),
        });
        const stop = () => watch.close();
        signal?.addEventListener('abort', stop, { once: true });
        try {
          // A fresh subscription first names its starting point, so the client can resume
          // from it even if no event arrives before the next disconnect.
          if (!input?.lastEventId) yield tracked(String(watch.fromSeq), { kind: 'sync' as const, seq: watch.fromSeq });
          for await (const item of watch) yield tracked(String(item.seq), item.change);
        } finally {
          signal?.removeEventListener('abort', stop);
          watch.close();
        }
      }),
    }),
    queue: t.router({
      stats: t.procedure.input(noInput).query(() => service.stats()),
      pause: t.procedure.input(noInput).mutation(() => {
        service.queuePause();
        return service.stats();
      }),
      resume: t.procedure.input(noInput).mutation(() => {
        service.queueResume();
        return service.stats();
      }),
      setConcurrency: t.procedure.input(setConcurrencyRequest).mutation(({ input }) => {
        service.setConcurrency(input);
        return service.stats();
      }),
    }),
    service: t.router({
      health: t.procedure.input(noInput).query(() => service.health()),
      acknowledge: t.procedure.input(acknowledgeRequest).mutation(({ input }) => service.acknowledge(input)),
      /** For "Copy diagnostics": health plus the service's last log lines. */
      diagnostics: t.procedure.input(noInput).query(() => ({ health: service.health(), logLines: extras.recentLogLines?.() ?? [] })),
    }),
  });
}

/** The router's type, imported (as a type only) by clients. */
export type AppRouter = ReturnType<typeof createAppRouter>;
