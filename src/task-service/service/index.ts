import { acknowledgeRequest } from '../../shared/schemas';
import { parseWith } from '../../shared/validate';
import { Lifecycle } from './lifecycle';
import { operations } from './operations';
import { wire, type TaskServiceOptions } from './wiring';

/**
 * The programmatic task service: one engine over one store, split by job —
 *   wiring.ts      options, defaults, and building the registry, store and engine;
 *   lifecycle.ts   start, stop, the single-owner lease and health;
 *   operations.ts  the operations of DESIGN.md §5 (the RPC layer wraps them);
 *   recovery.ts    what start does with tasks an earlier boot left running;
 *   retry.ts       a user's retry (with retry-plan.ts);
 *   housekeeping.ts heartbeat, WAL checkpoints, retention.
 */

export { DEFAULT_MAX_RECOVERIES, SERVICE_VERSION, type TaskServiceOptions } from './wiring';
export type { ServiceHealth, YtDlpHealth } from './lifecycle';
export type { ServiceStats } from './operations';

export type TaskService = ReturnType<typeof createTaskService>;

export function createTaskService(opts: TaskServiceOptions) {
  const w = wire(opts);
  const life = new Lifecycle(w);
  return {
    bootId: w.bootId,
    store: w.store,
    /** For tests and benchmarks: `engine.whenIdle()`, memory figures. Not part of the RPC surface. */
    engine: w.engine,
    start: (): Promise<void> => life.start(),
    stop: (o?: { timeoutMs?: number }): Promise<void> => life.stop(o),
    health: () => life.health(),
    /** Hides the notices with this code (see notices.ts); returns the health that follows. */
    acknowledge: (raw: unknown) => {
      life.notices.acknowledge(parseWith(acknowledgeRequest, raw, 'acknowledge request').code);
      return life.health();
    },
    ...operations(w, life),
  };
}
