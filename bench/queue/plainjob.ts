import { better, defineQueue, defineWorker } from 'plainjob';
import { openWal, tick, tmpFile, type Contender } from './contender';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };

/** The peer: plainjob 0.0.14 on better-sqlite3 (it sets WAL + synchronous=NORMAL itself too). */
export function openPlainjob(): Contender {
  const t = tmpFile('plainjob');
  const db = openWal(t.file);
  const queue = defineQueue({ connection: better(db), logger: quiet });
  return {
    name: 'plainjob',
    file: t.file,
    enqueueOne(n) {
      for (let i = 0; i < n; i++) queue.add('noop', {});
    },
    enqueueBulk(n) {
      queue.addMany('noop', Array.from({ length: n }, () => ({})));
    },
    async process(n, concurrency) {
      let done = 0;
      let finish!: () => void;
      const all = new Promise<void>((r) => (finish = r));
      // plainjob runs one job at a time per worker: concurrency = workers.
      const workers = Array.from({ length: concurrency }, () =>
        defineWorker('noop', () => tick(), {
          queue,
          logger: quiet,
          pollIntervall: 1,
          onCompleted: () => {
            if (++done === n) finish();
          },
        }),
      );
      for (const w of workers) void w.start();
      await all;
      await Promise.all(workers.map((w) => w.stop()));
    },
    close() {
      queue.close();
      db.close();
      t.dispose();
    },
  };
}
