/**
 * `npm run bench:sim`: how fast and how faithful `eddy sim` is.
 *
 * Speed: the Gossip Glomers 3d flags (25 nodes, rate 100, latency 100,
 * 20 s + 10 s recovery) with `--nemesis partition`, one seed (target: at most
 * 1 s of wall time, i.e. >= 30x real time), timed both in this process
 * (first run cold, then warm) and as the whole `bin/eddy sim` command in a
 * fresh process; then a sweep of 100 seeds (target: at most 60 s).
 *
 * Fidelity: one real `bin/eddy test` run of eddy-broadcast on the 3d flags
 * (about 35 s) next to the same flags and seed in simulation, once in the
 * default schedule and once under --ideal-rate: msgs-per-op and the
 * operations issued (and their ratio to rate x time-limit) should agree
 * within 5 %, stable-latency median and max within 10 %.
 *
 * Flags: `--no-real` skips the real run, `--seeds K` changes the sweep size,
 * `--jobs N` its worker threads (default: CPUs), `--no-sweep` skips the
 * sweep, `--no-speed` skips both speed parts, `--profile P` is passed to the
 * node.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { figuresOf, formatSummary, simulate, summarise, sweep, type SeedFigures } from '../src/harness/sim.js';
import * as broadcast from '../src/nodes/broadcast/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const skipReal = argv.includes('--no-real');
const skipSweep = argv.includes('--no-sweep');
const skipSpeed = argv.includes('--no-speed');
const sweepSeeds = Number(flag('--seeds') ?? 100);
const profile = flag('--profile');
const nodeArgs = profile === undefined ? [] : ['--profile', profile];

const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-sim-'));
const module: NodeModule = fromExports('eddy-broadcast', broadcast as unknown as Record<string, unknown>, new URL('../src/nodes/broadcast/index.js', import.meta.url).href);
const jobs = Number(flag('--jobs') ?? os.availableParallelism());

/** The 3d flags as `eddy test` arguments (the real run) and as options (the simulation). */
const FLAGS_3D = ['--node-count', '25', '--time-limit', '20', '--rate', '100', '--latency', '100'];
const options3d = (over: Partial<TestOptions>): TestOptions => ({
  ...DEFAULT_OPTIONS,
  bin: 'eddy-broadcast',
  args: nodeArgs,
  nemesis: [],
  nodeCount: 25,
  timeLimitS: 20,
  rateHz: 100,
  latencyMs: 100,
  quiet: true,
  store,
  seed: 1,
  ...over,
});

const ms = (x: number): string => `${x.toFixed(0)} ms`;
const pct = (a: number, b: number): number => (Math.abs(a - b) / Math.max(Math.abs(b), 1e-9)) * 100;

async function timedSim(o: TestOptions): Promise<SeedFigures & { cpuMs: number; picturesMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await simulate(o, { module });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // The runner draws the pictures at the end of every run and says how long that took.
  return { ...figuresOf(outcome, wallMs, 'broadcast'), cpuMs: (cpu.user + cpu.system) / 1000, picturesMs: outcome.renderMs ?? 0 };
}

