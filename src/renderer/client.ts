import type { CreateTaskRequest, EventsRequest, ListRequest } from '../shared/schemas';
import type { Page, Task, TaskChange, TaskEvent, TaskState } from '../shared/task';

/**
 * What the Activity Center needs from the service, named as in DESIGN.md §5. The UI codes
 * against ServiceClient; `fromTrpc` adapts a tRPC v11 client proxy (over the port link) to it.
 * The proxy is described structurally so this file does not depend on the router's module.
 */

export type TaskAction = 'cancel' | 'pause' | 'resume' | 'retry' | 'remove';

/** queue.stats as far as the UI reads it; unknown extra fields are ignored. */
export interface QueueStatsView {
  byState?: Partial<Record<TaskState, number>>;
  running?: number;
  paused?: boolean;
  throughput?: number | Record<string, unknown>;
}

/** Connection phases the watch reports: `reconnecting` while the port is down. */
export type WatchState = 'live' | 'reconnecting';

export interface WatchHandlers {
  onChange(change: TaskChange, seq: string | undefined): void;
  onState(state: WatchState): void;
  onError(error: unknown): void;
}

export interface ServiceClient {
  list(req: ListRequest): Promise<Page<Task>>;
  events(req: EventsRequest): Promise<Page<TaskEvent>>;
  create(req: CreateTaskRequest): Promise<Task>;
  act(action: TaskAction, id: string): Promise<Task>;
  queuePause(): Promise<unknown>;
  queueResume(): Promise<unknown>;
  stats(): Promise<QueueStatsView>;
  /** tasks.watch; resumes after `lastEventId` when given. Returns the unsubscribe function. */
  watch(opts: { lastEventId?: string }, handlers: WatchHandlers): () => void;
}

interface Query<I, O> {
  query(input: I): Promise<O>;
}
interface Mutation<I, O> {
  mutate(input: I): Promise<O>;
}
interface SubscribeOptions<O> {
  onData?(value: O): void;
  onError?(error: unknown): void;
  onStarted?(): void;
  onConnectionStateChange?(state: { state: string }): void;
}
interface Subscription<I, O> {
  subscribe(input: I, opts: SubscribeOptions<O>): { unsubscribe(): void };
}

/** The slice of `createTRPCClient<AppRouter>(...)` the UI calls. */
export interface TrpcLike {
  tasks: {
    list: Query<ListRequest, Page<Task>>;
    events: Query<EventsRequest, Page<TaskEvent>>;
    create: Mutation<CreateTaskRequest, Task>;
    watch: Subscription<{ lastEventId?: string }, { id: string; data: TaskChange } | TaskChange>;
  } & Record<TaskAction, Mutation<{ id: string }, Task>>;
  queue: {
    pause: Mutation<undefined, unknown>;
    resume: Mutation<undefined, unknown>;
    stats: Query<undefined, QueueStatsView>;
  };
}

export function fromTrpc(trpc: TrpcLike): ServiceClient {
  return {
    list: (req) => trpc.tasks.list.query(req),
    events: (req) => trpc.tasks.events.query(req),
    create: (req) => trpc.tasks.create.mutate(req),
    act: (action, id) => trpc.tasks[action].mutate({ id }),
    queuePause: () => trpc.queue.pause.mutate(undefined),
    queueResume: () => trpc.queue.resume.mutate(undefined),
    stats: () => trpc.queue.stats.query(undefined),
    watch(opts, handlers) {
      const input = opts.lastEventId === undefined ? {} : { lastEventId: opts.lastEventId };
      const sub = trpc.tasks.watch.subscribe(input, {
        onStarted: () => handlers.onState('live'),
        onData(value) {
          // tracked(seq, change) arrives as {id, data}; accept a bare change too.
          if ('data' in value && 'id' in value) handlers.onChange(value.data, String(value.id));
          else handlers.onChange(value as TaskChange, undefined);
        },
        onError: (e) => handlers.onError(e),
        onConnectionStateChange(s) {
          if (s.state === 'connecting') handlers.onState('reconnecting');
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
