/**
 * `npm run bench crdt` (node dist/bench/crdt.js): eddy's unique-ids, g-set,
 * g-counter and pn-counter reference nodes on their Gossip Glomers /
 * CRDT-chapter flags, in simulation over `--seeds K` seeds (default 100),
 * and once each as real processes under `eddy test` (skip with --no-real).
 * Per scenario: seeds valid, ok fraction, msgs/op (servers; services
 * included), operations, and the workload's own headline figures.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { headlineFigures, simulate, spread } from '../src/harness/sim.js';
import * as uniqueIds from '../src/nodes/unique-ids.js';
import * as gSet from '../src/nodes/g-set.js';
import * as gCounter from '../src/nodes/g-counter.js';
import * as pnCounter from '../src/nodes/pn-counter.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const seeds = Number(flag('--seeds') ?? 100);
const real = !argv.includes('--no-real');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Scenario {
  name: string;
  workload: string;
  module: NodeModule;
  bin: string;
  flags: string[];
  options: Partial<TestOptions>;
}
const mod = (name: string, m: object): NodeModule => fromExports(name, m as Record<string, unknown>);
const scenarios: Scenario[] = [
  { name: 'challenge 2 (unique ids)', workload: 'unique-ids', module: mod('eddy-unique-ids', uniqueIds), bin: 'bin/eddy-unique-ids',
    flags: ['--time-limit', '30', '--rate', '1000', '--node-count', '3', '--availability', 'total', '--nemesis', 'partition'],
    options: { timeLimitS: 30, rateHz: 1000, nodeCount: 3, availability: 'total', nemesis: ['partition'] } },
  { name: 'challenge 4 (g-counter on seq-kv)', workload: 'g-counter', module: mod('eddy-g-counter', gCounter), bin: 'bin/eddy-g-counter',
    flags: ['--node-count', '3', '--rate', '100', '--time-limit', '20', '--nemesis', 'partition'],
    options: { nodeCount: 3, rateHz: 100, timeLimitS: 20, nemesis: ['partition'] } },
  { name: 'g-set (CRDT chapter), partitions', workload: 'g-set', module: mod('eddy-g-set', gSet), bin: 'bin/eddy-g-set',
    flags: ['--node-count', '3', '--rate', '10', '--time-limit', '20', '--nemesis', 'partition'],
    options: { nodeCount: 3, rateHz: 10, timeLimitS: 20, nemesis: ['partition'] } },
  { name: 'pn-counter (CRDT chapter), partitions', workload: 'pn-counter', module: mod('eddy-pn-counter', pnCounter), bin: 'bin/eddy-pn-counter',
    flags: ['--node-count', '3', '--rate', '10', '--time-limit', '20', '--nemesis', 'partition'],
    options: { nodeCount: 3, rateHz: 10, timeLimitS: 20, nemesis: ['partition'] } },
];

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const fmt = (s: ReturnType<typeof spread>, d: number): string => (s === null ? 'n/a' : `${s.min.toFixed(d)} / ${s.median.toFixed(d)} / ${s.max.toFixed(d)}`);

for (const sc of scenarios) {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-crdt-'));
  let valid = 0;
  const ok: (number | null)[] = [];
  const mpo: (number | null)[] = [];
  const ops: (number | null)[] = [];
  const figs = new Map<string, (number | null)[]>();
  const failing: number[] = [];
  const t0 = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const o = { ...DEFAULT_OPTIONS, bin: sc.module.name, args: [], nemesis: [], quiet: true, store, workload: sc.workload, seed, strict: true, ...sc.options } as TestOptions;
    const out = await simulate(o, { module: sc.module, render: false });
    const r = out.results;
    if (out.exitCode === 0) valid++;
    else failing.push(seed);
    ok.push(num((r['availability'] as Record<string, unknown> | undefined)?.['ok-fraction']));
    mpo.push(num(((r['net'] as Record<string, Record<string, Record<string, unknown>>> | undefined)?.['stats']?.['servers'])?.['msgs-per-op']));
    ops.push(num((r['stats'] as Record<string, unknown> | undefined)?.['count']));
    for (const f of headlineFigures(sc.workload, r)) {
      if (!figs.has(f.label)) figs.set(f.label, []);
      figs.get(f.label)!.push(f.value);
    }
    fs.rmSync(out.dir, { recursive: true, force: true });
  }
  const wallS = (performance.now() - t0) / 1000;
  console.log(`\n${sc.name}: eddy sim, ${seeds} seeds, --strict (${wallS.toFixed(1)} s)`);
  console.log(`  valid                 ${valid} of ${seeds}${failing.length > 0 ? ` (failing seeds ${failing.slice(0, 10).join(', ')})` : ''}`);
  console.log(`  ok fraction           ${fmt(spread(ok), 3)}   (min / median / max)`);
  console.log(`  msgs/op (servers)     ${fmt(spread(mpo), 2)}`);
  console.log(`  operations            ${fmt(spread(ops), 0)}`);
  for (const [label, values] of figs) if (label !== 'msgs/op' && label !== 'ok fraction') console.log(`  ${label.padEnd(21)} ${fmt(spread(values), 0)}`);
  if (real) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/eddy'), 'test', '-w', sc.workload, '--bin', sc.bin, ...sc.flags, '--store', store], { cwd: ROOT, encoding: 'utf8' });
    const latest = path.join(store, 'latest', 'results.json');
    if (fs.existsSync(latest)) {
      const res = JSON.parse(fs.readFileSync(latest, 'utf8'));
      const m = num(res?.net?.stats?.servers?.['msgs-per-op']);
      console.log(`  eddy test (real processes, one run): exit ${r.status}, valid ${String(res['valid?'])}, ok fraction ${num(res?.availability?.['ok-fraction'])?.toFixed(3)}, msgs/op ${m?.toFixed(2)}, operations ${res?.stats?.count}`);
    } else {
      console.log(`  eddy test (real processes): no results (exit ${r.status}): ${(r.stderr || r.stdout).split('\n')[0]}`);
    }
  }
  fs.rmSync(store, { recursive: true, force: true });
}
