import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskContext } from '../src/task-service/engine/define';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { DownloadRoots } from '../src/task-service/tasks/download/roots';
import { createVideoDownload, type VideoDownloadInput } from '../src/task-service/tasks/video-download';

/**
 * Our download against `curl -o` (Debian's curl) fetching the same file from the same nginx on
 * loopback, in the same run. Ours runs as the app runs it: sha256 on (on the hashing thread),
 * checkpoints through the real TaskStore on a SQLite file (fsync of the .part, then a commit)
 * at the default cadence. Rounds interleave the sides, rotating which goes first, and
 * figures are medians. CPU time is user+sys: curl's from the shell's `times` (its child), ours
 * from process.cpuUsage() around the download (every thread of this process: the transfer, the
 * hashing thread, SQLite). nginx runs in its own process, so neither side is charged for it.
 * Ours also makes the file durable (fsync) and curl does not: the writeback curl leaves behind
 * is done by the untimed `sync` between sides and charged to neither.
 * An untimed first round warms every side up. Targets: speed >= 0.9x curl's, CPU time <= 1.5x
 * curl's. BENCH_QUICK=1: 64 MiB, 3 rounds.
 * Beside them, a like-for-like baseline: curl -o, then openssl dgst -sha256 (see curlThenSha256).
 */

export const name = 'download';

