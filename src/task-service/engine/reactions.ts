import { isTerminal } from '../../shared/task';
import type { TransitionResult } from '../store/types';
import { abortWith } from './abort';
import { stateAbortKind, type EngineCore } from './core';
import type { Dispatcher } from './dispatch';
import { checkParent } from './settlement';

/**
 * Cancellation and its kin, after the fact: once a transition (and its cascade) committed, every
 * task in it that has a live handler but is no longer `running` gets that handler detached and
 * aborted (cancel or pause), its progress forgotten, and its parent re-checked.
 */
export function react(core: EngineCore, dispatch: Dispatcher, completions: number[], r: TransitionResult): void {
  const parents = new Set<string>();
  const now = core.o.clock.now();
  for (const t of [r.task, ...r.affected]) {
    core.parentOf.set(t.id, t.parentId);
    if (t.state === 'completed') completions.push(now);
    const exec = dispatch.executions.get(t.id);
    if (exec && t.state !== 'running') {
      dispatch.detach(exec);
      abortWith(exec.controller, stateAbortKind(t.state), `Task ${t.state}`);
    }
    if (t.state !== 'running') core.coalescer.drop(t.id);
    if (t.state === 'queued') dispatch.noteQueued(t);
    if (t.parentId && isTerminal(t.state)) parents.add(t.parentId);
  }
  for (const p of parents) checkParent(core, p);
}
