/**
 * `npm run bench txn` (node dist/bench/txn.js): eddy's transactional
 * reference nodes in simulation, on the Gossip Glomers 6a-6c flags
 * (eddy-txn-rw-register, each profile) and on the Datomic chapter's flags
 * (eddy-txn-list-append). Per scenario: seeds valid, ok fraction
 * (availability), messages between servers per operation (service traffic
 * included) and txn latency quantiles, over `--seeds K` seeds (default 10).
 *
 * Flags: `--seeds K`, `--only rw|la` (one node), `--time-limit S` (default:
 * the scenario's own).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate } from '../src/harness/sim.js';
import type { Op } from '../src/harness/types.js';
import * as listAppend from '../src/nodes/txn-list-append/index.js';
import * as rwRegister from '../src/nodes/txn-rw-register/index.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const seeds = Number(flag('--seeds') ?? 10);
const only = flag('--only');
const timeLimit = flag('--time-limit');
const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-txn-'));

const rwModule: NodeModule = fromExports('eddy-txn-rw-register', rwRegister as unknown as Record<string, unknown>);
const laModule: NodeModule = fromExports('eddy-txn-list-append', listAppend as unknown as Record<string, unknown>);

interface Scenario {
  name: string;
  module: NodeModule;
  options: Partial<TestOptions>;
}

const GG6 = { timeLimitS: 20, rateHz: 1000, concurrency: '2n', availability: 'total' as const };
const scenarios: Scenario[] = [];
if (only !== 'la') {
  for (const profile of ['fast', 'balanced', 'frugal']) {
    const args = ['--profile', profile];
    scenarios.push(
      { name: `6a ${profile}`, module: rwModule, options: { ...GG6, args, nodeCount: 1, consistencyModels: ['read-uncommitted'] } },
      { name: `6b ${profile}`, module: rwModule, options: { ...GG6, args, nodeCount: 2, consistencyModels: ['read-uncommitted'], nemesis: ['partition'] } },
      { name: `6c ${profile}`, module: rwModule, options: { ...GG6, args, nodeCount: 2, consistencyModels: ['read-committed'], nemesis: ['partition'] } },
    );
  }
}
if (only !== 'rw') {
  const DATOMIC = { timeLimitS: 10, rateHz: 100, concurrency: '10n' };
  scenarios.push(
    { name: 'list-append 1 node, strict-serializable', module: laModule, options: { ...DATOMIC, nodeCount: 1 } },
    { name: 'list-append 2 nodes, strict-serializable', module: laModule, options: { ...DATOMIC, nodeCount: 2 } },
    { name: 'list-append 2 nodes, serializable, latency 10', module: laModule, options: { ...DATOMIC, nodeCount: 2, latencyMs: 10, consistencyModels: ['serializable'] } },
    { name: 'list-append 2 nodes, partitions, latency 10', module: laModule, options: { ...DATOMIC, nodeCount: 2, latencyMs: 10, nemesis: ['partition'], consistencyModels: ['serializable'] } },
  );
}

function workloadName(s: Scenario): string {
  return s.module === rwModule ? 'txn-rw-register' : 'txn-list-append';
}

/** Milliseconds from each invocation to its completion. */
function latencies(history: readonly Op[]): number[] {
  const open = new Map<unknown, number>();
  const out: number[] = [];
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') open.set(op.process, op.time);
    else {
      const t = open.get(op.process);
      if (t !== undefined) out.push((op.time - t) / 1e6);
      open.delete(op.process);
    }
  }
  return out.sort((a, b) => a - b);
}

const q = (xs: readonly number[], p: number): number => (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

console.log(`eddy transactional nodes in simulation, ${seeds} seed(s) each (seeds 1..${seeds})`);
console.log('| scenario | valid | ok fraction (min) | msgs/op servers | txn latency p50 / p99 / max ms | wall s |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const s of scenarios) {
  let valid = 0;
  const ok: number[] = [];
  const mpo: number[] = [];
  const lat: number[] = [];
  const bad: string[] = [];
  const t0 = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const options = {
      ...DEFAULT_OPTIONS,
      bin: s.module.name,
      workload: workloadName(s),
      quiet: true,
      store,
      seed,
      ...s.options,
      ...(timeLimit === undefined ? {} : { timeLimitS: Number(timeLimit) }),
    } as TestOptions;
    const outcome = await simulate(options, { module: s.module, render: false });
    const r = outcome.results as Record<string, any>;
    if (r['valid?'] === true) valid++;
    else bad.push(`seed ${seed}: ${JSON.stringify(r['workload']?.['anomaly-types'] ?? r['valid?'])}`);
    ok.push(num(r['availability']?.['ok-fraction']));
    mpo.push(num(r['net']?.['stats']?.['servers']?.['msgs-per-op'] ?? r['net']?.['servers']?.['msgs-per-op']));
    const history = fs
      .readFileSync(path.join(outcome.dir, 'history.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Op);
    lat.push(...latencies(history));
    fs.rmSync(outcome.dir, { recursive: true, force: true });
  }
  lat.sort((a, b) => a - b);
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `| ${s.name} | ${valid}/${seeds} | ${mean(ok).toFixed(4)} (${Math.min(...ok).toFixed(4)}) | ${mean(mpo).toFixed(3)} | ${q(lat, 0.5).toFixed(1)} / ${q(lat, 0.99).toFixed(1)} / ${q(lat, 1).toFixed(1)} | ${wall.toFixed(1)} |`,
  );
  for (const b of bad.slice(0, 3)) console.log(`  not valid: ${b}`);
}
fs.rmSync(store, { recursive: true, force: true });
