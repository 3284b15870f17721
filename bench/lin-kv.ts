/**
 * `npm run bench lin-kv` (node dist/bench/lin-kv.js): the Raft node's
 * figures, then the linearizability checker's speed, through the same code
 * `eddy check` runs (the workload's registered checker).
 *
 * - bin/eddy-lin-kv (Raft, src/nodes/raft) under Maelstrom's flags (rate
 *   100, 60 s) at 3 and 5 nodes, with and without partitions and latency,
 *   and the lin-kv-service proxy (src/nodes/lin-kv.ts) for comparison:
 *   validity, servers msgs/op, latency quantiles of ok operations, and
 *   where every operation ended: ok, a definite answer of 20/22 (the key
 *   is missing, the cas precondition failed: the store was available),
 *   11 (no leader known) or indeterminate (timeout);
 * - a Maelstrom-flags lin-kv history (5 nodes, --concurrency 10n, 60 s,
 *   rate 100, partitions) recorded by `eddy sim` with eddy-lin-kv;
 * - 1,000 small histories (checked one after another in one process):
 *   histories per second;
 * - one large generated history (100,000 ops over 10 keys; each op
 *   linearizable at its midpoint): operations per second;
 * - adversarial: many concurrent indeterminate writes of the same value
 *   on one key, plus reads that pin nothing down.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkLinearizable } from '../src/harness/checker/linearizable.js';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { Rng } from '../src/harness/rng.js';
import { simulate } from '../src/harness/sim.js';
import type { Op } from '../src/harness/types.js';
import * as proxyNode from '../src/nodes/lin-kv.js';
import * as raftNode from '../src/nodes/raft/index.js';

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
};

/** A linearizable history: each op takes effect at the middle of its interval on a register per key. */
function generated(ops: number, keys: number, procs: number, seed: number, infoEvery = 0): Op[] {
  const rng = new Rng(seed);
  type Ev = { t: number; op: Omit<Op, 'index'> };
  const evs: Ev[] = [];
  const reg = new Map<number, number | null>();
  const free = Array.from({ length: procs }, () => 0);
  // Effects happen in order of their effect time; intervals around them overlap across processes.
  let now = 0;
  for (let i = 0; i < ops; i++) {
    now += 1 + rng.int(3);
    // A process free at `now`, so the op's effect (at `now`) lies inside its interval.
    let p = rng.int(procs);
    for (let tries = 0; free[p]! > now && tries < procs; tries++) p = (p + 1) % procs;
    if (free[p]! > now) now = free[p]!;
    const start = Math.max(free[p]!, now - rng.int(20));
    const end = Math.max(start + 1, now + rng.int(20));
    free[p] = end + 1;
    const k = rng.int(keys);
    const cur = reg.get(k) ?? null;
    const kind = rng.int(3);
    let f: string;
    let inv: unknown;
    let ok: unknown;
    if (kind === 0) {
      f = 'read';
      inv = [k, null];
      ok = [k, cur];
    } else if (kind === 1) {
      const v = rng.int(5);
      reg.set(k, v);
      f = 'write';
      inv = ok = [k, v];
    } else {
      const to = rng.int(5);
      if (cur === null) {
        f = 'read';
        inv = [k, null];
        ok = [k, null];
      } else {
        reg.set(k, to);
        f = 'cas';
        inv = ok = [k, [cur, to]];
      }
    }
    const info = infoEvery > 0 && f !== 'read' && i % infoEvery === 0;
    evs.push({ t: start * 2, op: { time: start * 1000, process: p, type: 'invoke', f, value: inv } });
    evs.push({ t: end * 2 + 1, op: { time: end * 1000, process: p, type: info ? 'info' : 'ok', f, value: ok } });
  }
  evs.sort((a, b) => a.t - b.t);
  // Processes must not overlap themselves; the free[] bookkeeping ensures it.
  return evs.map((e, index) => ({ ...e.op, index }) as Op);
}

const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-linkv-'));
const module = fromExports('eddy-lin-kv', raftNode as unknown as Record<string, unknown>);
const proxy = fromExports('eddy-lin-kv-proxy', proxyNode as unknown as Record<string, unknown>);

