import type { TRPCClient } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../task-service/rpc/router';
import type { CreateTaskRequest, EventsRequest, ListRequest } from '../shared/schemas';
import type { Page, Task, TaskEvent, WatchChange } from '../shared/task';

/**
 * What the Activity Center needs from the service, named as in DESIGN.md §5. The UI codes
 * against ServiceClient; `fromTrpc` adapts the typed tRPC v11 client (over the port link) to
 * it. Only the router's *type* is imported, as DESIGN.md §2 allows the renderer.
 */

export type TaskAction = 'cancel' | 'pause' | 'resume' | 'retry' | 'remove';

type Outputs = inferRouterOutputs<AppRouter>;

/** queue.stats exactly as the service returns it (counts, running, queuePaused, throughputPerMinute...). */
export type QueueStatsView = Outputs['queue']['stats'];

/**
 * Connection phases the watch reports: `reconnecting` while the port is down, `live` when it
 * was (re)sent on a port. A resumed subscription does not report `started` again, so the
 * re-send is the signal; whether the service answers there is for the caller to find out.
 */
export type WatchState = 'live' | 'reconnecting';

export interface WatchHandlers {
  onChange(change: WatchChange, seq: string | undefined): void;
  onState(state: WatchState): void;
  onError(error: unknown): void;
}

export interface ServiceClient {
  list(req: ListRequest): Promise<Page<Task>>;
  events(req: EventsRequest): Promise<Page<TaskEvent>>;
  create(req: CreateTaskRequest): Promise<Task>;
  act(action: TaskAction, id: string): Promise<Task>;
  queuePause(): Promise<QueueStatsView>;
  queueResume(): Promise<QueueStatsView>;
  stats(): Promise<QueueStatsView>;
  /** service.health; `downloadsRoots` (first = default folder) where the service has it. */
  health?(): Promise<{ downloadsRoots?: unknown }>;
  /** tasks.watch; resumes after `lastEventId` when given. Returns the unsubscribe function. */
  watch(opts: { lastEventId?: string }, handlers: WatchHandlers): () => void;
}

// tRPC infers outputs as JSON would carry them, so fields typed `unknown` (a task's input and
// result, an event's data) come out optional; over the browser host's WebSocket they really are
// JSON. These put them back as the shared types say: absent reads as null.
type WireTask = Outputs['tasks']['get'];
type WireEvent = Outputs['tasks']['events']['items'][number];
type WireChange = Extract<Outputs['tasks']['watch'] extends AsyncIterable<infer V> ? V : never, { data: unknown }>['data'];

function toTask(t: WireTask): Task {
  return { ...t, input: t.input ?? null, result: t.result ?? null };
}
function toEvent(e: WireEvent): TaskEvent {
  return { ...e, data: e.data ?? null };
}
function toPage<W, T>(page: { items: W[]; nextCursor: string | null }, map: (w: W) => T): Page<T> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}
function toChange(c: WireChange): WatchChange {
  return c.kind === 'event' ? { kind: 'event', event: toEvent(c.event), task: c.task ? toTask(c.task) : null } : c;
}

export function fromTrpc(trpc: TRPCClient<AppRouter>): ServiceClient {
  return {
    list: async (req) => toPage(await trpc.tasks.list.query(req), toTask),
    events: async (req) => toPage(await trpc.tasks.events.query(req), toEvent),
    create: async (req) => toTask(await trpc.tasks.create.mutate(req)),
    act: async (action, id) => toTask(await trpc.tasks[action].mutate({ id })),
    queuePause: () => trpc.queue.pause.mutate(),
    queueResume: () => trpc.queue.resume.mutate(),
    stats: () => trpc.queue.stats.query(),
    health: async () => (await trpc.service.health.query()) as { downloadsRoots?: unknown },
    watch(opts, handlers) {
      const input = opts.lastEventId === undefined ? {} : { lastEventId: opts.lastEventId };
      const sub = trpc.tasks.watch.subscribe(input, {
        onStarted: () => handlers.onState('live'),
        // tracked(seq, change) arrives as {id, data}: the id is the journal seq to resume after.
        onData: (value) => handlers.onChange(toChange(value.data), String(value.id)),
        onError: (e) => handlers.onError(e),
        onConnectionStateChange(s) {
          if (s.state === 'connecting') handlers.onState('reconnecting');
          else if (s.state === 'pending') handlers.onState('live');
        },
      });
      return () => sub.unsubscribe();
    },
  };
}

/** The message a person should see for a failed call: the service's own words. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return 'The request failed for an unknown reason';
}
