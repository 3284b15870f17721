/**
 * `npm run bench crdt` (node dist/bench/crdt.js): eddy's reference nodes for
 * unique-ids, g-set, g-counter and pn-counter, on the flags their challenge
 * uses (Gossip Glomers 2 and 4; Maelstrom's CRDT chapter for g-set and
 * pn-counter, which have no Gossip Glomers challenge), both ways:
 *
 * - `eddy sim`: `--seeds K` seeds each (default 20; 100 for the issue's
 *   claim), on virtual time with the nodes in-process. Reports seeds valid,
 *   ok fraction, server msgs/op (service traffic included) and the
 *   workload's own figures (duplicates; lost and stable latency; bad final
 *   reads and --strict bad reads).
 * - `eddy test`: one real run each of bin/eddy-<workload> as a child
 *   process, main phase cut to `--real-time-limit S` (default 10; the final
 *   reads still come after heal + 10 s), read back from results.json.
 *
 * Flags: --seeds K, --only NAME[,NAME], --no-real, --no-sim.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate } from '../src/harness/sim.js';
import * as gCounter from '../src/nodes/g-counter.js';
import * as gSet from '../src/nodes/g-set.js';
import * as pnCounter from '../src/nodes/pn-counter.js';
import * as uniqueIds from '../src/nodes/unique-ids.js';

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const seeds = Number(flag('--seeds') ?? 20);
const realTimeLimitS = Number(flag('--real-time-limit') ?? 10);
const only = flag('--only')?.split(',');
if (!(Number.isSafeInteger(seeds) && seeds >= 1)) throw new Error(`Expected --seeds to be a positive integer, got ${flag('--seeds')}`);
if (!(realTimeLimitS > 0)) throw new Error(`Expected --real-time-limit to be a positive number of seconds, got ${flag('--real-time-limit')}`);

interface Scenario {
  workload: string;
  /** Where the flags come from. */
  source: string;
  module: object;
  options: Partial<TestOptions>;
  /** The same, as eddy test flags. */
  flags: string[];
}

const ALL: Scenario[] = [
  {
    workload: 'unique-ids',
    source: 'Gossip Glomers 2',
    module: uniqueIds,
    options: { timeLimitS: 30, rateHz: 1000, nodeCount: 3, availability: 'total', nemesis: ['partition'] } as Partial<TestOptions>,
    flags: ['--time-limit', '30', '--rate', '1000', '--node-count', '3', '--availability', 'total', '--nemesis', 'partition'],
  },
  {
    workload: 'g-set',
    source: 'Maelstrom CRDT chapter',
    module: gSet,
    options: { timeLimitS: 30, rateHz: 10, nemesis: ['partition'] },
    flags: ['--time-limit', '30', '--rate', '10', '--nemesis', 'partition'],
  },
  {
    workload: 'g-counter',
    source: 'Gossip Glomers 4',
    module: gCounter,
    options: { timeLimitS: 20, rateHz: 100, nodeCount: 3, nemesis: ['partition'], strict: true },
    flags: ['--time-limit', '20', '--rate', '100', '--node-count', '3', '--nemesis', 'partition', '--strict'],
  },
  {
    workload: 'pn-counter',
    source: 'Maelstrom CRDT chapter',
    module: pnCounter,
    options: { timeLimitS: 30, rateHz: 10, nemesis: ['partition'], strict: true },
    flags: ['--time-limit', '30', '--rate', '10', '--nemesis', 'partition', '--strict'],
  },
];
const SCENARIOS = ALL.filter((s) => only === undefined || only.includes(s.workload));

type Results = Record<string, any>;
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};
const fmt = (x: number, digits = 2): string => (Number.isNaN(x) ? '-' : x.toFixed(digits));

/** The workload's own figure, as one short string. */
function own(workload: string, r: Results): Record<string, number> {
  const w = r['workload'] ?? {};
  switch (workload) {
    case 'unique-ids':
      return { duplicated: num(w['duplicated-count']), acknowledged: num(w['acknowledged-count']) };
    case 'g-set':
      return { lost: num(w['lost-count']), 'stable p50 ms': num(w['stable-latencies']?.['0.5']), 'stable max ms': num(w['stable-latencies']?.['1']) };
    default:
      return {
        'bad final reads': Array.isArray(w['final-reads']) ? (Array.isArray(w['errors']) ? w['errors'].length : 0) : NaN,
        'bad reads (strict)': num(r['strict']?.['bad-read-count']),
        'reads checked (strict)': num(r['strict']?.['reads-checked']),
      };
  }
}

