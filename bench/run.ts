/**
 * `npm run bench`: runs every benchmark section and prints ONE JSON document on stdout
 * (progress goes to stderr). Sections are plain modules so others can append theirs (engine,
 * RPC, downloads). BENCH_QUICK=1 shrinks the sizes for a smoke run.
 */
import { cpus } from 'node:os';

/** One benchmark section: its figures, each beside a raw baseline where one exists. */
export interface BenchSection {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

/** A section whose module is loaded only when it runs, so one broken section cannot stop the others. */
function lazy(name: string, load: () => Promise<{ run(): Promise<Record<string, unknown>> }>): BenchSection {
  return { name, run: async () => (await load()).run() };
}

/** Every section, in run order; append new ones here. `tsx bench/run.ts queue engine` runs a subset. */
export const SECTIONS: BenchSection[] = [
  lazy('queue', () => import('./queue/section')),
  lazy('engine', () => import('./engine')),
  lazy('rpc', () => import('./rpc')),
  lazy('rpc-service', () => import('./rpc-service')),
  lazy('download', () => import('./download')),
  lazy('ui', () => import('./ui')),
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const started = Date.now();
  const results: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    if (only.length > 0 && !only.includes(section.name)) continue;
    process.stderr.write(`bench: ${section.name}...\n`);
    const t0 = Date.now();
    try {
      results[section.name] = { ...(await section.run()), seconds: (Date.now() - t0) / 1000 };
    } catch (e) {
      results[section.name] = { error: e instanceof Error ? e.message : String(e) };
      process.exitCode = 1;
    }
  }
  const doc = {
    quick: process.env.BENCH_QUICK === '1',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    at: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    sections: results,
  };
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

await main();
