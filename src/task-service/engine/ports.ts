import { ServiceError } from '../../shared/errors';
import { jsonProblem, LIMITS, spawnRequest, type SpawnRequest } from '../../shared/schemas';
import type { RunGuard } from '../store/types';
import type { ExecutionPorts } from './context';
import { stripUndefined, type EngineCore } from './core';
import type { Execution } from './execution';
import { abortKindOf } from './abort';

/**
 * The engine side of a handler's ctx (main thread or worker alike). Every write is guarded in
 * SQL by this boot's lease (RunGuard): a process that stalled past staleMs and was taken over
 * can no longer write on behalf of a task the new owner runs, even before its heartbeat notices.
 *
 * Every call is refused once the execution is detached (cancelled, paused, timed out): a handler
 * that ignores its signal can no longer write on behalf of a task whose fate was decided. One
 * exception: a handler stopped by pause, timeout or our own shutdown may still save its final
 * checkpoint on the way out, since "pause keeps the checkpoint" — never after ownership loss,
 * and only while the task is where that stop left it (see finalGuard).
 */
/** Longer log lines are cut: a tool's output must not bloat the journal. */
const LOG_LINE_CHARS = 2000;

export function portsFor(core: EngineCore, exec: Execution): ExecutionPorts {
  const { store, registry, clock, bootId } = core.o;
  const id = exec.task.id;
  const live: RunGuard = { leaseOwner: bootId };
  /** The guard for a detached run's final checkpoint, or null when none may be saved. */
  const finalGuard = (): RunGuard | null => {
    if (core.ownerLost()) return null; // the new owner may be running the task: nothing of ours lands
    switch (abortKindOf(exec.controller.signal)) {
      // Still paused (not resumed and re-claimed: a newer run would own the checkpoint then).
      case 'pause':
        return { leaseOwner: null, orState: 'paused' };
      // Queued for its retry, or re-claimed by us (the new run waits for this handler to settle).
      case 'timeout':
        return { leaseOwner: bootId, orState: 'queued' };
      // Our own stop: the task is still running under our lease until stop requeues it.
      case 'shutdown':
        return live;
      default:
        return null;
    }
  };
  const gone = (): ServiceError => new ServiceError('CONFLICT', `Task ${id} is no longer running under this handler`);
  return {
    progress: (p) => {
      if (!exec.detached) core.coalescer.report(id, p, exec.task.progress);
    },
    saveCheckpoint: async (state) => {
      const guard = exec.detached ? finalGuard() : live;
      if (guard === null) throw gone();
      const problem = jsonProblem(state);
      if (problem) throw new ServiceError('BAD_INPUT', `Checkpoint ${problem}`);
      core.guard.write(() => store.saveCheckpoint(id, state, clock.now(), guard));
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
      const created = core.guard.write(() => store.spawn(id, withDefaults.map(stripUndefined), clock.now(), bootId));
      for (const c of created) core.parentOf.set(c.task.id, id);
      core.publish();
      core.schedulePump();
      return created.map((c) => c.task);
    },
    log: (message) => {
      core.o.onLog?.(id, message);
      if (exec.detached) return;
      // Best effort: a log line that cannot be journaled (DB busy or degraded) must not fail the run.
      try {
        core.guard.write(() => store.appendLog(id, message.slice(0, LOG_LINE_CHARS), clock.now(), live));
        core.publish();
      } catch {
        // The line still went to onLog above.
      }
    },
    setTitle: async (title) => {
      if (exec.detached) throw gone();
      const clean = title.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, LIMITS.titleChars);
      if (clean === '') return;
      core.guard.write(() => store.setTitle(id, clean, clock.now(), live));
      core.publish();
    },
  };
}