async function speed(): Promise<void> {
  console.log('== Speed: 3d flags + --nemesis partition (25 nodes, rate 100, latency 100, 20 s + 10 s recovery) ==');
  console.log(`   machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine inflates wall time)`);
  // The first run pays for module loading and JIT warm-up; report it, then steady state.
  const runs: Awaited<ReturnType<typeof timedSim>>[] = [];
  for (let seed = 1; seed <= 3; seed++) runs.push(await timedSim(options3d({ seed, nemesis: ['partition'] })));
  for (const r of runs) {
    console.log(
      `   seed ${r.seed}: ${r.valid === true ? 'valid' : String(r.valid)}, wall ${ms(r.wallMs)} (cpu ${ms(r.cpuMs)}; of which drawing pictures ${ms(r.picturesMs)}), ${(30_000 / r.wallMs).toFixed(0)}x real time` +
        ` — target <= 1000 ms: ${r.wallMs <= 1000 ? 'met' : 'NOT met'}`,
    );
  }
  // What a user sees: the whole command, Node.js start-up and module loading included.
  for (let seed = 1; seed <= 3; seed++) {
    const args = ['bin/eddy', 'sim', '-w', 'broadcast', ...FLAGS_3D, '--nemesis', 'partition', '--seed', String(seed), '--store', store, '--quiet', '--', ...nodeArgs];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
    const wallMs = performance.now() - t0;
    console.log(
      `   \`eddy sim ... --seed ${seed}\` as a command (fresh process): exit ${r.status}, wall ${ms(wallMs)}, ${(30_000 / wallMs).toFixed(0)}x real time` +
        ` — target <= 1000 ms: ${wallMs <= 1000 ? 'met' : 'NOT met'}`,
    );
  }
  if (skipSweep) return;
  console.log(`\n== Speed: ${sweepSeeds} seeds of the same, ${jobs} at a time (--jobs; target for 100: <= 60 s) ==`);
  const t0 = performance.now();
  const figures = await sweep({
    options: options3d({ nemesis: ['partition'] }),
    firstSeed: 1,
    count: sweepSeeds,
    module,
    keepValid: false,
    jobs,
    removeDir: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
  });
  const wallS = (performance.now() - t0) / 1000;
  console.log(formatSummary(summarise(figures)).join('\n'));
  const limitS = (60 * sweepSeeds) / 100;
  console.log(`   ${sweepSeeds} seeds in ${wallS.toFixed(1)} s wall (${((wallS * 1000) / sweepSeeds).toFixed(0)} ms per seed) — target <= ${limitS.toFixed(0)} s: ${wallS <= limitS ? 'met' : 'NOT met'}`);
}

function realRun(seed: number, ideal: boolean): Record<string, unknown> | null {
  const realStore = path.join(store, 'real');
  const args = ['bin/eddy', 'test', '-w', 'broadcast', '--bin', 'bin/eddy-broadcast', ...FLAGS_3D, ...(ideal ? ['--ideal-rate'] : []), '--seed', String(seed), '--store', realStore, '--quiet', '--', ...nodeArgs];
  console.log(`   real: node ${args.join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', maxBuffer: 256 << 20 });
  console.log(`   real run took ${((performance.now() - t0) / 1000).toFixed(1)} s, exit ${r.status}`);
  try {
    return JSON.parse(fs.readFileSync(path.join(realStore, 'latest', 'results.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    console.log(`   could not read the real run's results: ${e instanceof Error ? e.message : String(e)}\n${r.stderr.slice(-2000)}`);
    return null;
  }
}

