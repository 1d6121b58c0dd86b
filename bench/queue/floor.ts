import { migrate } from '../../src/task-service/db/migrate';
import { SAFETY_PAGES } from '../../src/task-service/store/wal';
import { openWal, tick, tmpFile, type Contender } from './contender';

/**
 * The floor of our schema: the writes our store must make per task, and nothing else, on the
 * same tables and indexes (the real migrations), with no engine, no validation, no Task objects
 * and no re-reads. An enqueue is BEGIN, the task row, its 'created' journal entry, COMMIT. A job
 * is what our group commit does per event-loop turn: one transaction that completes the jobs the
 * last turn started (row update + journal entry each) and claims the next ones (claim-index
 * read, row update + journal entry each). Not a contender to beat: it shows how much of a gap
 * to the raw queue is the schema itself (five b-trees per task, two journal entries per job)
 * and how much is our code. No engine could run faster on this schema. It checkpoints the WAL
 * as our store does (no automatic checkpoint short of SAFETY_PAGES; our timer never fires inside
 * these synchronous loops either) and writes a bulk create in multi-row INSERTs, as ours does.
 */
export function openFloor(): Contender {
  const t = tmpFile('floor');
  const db = openWal(t.file);
  db.pragma('foreign_keys = ON');
  db.pragma(`wal_autocheckpoint = ${SAFETY_PAGES}`);
  migrate(db);
  let seq = 0;
  // Every column is bound, as a store that takes any task must; no value is a literal in the SQL.
  const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const taskParams = (taskId: string, now: number): unknown[] => [taskId, 'noop', 'noop', 'queued', 0, null, null, '{}', null, 3, now, null, now, null, now];
  const insertTask = db.prepare(`INSERT INTO tasks (id, type, title, state, priority, parent_id, spawn_key, input, error,
    max_attempts, run_at, dedupe_key, created_at, finished_at, updated_at) VALUES ${ROW}`);
  const journal = db.prepare('INSERT INTO task_events (seq, task_id, kind, from_state, to_state, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const candidates = db.prepare(`SELECT id FROM tasks INDEXED BY tasks_claim_type
    WHERE type = 'noop' AND state = 'queued' AND run_at <= ? ORDER BY priority DESC, run_at, id LIMIT ?`).pluck();
  const claim = db.prepare(`UPDATE tasks SET state = 'running', attempt = attempt + 1, lease_owner = 'boot', started_at = ?, updated_at = ?
    WHERE id = ? AND state = 'queued'`);
  const complete = db.prepare(`UPDATE tasks SET state = 'completed', lease_owner = NULL, result = 'null', refunded_attempts = refunded_attempts + 1,
    finished_at = ?, updated_at = ? WHERE id = ? AND state = 'running'`);
  let nextId = Date.now() * 1000;
  const id = () => (nextId++).toString(32).toUpperCase().padStart(10, '0') + '0000000000000000';
  const create = (): void => {
    const now = Date.now();
    const taskId = id();
    insertTask.run(...taskParams(taskId, now));
    journal.run(++seq, taskId, 'created', null, 'queued', null, now);
  };
  const createTx = db.transaction(create);
  const CHUNK = 64;
  const rows = (k: number, one: string) => Array(k).fill(one).join(',');
  const bulkTasks = db.prepare(`INSERT INTO tasks (id, type, title, state, priority, parent_id, spawn_key, input, error,
    max_attempts, run_at, dedupe_key, created_at, finished_at, updated_at) VALUES ${rows(CHUNK, ROW)}`);
  const bulkEvents = db.prepare(`INSERT INTO task_events (seq, task_id, kind, from_state, to_state, data, at) VALUES ${rows(CHUNK, '(?, ?, ?, ?, ?, ?, ?)')}`);
  const bulk = db.transaction((n: number) => {
    let done = 0;
    for (; n - done >= CHUNK; done += CHUNK) {
      const now = Date.now();
      const ids = Array.from({ length: CHUNK }, id);
      bulkTasks.run(...ids.flatMap((i) => taskParams(i, now)));
      bulkEvents.run(...ids.flatMap((i) => [++seq, i, 'created', null, 'queued', null, now]));
    }
    for (; done < n; done++) create();
  });
  /** One turn: complete what ran, claim up to `room`. */
  const turn = db.transaction((finished: string[], room: number): string[] => {
    const now = Date.now();
    for (const f of finished) {
      complete.run(now, now, f);
      journal.run(++seq, f, 'state', 'running', 'completed', null, now);
    }
    const claimed = candidates.all(now, room) as string[];
    for (const c of claimed) {
      claim.run(now, now, c);
      journal.run(++seq, c, 'state', 'queued', 'running', '{"leaseOwner":"boot"}', now);
    }
    return claimed;
  });
  return {
    name: 'floor',
    file: t.file,
    enqueueOne(n) {
      for (let i = 0; i < n; i++) createTx.immediate();
    },
    enqueueBulk: (n) => bulk.immediate(n),
    async process(_n, concurrency) {
      let running = turn.immediate([], concurrency);
      while (running.length > 0) {
        // The jobs themselves: each yields once, as every contender's no-op job does.
        await Promise.all(running.map(() => tick()));
        running = turn.immediate(running, concurrency);
      }
    },
    close() {
      db.close();
      t.dispose();
    },
  };
}
