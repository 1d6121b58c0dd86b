import { claimCandidates, claimOne } from '../src/task-service/db/sql/claim';
import { insertEvent } from '../src/task-service/db/sql/insert-event';
import { insertDep, insertTask, type InsertTaskParams } from '../src/task-service/db/sql/insert-task';
import { listTasks } from '../src/task-service/db/sql/list-tasks';
import { selectDependents } from '../src/task-service/db/sql/relatives';
import { selectTask, selectTaskState } from '../src/task-service/db/sql/select-task';
import { updateState } from '../src/task-service/db/sql/update-state';
import type { Db } from '../src/task-service/db/statement';
import { newId } from '../src/task-service/store/ids';

/**
 * The raw better-sqlite3 baselines: the very statements the store prepares (same text, same
 * pragmas, same indexes), driven directly with no validation, no row mapping, no transition
 * guard and no cascade logic. The store/raw ratio is therefore the price of the store's logic.
 */

function row(id: string, i: number, state: string, now: number): InsertTaskParams {
  return {
    id, type: 'bench', title: `task ${i}`, state, priority: 0, parent_id: null, spawn_key: null,
    input: JSON.stringify({ i, url: `https://example.invalid/v/${i}` }), error: null, max_attempts: 3,
    run_at: now, dedupe_key: null, created_at: now, finished_at: null,
  };
}

function tx(db: Db): <T>(fn: () => T) => T {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return (fn) => {
    begin.run();
    try {
      const out = fn();
      commit.run();
      return out;
    } catch (e) {
      rollback.run();
      throw e;
    }
  };
}

/** n creates, one transaction each: the task row and its 'created' event. */
export function rawCreateOne(db: Db, n: number, now: number): void {
  const inTx = tx(db);
  for (let i = 0; i < n; i++) {
    inTx(() => {
      const id = newId();
      insertTask(db).run(row(id, i, 'queued', now));
      insertEvent(db).get(id, 'created', null, 'queued', null, now);
    });
  }
}

/** One graph in one transaction: per node, look up each dependency's state, insert row, edges, event. */
export function rawCreateGraph(db: Db, deps: number[][], now: number): void {
  tx(db)(() => {
    const ids: string[] = [];
    deps.forEach((d, i) => {
      let state = 'queued';
      for (const j of d) if (selectTaskState(db).get(ids[j]!)!.state !== 'completed') state = 'blocked';
      const id = newId();
      ids.push(id);
      insertTask(db).run(row(id, i, state, now));
      for (const j of d) insertDep(db).run(id, ids[j]!);
      insertEvent(db).get(id, 'created', null, state, null, now);
    });
  });
}

/** Inserts n queued tasks in one transaction (setup, not measured). */
export function rawFill(db: Db, n: number, now: number): void {
  tx(db)(() => {
    for (let i = 0; i < n; i++) insertTask(db).run(row(newId(), i, 'queued', now));
  });
}

/** n cycles of: claim one (select, update, event) then complete it (select, update, event, dependents). */
export function rawClaimComplete(db: Db, n: number, now: number): number {
  const inTx = tx(db);
  const data = JSON.stringify({ leaseOwner: 'bench' });
  let done = 0;
  for (let i = 0; i < n; i++) {
    const id = inTx(() => {
      const r = claimCandidates(db).all(now, 1)[0];
      if (!r) return null;
      claimOne(db).run('bench', now, now, r.id);
      insertEvent(db).get(r.id, 'state', 'queued', 'running', data, now);
      return r.id;
    });
    if (id === null) break;
    inTx(() => {
      const t = selectTask(db).get(id)!;
      updateState(db).run({
        id, from: t.state, state: 'completed', attempt: t.attempt, lease_owner: null, error: null, result: '{"ok":true}',
        run_at: t.run_at, recoveries: t.recoveries, started_at: t.started_at, finished_at: now, updated_at: now, expect_lease: 'bench',
      });
      insertEvent(db).get(id, 'state', 'running', 'completed', null, now);
      selectDependents(db).all(id);
    });
    done++;
  }
  return done;
}

/** The first page of the unfiltered listing, as rows. */
export function rawFirstPage(db: Db, limit: number, states?: string[]): number {
  return listTasks(db, { limit: limit + 1, ...(states ? { states } : {}) }).length;
}