async function fidelity(ideal: boolean): Promise<void> {
  const mode = ideal ? '--ideal-rate (rate x time-limit operations)' : 'the default schedule (Maelstrom-like late wake-ups)';
  console.log(`\n== Fidelity: eddy test (real processes, wall time) vs eddy sim, 3d flags, same seed, ${mode} ==`);
  const seed = 1;
  const sim = await timedSim(options3d({ seed, idealRate: ideal }));
  let real: SeedFigures | null = null;
  if (skipReal) {
    console.log('   (--no-real: the real run is skipped)');
  } else {
    const results = realRun(seed, ideal);
    if (results !== null) {
      real = figuresOf({ results, exitCode: 0, dir: '', seed, error: null, history: [], renderMs: null }, 0, 'broadcast');
    }
  }
  const rows: [string, number | null, number | null, number][] = [
    ['msgs-per-op (servers)', real?.msgsPerOp ?? null, sim.msgsPerOp, 5],
    ['  server messages', real?.serverMsgCount ?? null, sim.serverMsgCount, 5],
    ['  client operations', real?.opCount ?? null, sim.opCount, 5],
    ['  main-phase operations', real?.mainOps ?? null, sim.mainOps, 5],
    ['  ratio to rate x time', real?.opRatio ?? null, sim.opRatio, 5],
    ['stable latency median, ms', real?.stableLatencyMedianMs ?? null, sim.stableLatencyMedianMs, 10],
    ['stable latency max, ms', real?.stableLatencyMaxMs ?? null, sim.stableLatencyMaxMs, 10],
  ];
  console.log(`   ${'figure'.padEnd(28)} ${'eddy test'.padStart(10)} ${'eddy sim'.padStart(10)}  difference (allowed)`);
  for (const [name, r, s, allowed] of rows) {
    const diff = r !== null && s !== null ? pct(s, r) : null;
    const verdict = diff === null ? '' : diff <= allowed ? 'ok' : 'TOO FAR';
    console.log(
      `   ${name.padEnd(28)} ${(r === null ? '-' : r.toFixed(2)).padStart(10)} ${(s === null ? '-' : s.toFixed(2)).padStart(10)}  ${diff === null ? '-' : `${diff.toFixed(1)} %`} (${allowed} %) ${verdict}`,
    );
  }
  console.log(`   verdicts: eddy test ${real === null ? '-' : String(real.valid)}, eddy sim ${String(sim.valid)}; sim wall ${ms(sim.wallMs)}`);
  console.log('   (msgs-per-op = server messages / client operations; both runs draw the lateness of each operation from the');
  console.log('    seed, so they should issue the same number of operations, whatever the machine\'s own timer slack.)');
}

/**
 * `eddy check` throughput, as a user runs it (one fresh process per
 * command): 1,000 small broadcast histories in one command (histories per
 * second, Node.js start-up included), and one large history (operations
 * per second).
 */
async function checkSpeed(): Promise<void> {
  console.log('\n== Speed: eddy check (fresh process per command) ==');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-check-'));
  const small = await simulate({ ...options3d({ seed: 1 }), nodeCount: 5, timeLimitS: 5, rateHz: 10, latencyMs: 10, store: dir } as TestOptions, { module, render: false });
  const smallText = fs.readFileSync(path.join(small.dir, 'history.jsonl'), 'utf8');
  const files: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const f = path.join(dir, `h${i}.jsonl`);
    fs.writeFileSync(f, smallText);
    files.push(f);
  }
  let t0 = performance.now();
  let r = spawnSync(process.execPath, ['bin/eddy', 'check', '-w', 'broadcast', '--quiet', ...files], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  let wallMs = performance.now() - t0;
  console.log(`   1,000 histories of ${small.history.length} events each, one command: exit ${r.status}, ${ms(wallMs)}: ${(1000 / (wallMs / 1000)).toFixed(0)} histories/s`);
  const big = await simulate({ ...options3d({ seed: 2 }), nodeCount: 5, timeLimitS: 60, rateHz: 1000, latencyMs: 10, store: dir } as TestOptions, { module, render: false });
  const bigFile = path.join(big.dir, 'history.jsonl');
  t0 = performance.now();
  r = spawnSync(process.execPath, ['bin/eddy', 'check', '-w', 'broadcast', '--quiet', bigFile], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  wallMs = performance.now() - t0;
  const ops = big.history.length / 2;
  // Each read lists the whole set so far, so the file grows with the square of the run: bytes per second is the fairer figure.
  const mb = fs.statSync(bigFile).size / 1e6;
  console.log(`   one history of ${big.history.length} events (${ops.toFixed(0)} operations, rate 1000 for 60 s, ${mb.toFixed(0)} MB): exit ${r.status}, ${ms(wallMs)}: ${(ops / (wallMs / 1000)).toFixed(0)} operations/s, ${(mb / (wallMs / 1000)).toFixed(0)} MB/s`);
  fs.rmSync(dir, { recursive: true, force: true });
}

if (!skipSpeed) await speed();
if (!skipSpeed) await checkSpeed();
await fidelity(false);
await fidelity(true);
fs.rmSync(store, { recursive: true, force: true });
