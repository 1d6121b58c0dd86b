import { ServiceError } from '../../shared/errors';
import { jsonProblem, spawnRequest, type SpawnRequest } from '../../shared/schemas';
import type { ExecutionPorts } from './context';
import { stripUndefined, type EngineCore } from './core';
import type { Execution } from './execution';
import { abortKindOf } from './abort';
import { isTerminal } from '../../shared/task';

/**
 * The engine side of a handler's ctx (main thread or worker alike). Every call is refused once
 * the execution is detached (cancelled, paused, timed out): a handler that ignores its signal
 * can no longer write on behalf of a task whose fate was decided. One exception: a handler
 * stopped by pause, timeout or shutdown may still save its final checkpoint on the way out,
 * since "pause keeps the checkpoint" — safe because a new run of the same task waits for this
 * handler to settle, so no newer run's checkpoint can be overwritten.
 */
export function portsFor(core: EngineCore, exec: Execution): ExecutionPorts {
  const { store, registry, clock } = core.o;
  const id = exec.task.id;
  const finalCheckpointAllowed = (): boolean => {
    const kind = abortKindOf(exec.controller.signal);
    return kind !== null && kind !== 'cancel' && !isTerminal(store.get(id).state);
  };
  const gone = (): ServiceError => new ServiceError('CONFLICT', `Task ${id} is no longer running under this handler`);
  return {
    progress: (p) => {
      if (!exec.detached) core.coalescer.report(id, p, exec.task.progress);
    },
    saveCheckpoint: async (state) => {
      if (exec.detached && !finalCheckpointAllowed()) throw gone();
      const problem = jsonProblem(state);
      if (problem) throw new ServiceError('BAD_INPUT', `Checkpoint ${problem}`);
      core.guard.write(() => store.saveCheckpoint(id, state, clock.now()));
      core.publish();
    },
    spawn: async (children: SpawnRequest[]) => {
      if (exec.detached) throw gone();
      for (const c of children) {
        const r = spawnRequest.safeParse(c);
        if (!r.success) throw new ServiceError('BAD_INPUT', `Child ${String((c as { key?: unknown }).key)}: ${r.error.issues.map((i) => i.message).join('; ')}`);
        registry.parseInput(c.type, c.input);
      }
      const withDefaults = children.map((c) => ({ ...c, maxAttempts: c.maxAttempts ?? registry.get(c.type).maxAttempts }));
      const created = core.guard.write(() => store.spawn(id, withDefaults.map(stripUndefined), clock.now()));
      for (const c of created) core.parentOf.set(c.task.id, id);
      core.publish();
      core.schedulePump();
      return created.map((c) => c.task);
    },
    log: (message) => core.o.onLog?.(id, message),
  };
}
