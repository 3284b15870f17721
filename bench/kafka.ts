/**
 * `npm run bench kafka`: bin/eddy-kafka under the Gossip Glomers 5a-5c flags
 * (`--concurrency 2n --time-limit 20 --rate 1000`, one node for 5a, two for
 * 5b/5c), with and without partitions, through `eddy sim` (virtual time,
 * nodes in-process, exact rate): validity, servers msgs/op, send and poll
 * latency quantiles (ok operations, invocation to completion) and the
 * availability (ok fraction). Then the checker's time and heap growth on the
 * largest history it makes: 60 s at rate 1000 on two nodes.
 *
 * Flags: --seed N (default 1)  --seeds K (runs per configuration, default 1)
 *        --skip-checker
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkKafka } from '../src/harness/checker/kafka.js';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate } from '../src/harness/sim.js';
import type { Op } from '../src/harness/types.js';
import * as kafkaNode from '../src/nodes/kafka/index.js';

const module = fromExports('eddy-kafka', kafkaNode as unknown as Record<string, unknown>);
const argv = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const firstSeed = flag('--seed', 1);
const seedCount = flag('--seeds', 1);

const CONFIGS = [
  { name: '5a', nodeCount: 1, partition: false },
  { name: '5b/5c', nodeCount: 2, partition: false },
  { name: '5b/5c partition', nodeCount: 2, partition: true },
];

function opts(nodeCount: number, partition: boolean, seed: number, timeLimitS = 20): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    workload: 'kafka',
    bin: 'eddy-kafka',
    args: [],
    nodeCount,
    concurrency: '2n',
    timeLimitS,
    rateHz: 1000,
    nemesis: partition ? ['partition'] : [],
    quiet: true,
    seed,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-kafka-')),
  } as TestOptions;
}

function latencies(history: readonly Op[], f: string): number[] {
  const open = new Map<number | string, Op>();
  const out: number[] = [];
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') open.set(op.process, op);
    else {
      const inv = open.get(op.process);
      open.delete(op.process);
      if (op.type === 'ok' && op.f === f && inv !== undefined) out.push((op.time - inv.time) / 1e6);
    }
  }
  return out.sort((a, b) => a - b);
}

const q = (xs: number[], p: number): string => (xs.length === 0 ? '-' : xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(2));
const num = (r: Record<string, unknown>, ...ks: string[]): number | null => {
  let v: unknown = r;
  for (const k of ks) v = (v as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'number' ? v : null;
};

console.log('config            seed valid  msgs/op  ok-frac  send p50/p95/p99/max ms       poll p50/p95/p99/max ms       ops');
for (const c of CONFIGS) {
  for (let seed = firstSeed; seed < firstSeed + seedCount; seed++) {
    const o = opts(c.nodeCount, c.partition, seed);
    const out = await simulate(o, { module, render: false });
    const r = out.results;
    const sends = latencies(out.history, 'send');
    const polls = latencies(out.history, 'poll');
    const fmt = (xs: number[]): string => [0.5, 0.95, 0.99, 1].map((p) => q(xs, p)).join('/').padEnd(30);
    console.log(
      `${c.name.padEnd(17)} ${String(seed).padEnd(4)} ${String(r['valid?']).padEnd(6)} ${(num(r, 'net', 'stats', 'servers', 'msgs-per-op') ?? 0).toFixed(3).padEnd(8)} ${(num(r, 'availability', 'ok-fraction') ?? 0).toFixed(3).padEnd(8)} ${fmt(sends)} ${fmt(polls)} ${num(r, 'stats', 'count')}`,
    );
    fs.rmSync(o.store, { recursive: true, force: true });
  }
}

if (!argv.includes('--skip-checker')) {
  const o = opts(2, true, firstSeed, 60);
  const out = await simulate(o, { module, render: false });
  fs.rmSync(o.store, { recursive: true, force: true });
  const history = out.history;
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const r = checkKafka(history);
  const ms = performance.now() - t0;
  const heap1 = process.memoryUsage().heapUsed;
  console.log(
    `checker: ${history.length} history ops (60 s, rate 1000, 2 nodes, partitions): ${ms.toFixed(0)} ms, heap +${((heap1 - heap0) / 1e6).toFixed(0)} MB, valid ${String(r['valid?'])}`,
  );
  // The same history with every offset moved into the trillions and spread 1e6 apart: the cost must not change.
  const far = history.map((op) => ({ ...op, value: spread(op.value) }));
  const t1 = performance.now();
  const r2 = checkKafka(far);
  console.log(`checker, offsets × 1e6 + 1e12 (sparse, huge): ${(performance.now() - t1).toFixed(0)} ms, valid ${String(r2['valid?'])}`);
}

function spread(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((mop) => {
    if (!Array.isArray(mop)) return mop;
    if (mop[0] === 'send' && Array.isArray(mop[2])) return ['send', mop[1], [mop[2][0] * 1e6 + 1e12, mop[2][1]]];
    if (mop[0] === 'poll' && typeof mop[1] === 'object' && mop[1] !== null) {
      return ['poll', Object.fromEntries(Object.entries(mop[1] as Record<string, [number, unknown][]>).map(([k, ps]) => [k, ps.map(([o, m]) => [o * 1e6 + 1e12, m])]))];
    }
    return mop;
  });
}
