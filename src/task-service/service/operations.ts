import {
  createGraphRequest,
  createTaskRequest,
  eventsRequest,
  idRequest,
  listRequest,
  setConcurrencyRequest,
} from '../../shared/schemas';
import type { Page, Task, TaskEvent } from '../../shared/task';
import { parseWith } from '../../shared/validate';
import { WAITING_FOR_NETWORK } from '../engine/network';
import type { Watch, WatchFilter } from '../engine/watch';
import type { QueueStats } from '../store/types';
import type { Lifecycle } from './lifecycle';
import { retryTask } from './retry';
import type { Wiring } from './wiring';

/**
 * The operations of DESIGN.md §5 as plain methods (the RPC layer wraps them). Every input is
 * validated (shared/validate.ts) before anything is written; changes need a running service
 * that still owns its database (Lifecycle.assertRunning), reads do not.
 */

export interface ServiceStats extends QueueStats {
  running: number;
  /** Concurrency slots held, including handlers whose result is being ignored (cancelled ones that did not stop yet). */
  busySlots: number;
  queuePaused: boolean;
  concurrency: { global: number; perType: Record<string, number> };
  /** Tasks completed in the last minute. */
  throughputPerMinute: number;
  /** Open watch subscriptions (a leak shows here). */
  watchers: number;
  /**
   * The network constraint: `online` as the host reported it, the task types that require the
   * network, and how many queued tasks of those types wait for it (0 while online). A client
   * shows a queued task as "waiting for network" (`reason`) when !online and its type is listed.
   */
  network: { online: boolean; types: string[]; waiting: number; reason: string };
}

export function operations(w: Wiring, life: Lifecycle) {
  const { store, engine, registry, clock } = w;
  const now = (): number => clock.now();
  const running = (): void => life.assertRunning();

  const withDefaults = <T extends { type: string; maxAttempts?: number | undefined; input: unknown }>(req: T): T => {
    registry.parseInput(req.type, req.input);
    const max = req.maxAttempts ?? registry.get(req.type).maxAttempts;
    return max === undefined ? req : { ...req, maxAttempts: max };
  };

  return {
    create(raw: unknown): Task {
      running();
      const req = withDefaults(parseWith(createTaskRequest, raw, 'task'));
      const created = engine.guard.write(() => store.create(req, now(), true));
      engine.publish();
      engine.schedulePump();
      return created.task;
    },

    createGraph(raw: unknown): Task[] {
      running();
      const req = parseWith(createGraphRequest, raw, 'task graph');
      const nodes = req.tasks.map(withDefaults);
      const created = engine.guard.write(() => store.createGraph({ tasks: nodes }, now(), true));
      engine.publish();
      engine.schedulePump();
      return created.map((c) => c.task);
    },

    get(raw: unknown): Task {
      return store.get(parseWith(idRequest, raw, 'request').id);
    },

    list(raw: unknown = {}): Page<Task> {
      return store.list(parseWith(listRequest, raw, 'list request'));
    },

    events(raw: unknown): Page<TaskEvent> {
      const r = parseWith(eventsRequest, raw, 'events request');
      const page = store.events(r.id, r.cursor, r.limit);
      // An empty page is also what a typo'd id would get: tell the two apart. (A removed task
      // keeps its 'removed' tombstone for a while, so it is not unknown.)
      if (page.items.length === 0) store.get(r.id);
      return page;
    },

    cancel(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      return engine.change(id, 'cancelled', { leaseOwner: null, reason: { reason: 'cancel', by: 'user' } });
    },

    /**
     * A pause is not a failure (a running task's run is refunded). Pausing a parent, even one
     * `waiting` for its children, pauses its live descendants with it (store/transition.ts).
     */
    pause(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      return engine.change(id, 'paused', { leaseOwner: null, reason: { reason: 'pause', by: 'user' } });
    },

    /** Back where it was paused from (a waiting parent waits again), with the descendants its pause paused. */
    resume(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      store.get(id); // NOT_FOUND before anything else
      const to = engine.guard.read(() => store.resumeTarget(id));
      return engine.change(id, to, { reason: { reason: 'resume', by: 'user' } }, 'paused');
    },

    retry(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      return retryTask(engine, store, id, now());
    },

    remove(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      const t = store.get(id);
      engine.guard.write(() => store.remove(id, now()));
      engine.forget(id);
      engine.publish();
      return t;
    },

    queuePause(): void {
      running();
      engine.setQueuePaused(true);
    },

    queueResume(): void {
      running();
      engine.setQueuePaused(false);
    },

    setConcurrency(raw: unknown): void {
      const r = parseWith(setConcurrencyRequest, raw, 'concurrency request');
      if (r.type !== undefined) registry.get(r.type);
      engine.limiter.setLimit(r.type, r.limit);
      engine.schedulePump();
    },

    /** The host's connectivity report (host protocol `network` message). */
    setNetwork(online: boolean): void {
      engine.network.set(online === true);
    },

    stats(): ServiceStats {
      const base = store.stats();
      const online = engine.network.online();
      const types = registry.types().filter((t) => registry.get(t).requiresNetwork === true);
      const waiting = online ? 0 : types.reduce((n, t) => n + (base.byType[t]?.queued ?? 0), 0);
      return {
        ...base,
        network: { online, types, waiting, reason: WAITING_FOR_NETWORK },
        running: engine.runningCount(),
        busySlots: engine.limiter.running(),
        queuePaused: engine.queueIsPaused(),
        concurrency: engine.limiter.limits(),
        throughputPerMinute: engine.throughput(),
        watchers: engine.hub.size(),
      };
    },

    /** Live changes (after replaying the journal past afterSeq); end with close() or break. */
    watch(filter: WatchFilter = {}): Watch {
      return engine.hub.subscribe(filter);
    },
  };
}
