import { isTerminal, type TaskState } from '../../shared/task';
import type { Db } from '../db/statement';
import { countToleratedFailures, summarizeChildStates } from '../db/sql/relatives';
import type { ChildSummary } from './types';

/**
 * A parent's aggregate of its children, recomputed whenever one of them changes state: one walk
 * of the (parent_id, state, ratio) index, grouped by state, instead of reading and parsing every
 * child row (23 ms per finishing child at 10,000 children). Finished children count as 1 whatever
 * their last progress said. Runs in the caller's read or transaction.
 */
export function summarizeChildren(db: Db, parentId: string, tolerated: readonly string[] = []): ChildSummary {
  const byState: Partial<Record<TaskState, number>> = {};
  let total = 0;
  let sum = 0;
  for (const r of summarizeChildStates(db).all(parentId)) {
    const s = r.state as TaskState;
    byState[s] = r.n;
    total += r.n;
    sum += isTerminal(s) ? r.n : r.sum;
  }
  // Only when some child failed and the parent tolerates codes: reads just the failed children.
  const toleratedN = tolerated.length > 0 && (byState.failed ?? 0) > 0 ? countToleratedFailures(db).get(parentId, JSON.stringify(tolerated))!.n : 0;
  return { total, byState, ratio: total === 0 ? 0 : sum / total, tolerated: toleratedN };
}
