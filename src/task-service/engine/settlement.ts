import type { TaskProgress } from '../../shared/task';
import type { TransitionResult } from '../store/types';
import { childrenFailed, skipIllegal, type EngineCore } from './core';

/**
 * Parent/child and dependency settlement: a waiting parent completes (or fails with
 * CHILDREN_FAILED) once all its children are terminal, and shows their aggregate progress
 * meanwhile; blocked tasks move on once their dependencies settled. Runs after committed
 * changes, on start (recovery) and when the database recovers from a fault.
 */

/** A waiting parent whose children are all terminal completes (or fails); else shows their progress. */
export function checkParent(core: EngineCore, parentId: string): void {
  const { store, clock } = core.o;
  const p = core.tryRead(() => store.find(parentId));
  if (!p || p.state !== 'waiting') return;
  const s = store.childSummary(parentId);
  const bad = (s.byState.failed ?? 0) + (s.byState.cancelled ?? 0);
  const done = bad + (s.byState.completed ?? 0);
  if (done < s.total) {
    core.coalescer.report(parentId, { ratio: s.ratio, message: `${done} of ${s.total} children finished` }, p.progress);
    return;
  }
  const now = clock.now();
  const r = core.tryWrite(() =>
    store.batch(() => {
      store.saveProgress(parentId, { ratio: bad > 0 ? s.ratio : 1, message: `${done} of ${s.total} children finished`, current: done, total: s.total }, now);
      return bad > 0
        ? store.transition(parentId, 'failed', now, { error: childrenFailed(bad, s.total) }, 'waiting')
        : store.transition(parentId, 'completed', now, { error: null }, 'waiting');
    }),
  );
  if (r) core.react(r);
}

/** Writes coalesced progress in one transaction; parents then aggregate their children's. */
export function persistProgress(core: EngineCore, batch: Array<[string, TaskProgress]>, at: number): void {
  const { store, bootId } = core.o;
  // A run's progress lands only while this boot still holds its lease; a waiting parent's
  // aggregate has no lease (RunGuard orState).
  const guard = { leaseOwner: bootId, orState: 'waiting' as const };
  core.guard.write(() =>
    store.batch(() => {
      for (const [id, p] of batch) skipIllegal(() => store.saveProgress(id, p, at, guard));
    }),
  );
  const parents = new Set<string>();
  for (const [id] of batch) {
    const p = core.parentOf.get(id);
    if (p) parents.add(p);
  }
  for (const p of parents) checkParent(core, p);
}

/** Blocked tasks whose dependencies settled move on; waiting parents with settled children finish. */
export function reevaluate(core: EngineCore): void {
  const { store, clock } = core.o;
  for (const state of ['blocked', 'waiting'] as const) {
    let cursor: string | undefined;
    do {
      const page = core.tryRead(() => store.list(cursor === undefined ? { states: [state], limit: 200 } : { states: [state], limit: 200, cursor }));
      if (!page) return;
      for (const t of page.items) {
        if (state === 'waiting') {
          checkParent(core, t.id);
          continue;
        }
        const deps = t.dependsOn.map((d) => store.find(d));
        const dead = deps.find((d) => !d || d.state === 'failed' || d.state === 'cancelled');
        const now = clock.now();
        let r: TransitionResult | null = null;
        if (dead !== undefined)
          r = core.tryWrite(() =>
            store.transition(
              t.id,
              'cancelled',
              now,
              { error: { code: 'DEPENDENCY_FAILED', message: `Dependency ${dead?.id ?? '(removed)'} did not complete`, retryable: false }, reason: { reason: 'dependency', dependency: dead?.id ?? null } },
              'blocked',
            ),
          );
        else if (deps.every((d) => d?.state === 'completed')) r = core.tryWrite(() => store.transition(t.id, 'queued', now, {}, 'blocked'));
        if (r) core.react(r);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  core.publish();
}
