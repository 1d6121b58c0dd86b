import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../src/task-service/db/migrate';
import { openDatabase } from '../src/task-service/db/open';
import type { Db } from '../src/task-service/db/statement';
import type { GraphNode } from '../src/shared/schemas';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { rawClaimComplete, rawCreateGraph, rawCreateOne, rawFill, rawFirstPage } from './store-raw';

/**
 * TaskStore throughput beside a raw better-sqlite3 baseline (bench/store-raw.ts) in the same
 * run. Each figure runs store and raw on separate fresh files, alternating in rounds so drift
 * (GC, CPU clocks, WAL growth) hits both alike; ratio = store / raw, aim >= 0.6.
 */

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = QUICK
  ? { creates: 1_000, graphs: 3, claims: 1_000, listTasks: 20_000, pages: 300, rounds: 3 }
  : { creates: 5_000, graphs: 7, claims: 5_000, listTasks: 100_000, pages: 2_000, rounds: 7 };
const GRAPH = 1_000;
const NOW = 1_700_000_000_000;

interface Pair {
  store: SqliteTaskStore;
  raw: Db;
}

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Timing {
  storeS: number[];
  rawS: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * ops/s of each side over all rounds, and the ratio as the median of per-round ratios: on a
 * shared 2-core machine one noisy round (another process fsyncing) should not decide it.
 */
function figure(unit: string, opsPerRound: number, t: Timing): Record<string, unknown> {
  const ops = opsPerRound * t.storeS.length;
  const ratios = t.storeS.map((s, i) => t.rawS[i]! / s);
  return {
    unit,
    ops,
    store: Math.round(ops / sum(t.storeS)),
    raw: Math.round(ops / sum(t.rawS)),
    ratio: Number(median(ratios).toFixed(3)),
    roundRatios: ratios.map((r) => Number(r.toFixed(2))),
  };
}

/** Runs `body` with a fresh store file and a fresh raw file (same pragmas, same migrated schema). */
function withPair<T>(dir: string, tag: string, body: (p: Pair) => T): T {
  const { store } = openTaskStore(join(dir, `${tag}-store.db`));
  const { db: raw } = openDatabase(join(dir, `${tag}-raw.db`));
  migrate(raw);
  try {
    return body({ store, raw });
  } finally {
    store.close();
    raw.close();
  }
}

/** Alternates store and raw for `rounds` rounds (who goes first alternates too); returns each round's seconds. */
function alternate(rounds: number, storeRound: (r: number) => void, rawRound: (r: number) => void): Timing {
  // One untimed warm-up round each (index `rounds`), so JIT compilation is not billed to whoever goes first.
  storeRound(rounds);
  rawRound(rounds);
  const t: Timing = { storeS: [], rawS: [] };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      t.storeS.push(seconds(() => storeRound(r)));
      t.rawS.push(seconds(() => rawRound(r)));
    } else {
      t.rawS.push(seconds(() => rawRound(r)));
      t.storeS.push(seconds(() => storeRound(r)));
    }
  }
  return t;
}

function graphNodes(g: number): { nodes: GraphNode[]; deps: number[][] } {
  // chains of 10: node i depends on i - 1 unless it starts a chain; a realistic import shape
  const deps = Array.from({ length: GRAPH }, (_, i) => (i % 10 === 0 ? [] : [i - 1]));
  const nodes = deps.map((d, i) => ({ key: `g${g}n${i}`, type: 'bench', title: `task ${i}`, input: { i, url: `https://example.invalid/v/${i}` }, dependsOn: d.map((j) => `g${g}n${j}`) }));
  return { nodes, deps };
}

function createOne(dir: string): Record<string, unknown> {
  return withPair(dir, 'create', ({ store, raw }) => {
    const per = Math.ceil(SIZES.creates / SIZES.rounds);
    const input = (i: number) => ({ i, url: `https://example.invalid/v/${i}` });
    const t = alternate(
      SIZES.rounds,
      () => {
        for (let i = 0; i < per; i++) store.create({ type: 'bench', title: `task ${i}`, input: input(i) }, NOW);
      },
      () => rawCreateOne(raw, per, NOW),
    );
    return figure('tasks/s, one transaction each', per, t);
  });
}

function createGraphs(dir: string): Record<string, unknown> {
  return withPair(dir, 'graph', ({ store, raw }) => {
    const graphs = Array.from({ length: SIZES.graphs + 1 }, (_, r) => graphNodes(r)); // built outside the timing
    const t = alternate(
      SIZES.graphs,
      (r) => void store.createGraph({ tasks: graphs[r]!.nodes }, NOW),
      (r) => rawCreateGraph(raw, graphs[r]!.deps, NOW),
    );
    return figure(`tasks/s in graphs of ${GRAPH}`, GRAPH, t);
  });
}

function claimComplete(dir: string): Record<string, unknown> {
  return withPair(dir, 'claim', ({ store, raw }) => {
    const per = Math.ceil(SIZES.claims / SIZES.rounds);
    rawFill(store.db, per * (SIZES.rounds + 1), NOW);
    rawFill(raw, per * (SIZES.rounds + 1), NOW);
    const t = alternate(
      SIZES.rounds,
      () => {
        for (let i = 0; i < per; i++) {
          const [task] = store.claim({ bootId: 'bench', now: NOW, limit: 1, capacity: null });
          store.transition(task!.id, 'completed', NOW, { result: { ok: true } });
        }
      },
      () => void rawClaimComplete(raw, per, NOW),
    );
    return figure('claim+complete cycles/s', per, t);
  });
}

function firstPage(dir: string): Record<string, unknown> {
  // One file, one connection: both sides read the same 100,000 rows.
  return withPair(dir, 'list', ({ store }) => {
    rawFill(store.db, SIZES.listTasks, NOW);
    store.db.prepare("UPDATE tasks SET state = 'completed' WHERE rowid % 3 = 0").run();
    const per = Math.ceil(SIZES.pages / SIZES.rounds);
    const out: Record<string, unknown> = { tasks: SIZES.listTasks, limit: 50 };
    for (const [label, states] of [['all', undefined], ['queued+completed', ['queued', 'completed'] as const]] as const) {
      const t = alternate(
        SIZES.rounds,
        () => {
          for (let i = 0; i < per; i++) store.list({ limit: 50, ...(states ? { states: [...states] } : {}) });
        },
        () => {
          for (let i = 0; i < per; i++) rawFirstPage(store.db, 50, states ? [...states] : undefined);
        },
      );
      out[label] = { ...figure('first pages/s', per, t), storeMsPerPage: Number(((sum(t.storeS) / (per * SIZES.rounds)) * 1000).toFixed(3)) };
    }
    return out;
  });
}

export const storeSection = {
  name: 'store',
  async run(): Promise<Record<string, unknown>> {
    const dir = mkdtempSync(join(tmpdir(), 'playlistify-bench-store-'));
    try {
      return {
        pragmas: 'WAL, synchronous=NORMAL, foreign_keys=ON (both sides)',
        createOne: createOne(dir),
        createGraph: createGraphs(dir),
        claimComplete: claimComplete(dir),
        listFirstPage: firstPage(dir),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
