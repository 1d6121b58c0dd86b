import { openWal, tick, tmpFile, type Contender } from './contender';

/**
 * The floor: a minimal-schema queue on raw better-sqlite3. One table, one index, autocommit
 * statements: insert, claim = UPDATE ... RETURNING of the oldest due job, complete = UPDATE.
 * No journal, no validation, no leases, no retries: what any queue must at least do.
 */
export function openRaw(): Contender {
  const t = tmpFile('raw');
  const db = openWal(t.file);
  db.exec(`CREATE TABLE jobs (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER);
    CREATE INDEX jobs_due ON jobs (state, run_at, id);`);
  const insert = db.prepare("INSERT INTO jobs (type, data, run_at) VALUES ('noop', ?, ?)");
  const claim = db.prepare(`UPDATE jobs SET state = 1, started_at = ?
    WHERE id = (SELECT id FROM jobs WHERE state = 0 AND run_at <= ? ORDER BY run_at, id LIMIT 1) RETURNING id, data`);
  const complete = db.prepare('UPDATE jobs SET state = 2, finished_at = ? WHERE id = ?');
  const bulk = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run('{}', Date.now());
  });
  return {
    name: 'raw',
    file: t.file,
    enqueueOne(n) {
      for (let i = 0; i < n; i++) insert.run('{}', Date.now());
    },
    enqueueBulk: (n) => bulk(n),
    async process(_n, concurrency) {
      const worker = async (): Promise<void> => {
        for (;;) {
          const now = Date.now();
          const job = claim.get(now, now) as { id: number; data: string } | undefined;
          if (job === undefined) return;
          JSON.parse(job.data);
          await tick();
          complete.run(Date.now(), job.id);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },
    close() {
      db.close();
      t.dispose();
    },
  };
}