const MiB = 1024 * 1024;
const QUICK = process.env.BENCH_QUICK === '1';

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** nginx in the foreground, serving `root` on a loopback port, with every path under `dir`. */
async function startNginx(dir: string, root: string): Promise<{ url: (file: string) => string; stop: () => Promise<void>; version: string }> {
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const tmp = (n: string): string => path.join(dir, n);
  await fs.writeFile(
    conf,
    `daemon off; master_process off; worker_processes 1; pid ${tmp('nginx.pid')}; error_log ${tmp('error.log')};
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path ${tmp('cb')}; proxy_temp_path ${tmp('px')}; fastcgi_temp_path ${tmp('fc')}; uwsgi_temp_path ${tmp('uw')}; scgi_temp_path ${tmp('sc')};
  types { video/mp4 mp4; }
  server { listen 127.0.0.1:${port}; root ${root}; } }
`,
  );
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', conf], { stdio: 'ignore' });
  const url = (file: string): string => `http://127.0.0.1:${port}/${file}`;
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => http.get(url('none'), (res) => (res.resume(), resolve(true))).on('error', () => resolve(false)));
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`nginx did not start (see ${tmp('error.log')})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // nginx -v prints to stderr.
  const v = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  const version = `${v.stdout}${v.stderr}`.trim().replace(/^nginx version: /, '') || 'nginx';
  return { url, version, stop: async () => void (child.kill('SIGTERM'), await new Promise((r) => child.once('exit', r))) };
}

/** Runs `script` under sh (args $1..), then the shell's `times`: the CPU time of its children. */
function timedShell(script: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const sh = spawn('sh', ['-c', `${script} && times`, 'sh', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sh.once('exit', (code) => {
      // Second line: children's user and sys, e.g. "0m0.120s 0m0.340s".
      const line = out.trim().split('\n')[1] ?? '';
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (code !== 0 || secs.length !== 2) return reject(new Error(`${script} failed (${code}): ${out}`));
      resolve(secs[0]! + secs[1]!);
    });
  });
}

/** curl -o, timed by the shell. */
function curl(url: string, file: string): Promise<number> {
  return timedShell('curl -sS --fail -o "$1" "$2"', [file, url]);
}

/**
 * The like-for-like baseline: curl -o, then the sha256 of the file by `openssl dgst` (SHA-NI,
 * as our hashing thread uses; Debian's sha256sum has none and is ~5x slower, so it would flatter
 * us). The two run one after the other, so only its CPU time compares with ours; its speed is
 * printed for completeness. Resolves to [cpu seconds, hex digest].
 */
async function curlThenSha256(url: string, file: string): Promise<[number, string]> {
  const digestFile = `${file}.sha256`;
  const cpu = await timedShell('curl -sS --fail -o "$1" "$2" && openssl dgst -sha256 -r -out "$3" "$1"', [file, url, digestFile]);
  const digest = (await fs.readFile(digestFile, 'utf8')).split(' ')[0]!;
  await fs.rm(digestFile, { force: true });
  return [cpu, digest];
}

const hasOpenssl = (): boolean => spawnSync('openssl', ['version']).status === 0;

/** A context whose checkpoints go through the real store, as the engine's do. */
function benchContext(input: VideoDownloadInput, store: SqliteTaskStore): { ctx: TaskContext<VideoDownloadInput, DownloadCheckpoint>; checkpoints: () => number } {
  const { task } = store.create({ type: 'video-download', input }, Date.now());
  let count = 0;
  const ctx = {
    input,
    task,
    attempt: 1,
    run: 1,
    signal: new AbortController().signal,
    checkpoint: null,
    saveCheckpoint: async (state: DownloadCheckpoint) => {
      store.saveCheckpoint(task.id, state, Date.now());
      count += 1;
    },
    progress: () => undefined,
    spawn: async () => [],
    log: () => undefined,
    setTitle: async () => undefined,
  };
  return { ctx, checkpoints: () => count };
}

async function writeSource(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let block = createHash('sha256').update('bench').digest();
  const chunk = Buffer.alloc(MiB);
  for (let done = 0; done < size; done += chunk.length) {
    for (let o = 0; o < chunk.length; o += 32) (block = createHash('sha256').update(block).digest()).copy(chunk, o);
    const piece = chunk.subarray(0, Math.min(chunk.length, size - done));
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return hash.digest('hex');
}

/** CPU seconds of sha256 alone over the file (read untimed): the floor any hashing download pays above a copy. */
async function hashOnlyCpu(file: string): Promise<number> {
  const bytes = await fs.readFile(file);
  const c0 = process.cpuUsage();
  createHash('sha256').update(bytes).digest('hex');
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export async function run(options: { sizeMiB?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const size = (options.sizeMiB ?? (QUICK ? 64 : 256)) * MiB;
  const rounds = Math.max(3, options.rounds ?? (QUICK ? 3 : 5));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-download-'));
  const www = path.join(dir, 'www');
  const out = path.join(dir, 'out');
  await fs.mkdir(www);
  await fs.mkdir(out);
  const sha256 = await writeSource(path.join(www, 'v.mp4'), size);
  const nginx = await startNginx(dir, www);
  const { store } = openTaskStore(path.join(dir, 'bench.sqlite'));
  const def = createVideoDownload({ roots: new DownloadRoots([dir]) }); // downloads are confined to their roots
  type Side = 'curl' | 'ours' | 'curlThenSha256';
  const sides: Side[] = hasOpenssl() ? ['curl', 'ours', 'curlThenSha256'] : ['curl', 'ours'];
  const speed: Record<Side, number[]> = { curl: [], ours: [], curlThenSha256: [] };
  const cpu: Record<Side, number[]> = { curl: [], ours: [], curlThenSha256: [] };
  let checkpoints = 0;
  const hashCpu: number[] = [];
  try {
    for (let i = 0; i < 3; i++) hashCpu.push(await hashOnlyCpu(path.join(www, 'v.mp4')));
    // Round -1 warms every side up and is not counted: the service is a long-lived process, so
    // its first download (JIT, the hashing thread starting) is not what users see after that.
    for (let r = -1; r < rounds; r++) {
      // Each round rotates which side goes first.
      const k = (r + sides.length) % sides.length;
      for (const side of [...sides.slice(k), ...sides.slice(0, k)]) {
        const file = path.join(out, `${side}-${r}.mp4`);
        const t0 = process.hrtime.bigint();
        let cpuSeconds: number;
        if (side === 'curl') {
          cpuSeconds = await curl(nginx.url('v.mp4'), file);
        } else if (side === 'curlThenSha256') {
          let digest: string;
          [cpuSeconds, digest] = await curlThenSha256(nginx.url('v.mp4'), file);
          if (digest !== sha256) throw new Error('curl then openssl dgst: wrong sha256');
        } else {
          const c0 = process.cpuUsage();
          const { ctx, checkpoints: n } = benchContext({ url: nginx.url('v.mp4'), dir: out, filename: path.basename(file) }, store);
          const result = (await def.run(ctx)) as { sha256: string };
          if (result.sha256 !== sha256) throw new Error('our download has the wrong sha256');
          const c = process.cpuUsage(c0);
          cpuSeconds = (c.user + c.system) / 1e6;
          checkpoints = n();
        }
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (r >= 0) {
          speed[side].push(size / MiB / seconds);
          cpu[side].push(cpuSeconds);
        }
        await fs.rm(file, { force: true });
        // Untimed: let the kernel finish writing back this side's file, so the next side does
        // not pay for it (curl leaves hundreds of MiB dirty; our checkpoints' fsyncs then queued
        // behind them and halved our speed in rounds where curl went first).
        spawnSync('sync');
      }
    }
  } finally {
    store.close();
    await nginx.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
  const speedRatio = r2(median(speed.ours) / median(speed.curl));
  const cpuRatio = r2(median(cpu.ours) / median(cpu.curl));
  return {
    name,
    server: nginx.version,
    sizeMiB: size / MiB,
    rounds,
    sha256: 'on',
    checkpointsPerDownload: checkpoints,
    curlMiBps: r2(median(speed.curl)),
    oursMiBps: r2(median(speed.ours)),
    speedRatio,
    curlCpuSeconds: r2(median(cpu.curl)),
    oursCpuSeconds: r2(median(cpu.ours)),
    cpuRatio,
    /** sha256 alone over the same bytes: ours minus this is what the transfer itself costs. */
    sha256OnlyCpuSeconds: r2(median(hashCpu)),
    cpuRatioWithoutSha256: r2((median(cpu.ours) - median(hashCpu)) / median(cpu.curl)),
    /** The lowest cpuRatio a download that hashes can reach with a transfer exactly as cheap as
     * curl's: curl hashes nothing, and sha256 alone (SHA-NI) costs about as much as curl's run. */
    cpuRatioFloorWithSha256: r2((median(cpu.curl) + median(hashCpu)) / median(cpu.curl)),
    /** MiB per CPU second: how much each side gets out of the CPU it uses. */
    curlMiBPerCpuSecond: r2(size / MiB / median(cpu.curl)),
    oursMiBPerCpuSecond: r2(size / MiB / median(cpu.ours)),
    /** Like-for-like, beside the targets (not instead of them): curl -o and then openssl dgst -sha256
     * over the file, the same work as ours done by the usual tools. null: no openssl here. */
    curlThenSha256: sides.includes('curlThenSha256')
      ? { MiBps: r2(median(speed.curlThenSha256)), cpuSeconds: r2(median(cpu.curlThenSha256)), oursCpuRatio: r2(median(cpu.ours) / median(cpu.curlThenSha256)), oursSpeedRatio: r2(median(speed.ours) / median(speed.curlThenSha256)) }
      : null,
    targets: { speedRatio: '>= 0.9', cpuRatio: '<= 1.5' },
    met: speedRatio >= 0.9 && cpuRatio <= 1.5,
    perRound: { curlMiBps: speed.curl.map(r2), oursMiBps: speed.ours.map(r2), curlCpu: cpu.curl.map(r2), oursCpu: cpu.ours.map(r2), curlThenSha256Cpu: cpu.curlThenSha256.map(r2) },
  };
}

export default { name, run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
