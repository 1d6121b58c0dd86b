import { cpuUsage } from 'node:process';
import type { Contender, Opener } from './contender';
import { openOurs } from './ours';
import { openPlainjob } from './plainjob';
import { openRaw } from './raw';
import { openFloor } from './floor';
import { finishedTasks } from './finished';
import { enqueueToStart } from './latency';
import { walFrames } from './wal';

/**
 * Ours against a minimal raw better-sqlite3 queue (the floor) and plainjob (a peer), N no-op jobs
 * each: enqueued one by one, created in bulk, processed at concurrency 8 and 1. Every scenario
 * runs ROUNDS times, contenders interleaved (their order rotates each round), each on a fresh
 * file; a figure is the median of its rounds, as jobs per wall second and per CPU second of this
 * process. Ratios compare medians of the same run, so machine load skews both sides alike.
 * A fourth queue, `floor` (floor.ts), makes only the writes our schema needs per task: it is not
 * a peer but the best any engine could do on our tables, so floor / raw shows how much of the
 * gap is the schema and ours / floor how much is our code.
 */

const QUICK = process.env.BENCH_QUICK === '1';
const N = Number(process.env.BENCH_QUEUE_N ?? (QUICK ? 2_000 : 20_000));
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));

const OPENERS: Record<string, Opener> = { raw: openRaw, plainjob: openPlainjob, ours: openOurs, floor: openFloor };

type Scenario = 'enqueue' | 'bulk' | 'c8' | 'c1';
const SCENARIOS: Scenario[] = ['enqueue', 'bulk', 'c8', 'c1'];

interface Rate {
  perSec: number;
  perCpuSec: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function once(open: Opener, scenario: Scenario): Promise<Rate> {
  const c = await open();
  try {
    if (scenario === 'c8' || scenario === 'c1') await c.enqueueBulk(N);
    const cpu0 = cpuUsage();
    const t0 = performance.now();
    if (scenario === 'enqueue') await c.enqueueOne(N);
    else if (scenario === 'bulk') await c.enqueueBulk(N);
    else await c.process(N, scenario === 'c8' ? 8 : 1);
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuUsage(cpu0);
    return { perSec: N / wall, perCpuSec: N / ((cpu.user + cpu.system) / 1e6) };
  } finally {
    await c.close();
  }
}

/** Frames per enqueue and per processed job (c8, c1), each from an untimed pass on a fresh file. */
async function walPerOp(open: Opener, n: number): Promise<Record<string, number>> {
  const pass = async (scenario: Scenario): Promise<number> => {
    const c: Contender = await open();
    try {
      if (scenario === 'enqueue') return (await walFrames(c, () => c.enqueueOne(n))) / n;
      await c.enqueueBulk(n);
      return (await walFrames(c, () => c.process(n, scenario === 'c8' ? 8 : 1))) / n;
    } finally {
      await c.close();
    }
  };
  return { perEnqueue: r2(await pass('enqueue')), perJobC8: r2(await pass('c8')), perJobC1: r2(await pass('c1')) };
}

export async function run(): Promise<Record<string, unknown>> {
  const names = Object.keys(OPENERS);
  for (const name of names) await once(OPENERS[name]!, 'c8'); // warm-up: JIT, statement caches
  const samples: Record<string, Record<Scenario, Rate[]>> = {};
  for (const name of names) samples[name] = { enqueue: [], bulk: [], c8: [], c1: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const scenario of SCENARIOS) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length]!;
        const rate = await once(OPENERS[name]!, scenario);
        process.stderr.write(`queue: round ${round + 1} ${scenario} ${name}: ${Math.round(rate.perSec)}/s\n`);
        samples[name]![scenario].push(rate);
      }
    }
  }
  const medians: Record<string, Record<Scenario, Rate>> = {};
  for (const name of names) {
    const m = {} as Record<Scenario, Rate>;
    for (const s of SCENARIOS) {
      m[s] = { perSec: Math.round(median(samples[name]![s].map((x) => x.perSec))), perCpuSec: Math.round(median(samples[name]![s].map((x) => x.perCpuSec))) };
    }
    medians[name] = m;
  }
  const ratio = (s: Scenario, base: string, baseScenario: Scenario = s, who = 'ours') => ({
    wall: r2(medians[who]![s].perSec / medians[base]![baseScenario].perSec),
    cpu: r2(medians[who]![s].perCpuSec / medians[base]![baseScenario].perCpuSec),
  });
  const wal: Record<string, unknown> = {};
  for (const name of names) wal[name] = await walPerOp(OPENERS[name]!, Math.min(N, 2_000));
  process.stderr.write('queue: enqueue-to-start at idle\n');
  const latency = await enqueueToStart(QUICK ? 200 : 1_000);
  process.stderr.write('queue: 100,000 finished tasks in the built bundle\n');
  const finished = await finishedTasks(QUICK ? 20_000 : 100_000);
  return {
    method: `N=${N} no-op jobs per run; median of ${ROUNDS} interleaved rounds; jobs/s (wall) and jobs per CPU second`,
    ratios: {
      enqueueVsRaw: ratio('enqueue', 'raw'),
      enqueueVsPlainjob: ratio('enqueue', 'plainjob'),
      bulkVsRawEnqueue: ratio('bulk', 'raw', 'enqueue'),
      processC8VsRaw: ratio('c8', 'raw'),
      processC8VsPlainjob: ratio('c8', 'plainjob'),
      processC1VsRaw: ratio('c1', 'raw'),
      processC1VsPlainjob: ratio('c1', 'plainjob'),
    },
    /** The schema's own cost: floor / raw is the best any engine could reach on our tables; ours / floor is what our code adds. */
    schemaFloor: {
      floorVsRaw: { enqueue: ratio('enqueue', 'raw', 'enqueue', 'floor'), bulkVsRawEnqueue: ratio('bulk', 'raw', 'enqueue', 'floor'), c8: ratio('c8', 'raw', 'c8', 'floor'), c1: ratio('c1', 'raw', 'c1', 'floor') },
      oursVsFloor: { enqueue: ratio('enqueue', 'floor'), bulk: ratio('bulk', 'floor'), c8: ratio('c8', 'floor'), c1: ratio('c1', 'floor') },
    },
    walPages: wal,
    enqueueToStartAtIdle: latency,
    finishedTasksInBundle: finished,
    medians,
  };
}
