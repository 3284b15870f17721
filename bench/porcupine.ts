/**
 * `npm run bench porcupine -- --dir DIR [--repeat N]` (node
 * dist/bench/porcupine.js --dir DIR): eddy's linearizability checker (the
 * one `-w lin-kv` runs) over Porcupine's real Jepsen etcd register
 * histories, side by side with Porcupine's own expected verdicts.
 *
 * The histories are not in this repository: they are Porcupine's test data
 * (anishathalye/porcupine, test_data/jepsen/etcd_000.log .. etcd_102.log).
 * Get them with
 *
 *     git clone --depth 1 https://github.com/anishathalye/porcupine /tmp/porcupine
 *     npm run bench porcupine -- --dir /tmp/porcupine/test_data/jepsen
 *
 * Each file is parsed (bench/lib/jepsen-etcd.ts) into a one-key history and
 * checked with checkLinearizable; parsing is timed apart from checking, as
 * Porcupine's own benchmarks (BenchmarkEtcdJepsenNNN) time CheckEvents
 * only. The first pass over all files is the cold figure (JIT warming up);
 * then --repeat more passes (default 5), whose median and best totals are
 * the warm figures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkLinearizable } from '../src/harness/checker/linearizable.js';
import type { Op } from '../src/harness/types.js';
import { countOps, parseJepsenEtcdLog } from './lib/jepsen-etcd.js';

/**
 * Porcupine's expected verdicts, from its porcupine_test.go (commit
 * 55508eb2, TestEtcdJepsen000..102: checkJepsen(t, N, correct)): these logs
 * are linearizable, every other one listed there is not. Log 95 has no
 * test ("etcd cluster failed to start up in test 95"), so no expectation.
 */
const PORCUPINE_LINEARIZABLE = new Set([2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102]);
const PORCUPINE_UNTESTED = new Set([95]);
const expected = (n: number): boolean | null => (PORCUPINE_UNTESTED.has(n) || n > 102 ? null : PORCUPINE_LINEARIZABLE.has(n));

const HOW = 'get them with `git clone --depth 1 https://github.com/anishathalye/porcupine /tmp/porcupine` and pass `--dir /tmp/porcupine/test_data/jepsen`';

function fail(sentence: string): never {
  console.error(sentence);
  process.exit(2);
}

// ---- arguments ------------------------------------------------------------------------
const argv = process.argv.slice(2);
let dir: string | undefined;
let repeat = 5;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--dir') dir = argv[++i];
  else if (a === '--repeat') {
    const v = argv[++i];
    repeat = Number(v);
    if (!Number.isInteger(repeat) || repeat < 0) fail(`bench:porcupine --repeat must be a whole number of passes (0 or more), got ${JSON.stringify(v)}.`);
  } else fail(`bench:porcupine does not know the argument ${JSON.stringify(a)}; it takes --dir DIR (Porcupine's test_data/jepsen) and --repeat N.`);
}
if (dir === undefined || dir === '') fail(`bench:porcupine needs --dir DIR, the folder of Porcupine's Jepsen etcd logs (etcd_000.log ..); ${HOW}.`);
let names: string[];
try {
  names = fs.readdirSync(dir).filter((f) => /^etcd_\d+\.log$/.test(f)).sort();
} catch {
  fail(`bench:porcupine cannot read the folder ${JSON.stringify(dir)} given to --dir; ${HOW}.`);
}
if (names.length === 0) fail(`bench:porcupine found no etcd_NNN.log files in ${JSON.stringify(dir)}; ${HOW}.`);

// ---- parse ------------------------------------------------------------------------------
interface Item { name: string; num: number; history: Op[]; ops: number; info: number; fail: number }
const t0 = performance.now();
const items: Item[] = names.map((name) => {
  let history: Op[];
  try {
    history = parseJepsenEtcdLog(fs.readFileSync(path.join(dir!, name), 'utf8'), name);
  } catch (e) {
    fail(`bench:porcupine could not parse ${name}: ${(e as Error).message}`);
  }
  const c = countOps(history);
  return { name, num: Number(/\d+/.exec(name)![0]), history, ops: c.ops, info: c.info + c.open, fail: c.fail };
});
const parseMs = performance.now() - t0;