/** Latencies of ok operations (ms, sorted), and how every completed operation ended. */
function outcomes(history: readonly Op[]): { lat: number[]; ok: number; answered: number; unavailable: number; info: number; total: number } {
  const open = new Map<number | string, Op>();
  const lat: number[] = [];
  let ok = 0;
  let answered = 0;
  let unavailable = 0;
  let info = 0;
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    open.delete(op.process);
    if (op.type === 'ok') {
      ok++;
      if (inv !== undefined) lat.push((op.time - inv.time) / 1e6);
    } else if (op.type === 'info') info++;
    else {
      const kind = Array.isArray(op.error) ? String(op.error[0]) : String(op.error);
      if (kind === 'temporarily-unavailable') unavailable++;
      else answered++;
    }
  }
  return { lat: lat.sort((a, b) => a - b), ok, answered, unavailable, info, total: ok + answered + unavailable + info };
}
const q = (xs: number[], p: number): string => (xs.length === 0 ? '-' : xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1));
const num = (r: Record<string, unknown>, ...ks: string[]): number | null => {
  let v: unknown = r;
  for (const k of ks) v = (v as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'number' ? v : null;
};
const CONFIGS: { name: string; node: typeof module; over: Partial<TestOptions> }[] = [
  { name: 'raft 3n 2n', node: module, over: { nodeCount: 3, concurrency: '2n' } },
  { name: 'raft 5n 10n', node: module, over: { nodeCount: 5, concurrency: '10n' } },
  { name: 'raft 5n 10n lat10exp', node: module, over: { nodeCount: 5, concurrency: '10n', latencyMs: 10, latencyDist: 'exponential' } },
  { name: 'raft 3n 2n partition', node: module, over: { nodeCount: 3, concurrency: '2n', nemesis: ['partition'] } },
  { name: 'raft 5n 10n partition', node: module, over: { nodeCount: 5, concurrency: '10n', nemesis: ['partition'] } },
  { name: 'raft 5n 10n part lat10', node: module, over: { nodeCount: 5, concurrency: '10n', nemesis: ['partition'], latencyMs: 10, latencyDist: 'exponential' } },
  { name: 'proxy 5n 10n partition', node: proxy, over: { nodeCount: 5, concurrency: '10n', nemesis: ['partition'] } },
];
console.log('config                  valid  msgs/op  lat p50/p95/p99/max ms    ok     20/22  11     info   (fractions of ops)');
for (const c of CONFIGS) {
  const o = { ...DEFAULT_OPTIONS, bin: c.node.name, args: [], quiet: true, store, workload: 'lin-kv', seed: 1, timeLimitS: 60, rateHz: 100, ...c.over } as TestOptions;
  const out = await simulate(o, { module: c.node, render: false });
  const s = outcomes(out.history);
  const frac = (n: number): string => (n / Math.max(1, s.total)).toFixed(3).padEnd(6);
  console.log(
    `${c.name.padEnd(23)} ${String(out.results['valid?']).padEnd(6)} ${(num(out.results, 'net', 'stats', 'servers', 'msgs-per-op') ?? 0).toFixed(2).padEnd(8)} ${[0.5, 0.95, 0.99, 1].map((p) => q(s.lat, p)).join('/').padEnd(25)} ${frac(s.ok)} ${frac(s.answered)} ${frac(s.unavailable)} ${frac(s.info)} (${s.total} ops)`,
  );
}
const options = { ...DEFAULT_OPTIONS, bin: 'eddy-lin-kv', args: [], quiet: true, store, workload: 'lin-kv', seed: 1, nodeCount: 5, concurrency: '10n', timeLimitS: 60, rateHz: 100, nemesis: ['partition'], latencyMs: 10 } as TestOptions;
const run = await simulate(options, { module, render: false });
const [r0, ms0] = time(() => checkLinearizable(run.history));
console.log(`Maelstrom-flags lin-kv run (5 nodes, 10n, 60 s, rate 100, partitions; eddy-lin-kv): ${run.history.length} history events, ${Object.keys(r0.results).length} keys, valid ${String(r0['valid?'])}: checked in ${ms0.toFixed(1)} ms`);

const small = Array.from({ length: 1000 }, (_, i) => generated(100, 2, 6, i + 1));
const [rs, msS] = time(() => small.map((h) => checkLinearizable(h)['valid?']));
console.log(`1,000 small histories (100 ops, 2 keys, 6 processes each): ${rs.filter((v) => v === true).length} valid, ${msS.toFixed(0)} ms: ${(1000 / (msS / 1000)).toFixed(0)} histories/s`);

for (const n of [10_000, 100_000]) {
  const big = generated(n, 10, 20, 7);
  const [rb, msB] = time(() => checkLinearizable(big));
  console.log(`${n.toLocaleString('en')} ops over 10 keys, 20 processes: valid ${String(rb['valid?'])}, ${msB.toFixed(0)} ms: ${(n / (msB / 1000)).toFixed(0)} ops/s`);
}
const withInfo = generated(20_000, 4, 20, 9, 7);
const [ri, msI] = time(() => checkLinearizable(withInfo));
console.log(`20,000 ops over 4 keys with every 7th write/cas indeterminate: valid ${String(ri['valid?'])}, ${msI.toFixed(0)} ms`);

// Adversarial: 30 concurrent indeterminate writes of the same value, then reads of it and of null that pin nothing.
const adv: Op[] = [];
let idx = 0;
const push = (o: Omit<Op, 'index'>): void => void adv.push({ ...o, index: idx++ } as Op);
for (let p = 0; p < 30; p++) push({ time: 0, process: p, type: 'invoke', f: 'write', value: [0, 1] });
for (let p = 0; p < 30; p++) push({ time: 1, process: p, type: 'info', f: 'write', value: [0, 1] });
for (let i = 0; i < 200; i++) {
  push({ time: 10 + 2 * i, process: 100, type: 'invoke', f: 'read', value: [0, null] });
  push({ time: 11 + 2 * i, process: 100, type: 'ok', f: 'read', value: [0, i % 2 === 0 ? 1 : null] });
}
const [ra, msA] = time(() => checkLinearizable(adv));
console.log(`adversarial (30 concurrent indeterminate writes of one value, 200 reads): valid ${String(ra['valid?'])}, ${msA.toFixed(0)} ms`);
fs.rmSync(store, { recursive: true, force: true });