const msgsPerOp = (r: Results): number => num(r['net']?.['stats']?.['servers']?.['msgs-per-op'] ?? r['net']?.['servers']?.['msgs-per-op']);
const okFraction = (r: Results): number => num(r['availability']?.['ok-fraction']);

function ownText(parts: Record<string, number>[], agg: 'median' | 'max' | 'one'): string {
  const keys = Object.keys(parts[0] ?? {});
  return keys
    .map((k) => {
      const xs = parts.map((p) => p[k]!);
      if (agg === 'one') return `${k} ${fmt(xs[0]!, 0)}`;
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return `${k} ${fmt(lo, 0)} / ${fmt(median(xs), 0)} / ${fmt(hi, 0)}`;
    })
    .join('; ');
}

async function simRows(): Promise<void> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-crdt-'));
  console.log(`eddy sim: ${seeds} seed(s) each (1..${seeds}); own figures as min / median / max over the seeds`);
  console.log('| workload | flags | valid | ok fraction (min) | msgs/op servers (median) | own figures | wall s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of SCENARIOS) {
    const module: NodeModule = fromExports(`eddy-${s.workload}`, s.module as Record<string, unknown>);
    const t0 = performance.now();
    let valid = 0;
    const ok: number[] = [];
    const mpo: number[] = [];
    const figures: Record<string, number>[] = [];
    const bad: string[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const options = { ...DEFAULT_OPTIONS, bin: module.name, args: [], workload: s.workload, quiet: true, store, seed, ...s.options } as TestOptions;
      const outcome = await simulate(options, { module, render: false });
      const r = outcome.results as Results;
      if (r['valid?'] === true) valid++;
      else bad.push(`seed ${seed}: valid? ${String(r['valid?'])}${outcome.error === null ? '' : `, ${String(outcome.error)}`}`);
      ok.push(okFraction(r));
      mpo.push(msgsPerOp(r));
      figures.push(own(s.workload, r));
      fs.rmSync(outcome.dir, { recursive: true, force: true });
    }
    const wall = (performance.now() - t0) / 1000;
    console.log(`| ${s.workload} | ${s.source}: ${s.flags.join(' ')} | ${valid}/${seeds} | ${fmt(Math.min(...ok), 4)} | ${fmt(median(mpo))} | ${ownText(figures, 'median')} | ${wall.toFixed(1)} |`);
    for (const b of bad.slice(0, 3)) console.log(`  not valid: ${b}`);
  }
  fs.rmSync(store, { recursive: true, force: true });
}

function run(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

async function realRows(): Promise<void> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-crdt-real-'));
  console.log(`\neddy test: one real run each, seed 1, main phase ${realTimeLimitS} s (then heal + 10 s and the final reads)`);
  console.log('| workload | flags | valid | ok fraction | msgs/op servers | own figures | wall s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of SCENARIOS) {
    const flags = [...s.flags];
    flags[flags.indexOf('--time-limit') + 1] = String(realTimeLimitS);
    const t0 = performance.now();
    const code = await run([path.join(repo, 'bin', 'eddy'), 'test', '-w', s.workload, '--bin', path.join(repo, 'bin', `eddy-${s.workload}`), ...flags, '--seed', '1', '--quiet', '--store', store]);
    const wall = (performance.now() - t0) / 1000;
    if (code > 2) {
      console.log(`| ${s.workload} | ${flags.join(' ')} | no run (exit ${code}) | | | | ${wall.toFixed(1)} |`);
      continue;
    }
    const r = JSON.parse(fs.readFileSync(path.join(fs.realpathSync(path.join(store, 'latest')), 'results.json'), 'utf8')) as Results;
    console.log(`| ${s.workload} | ${flags.join(' ')} | ${String(r['valid?'])} | ${fmt(okFraction(r), 4)} | ${fmt(msgsPerOp(r))} | ${ownText([own(s.workload, r)], 'one')} | ${wall.toFixed(1)} |`);
  }
  fs.rmSync(store, { recursive: true, force: true });
}

if (!argv.includes('--no-sim')) await simRows();
if (!argv.includes('--no-real')) await realRows();