// ---- check ------------------------------------------------------------------------------
type V = boolean | 'unknown';
function pass(): { verdicts: V[]; ms: number[]; steps: number[]; total: number } {
  const verdicts: V[] = [];
  const ms: number[] = [];
  const steps: number[] = [];
  const start = performance.now();
  for (const it of items) {
    const a = performance.now();
    const r = checkLinearizable(it.history);
    ms.push(performance.now() - a);
    verdicts.push(r['valid?']);
    steps.push(Object.values(r.results).reduce((s, k) => s + k.steps, 0));
  }
  return { verdicts, ms, steps, total: performance.now() - start };
}

const cold = pass();
const warm: number[] = [];
const perFileWarm: number[][] = items.map(() => []);
for (let p = 0; p < repeat; p++) {
  const r = pass();
  warm.push(r.total);
  r.ms.forEach((m, i) => perFileWarm[i]!.push(m));
  r.verdicts.forEach((v, i) => {
    if (v !== cold.verdicts[i]) fail(`bench:porcupine: ${items[i]!.name} got ${String(v)} on pass ${p + 2} but ${String(cold.verdicts[i])} on the first: the checker is not deterministic.`);
  });
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

console.log(`${items.length} Jepsen etcd histories from ${dir} (parsed in ${parseMs.toFixed(0)} ms, ${items.reduce((s, it) => s + it.ops, 0)} ops in all)`);
console.log('file           ops   info  fail  eddy     porcupine  agree  steps      ms cold  ms warm(median)');
let agree = 0;
let disagree = 0;
let noExpect = 0;
items.forEach((it, i) => {
  const v = cold.verdicts[i]!;
  const e = expected(it.num);
  const mark = e === null ? '-' : v === e ? 'yes' : 'NO';
  if (e === null) noExpect++;
  else if (v === e) agree++;
  else disagree++;
  const show = (x: V | null): string => (x === null ? 'untested' : x === true ? 'valid' : x === false ? 'invalid' : 'unknown');
  console.log(
    `${it.name.padEnd(13)} ${String(it.ops).padStart(5)} ${String(it.info).padStart(5)} ${String(it.fail).padStart(5)}  ${show(v).padEnd(8)} ${show(e).padEnd(10)} ${mark.padEnd(5)} ${String(cold.steps[i]).padStart(7)} ${cold.ms[i]!.toFixed(2).padStart(9)} ${(repeat > 0 ? median(perFileWarm[i]!).toFixed(2) : '-').padStart(10)}`,
  );
});
const valid = cold.verdicts.filter((v) => v === true).length;
const invalid = cold.verdicts.filter((v) => v === false).length;
const unknown = cold.verdicts.length - valid - invalid;
console.log(`eddy: ${valid} linearizable, ${invalid} not, ${unknown} unknown; agrees with Porcupine's expected verdict on ${agree} of ${agree + disagree}${disagree > 0 ? `, DISAGREES on ${disagree}` : ''}${noExpect > 0 ? ` (${noExpect} without an expectation)` : ''}.`);
console.log(`check time, all ${items.length} histories: cold (first pass) ${cold.total.toFixed(0)} ms = ${(items.length / (cold.total / 1000)).toFixed(0)} histories/s`);
if (repeat > 0) {
  const m = median(warm);
  const best = Math.min(...warm);
  console.log(`check time, all ${items.length} histories: warm (${repeat} passes) median ${m.toFixed(0)} ms = ${(items.length / (m / 1000)).toFixed(0)} histories/s, best ${best.toFixed(0)} ms = ${(items.length / (best / 1000)).toFixed(0)} histories/s`);
}
if (disagree > 0) process.exitCode = 1;
