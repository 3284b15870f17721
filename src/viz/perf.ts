/**
 * The performance pictures from a history, as Jepsen's perf checker draws
 * them (`latency-raw`, `latency-quantiles`, `rate`), but as SVG with hover
 * details: client operations are paired invoke → completion per process;
 * nemesis operations only shade partition intervals.
 */
import type { Op } from '../harness/types.js';
import { briefJson, maxOf, minOf, niceTicks, OP_TYPE_COLOURS } from './markup.js';
import { FAULT_STYLE, kindOf, type PartitionInterval } from './nemesis.js';
import { Plot, SHAPES, type Shape } from './plot.js';

const NS_PER_MS = 1e6;

/** A client operation: its invocation and (if recorded) its completion. */
export interface OpPair {
  process: number;
  f: string;
  invoke: Op;
  completion: Op | null;
}

/** Pairs each client invocation with the next completion of the same process. */
export function pairOps(history: readonly Op[]): OpPair[] {
  const open = new Map<number, OpPair>();
  const pairs: OpPair[] = [];
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const pair: OpPair = { process: op.process, f: op.f, invoke: op, completion: null };
      open.set(op.process, pair);
      pairs.push(pair);
    } else {
      const pair = open.get(op.process);
      if (pair === undefined) continue;
      pair.completion = op;
      open.delete(op.process);
    }
  }
  return pairs;
}

function shapesByF(pairs: readonly OpPair[]): Map<string, Shape> {
  const fs = [...new Set(pairs.map((p) => p.f))].sort();
  return new Map(fs.map((f, i) => [f, SHAPES[i % SHAPES.length] as Shape]));
}

const DASHES = ['', '6 3', '2 2', '8 3 2 3'];

function dashesByF(fs: readonly string[]): Map<string, string> {
  return new Map([...fs].sort().map((f, i) => [f, DASHES[i % DASHES.length] as string]));
}

/** Invocation to completion, in ms, of a completed operation. */
function latencyMs(p: OpPair): number {
  return ((p.completion as Op).time - p.invoke.time) / NS_PER_MS;
}

/** A plot of latency (log scale) against invocation time, its y range fitted to `latencies`. */
function latencyPlot(title: string, minS: number, maxS: number, latencies: readonly number[], partitions: readonly PartitionInterval[]): Plot {
  return new Plot({
    title,
    xLabel: 'time (s) of invocation',
    yLabel: 'latency (ms, log scale)',
    xMin: minS,
    xMax: maxS,
    yMin: latencies.length ? Math.max(1e-3, minOf(latencies)) : 0.1,
    yMax: latencies.length ? maxOf(latencies) : 10,
    yLog: true,
    partitions,
  });
}

function timeRangeS(history: readonly Op[]): { minS: number; maxS: number } {
  let max = 0;
  for (const op of history) max = Math.max(max, op.time);
  return { minS: 0, maxS: Math.max(1, max / 1e9) };
}

/** Each operation's latency over time: colour by completion type, shape by f. */
export function renderLatencyRaw(history: readonly Op[], pairs: readonly OpPair[], partitions: readonly PartitionInterval[]): string {
  const done = pairs.filter((p) => p.completion !== null);
  const latencies = done.map(latencyMs);
  const { minS, maxS } = timeRangeS(history);
  const plot = latencyPlot('Latency of every operation', minS, maxS, latencies, partitions);
  const shapes = shapesByF(done);
  done.forEach((p, i) => {
    const c = p.completion as Op;
    const ms = latencies[i] as number;
    plot.point(
      p.invoke.time / 1e9,
      Math.max(ms, 1e-3),
      shapes.get(p.f) as Shape,
      OP_TYPE_COLOURS[c.type] ?? '#000',
      `process ${p.process} ${p.f} ${c.type} in ${ms.toFixed(2)} ms at ${(p.invoke.time / 1e9).toFixed(3)} s\n` +
        `value ${briefJson(p.invoke.value, 200)}${c.error !== undefined ? `\nerror ${briefJson(c.error, 200)}` : ''}`,
    );
  });
  if (done.length === 0) plot.note('no completed operations');
  for (const [f, shape] of shapes) {
    for (const type of ['ok', 'info', 'fail']) {
      if (done.some((p) => p.f === f && (p.completion as Op).type === type)) {
        plot.legendEntry(`${f} ${type}`, Plot.pointSwatch(shape, OP_TYPE_COLOURS[type] as string), `${f} ${type}`);
      }
    }
  }
  addPartitionLegend(plot, partitions);
  return plot.toSvg();
}

const QUANTILES: readonly [number, string][] = [
  [0.5, '#1f77b4'],
  [0.95, '#2ca02c'],
  [0.99, '#ff7f0e'],
  [1, '#d62728'],
];

/** A bucket width (s) giving about 40 buckets over the run. */
function bucketS(maxS: number): number {
  const ticks = niceTicks(0, maxS, 40);
  return Math.max(0.05, (ticks[1] ?? 1) - (ticks[0] ?? 0));
}

/** Latency quantiles per time bucket (by invocation time), one line per f and quantile. */
export function renderLatencyQuantiles(history: readonly Op[], pairs: readonly OpPair[], partitions: readonly PartitionInterval[]): string {
  const done = pairs.filter((p) => p.completion !== null);
  const { minS, maxS } = timeRangeS(history);
  const dtS = bucketS(maxS);
  const byF = new Map<string, Map<number, number[]>>();
  for (const p of done) {
    const bucket = Math.floor(p.invoke.time / 1e9 / dtS);
    let buckets = byF.get(p.f);
    if (buckets === undefined) byF.set(p.f, (buckets = new Map()));
    let list = buckets.get(bucket);
    if (list === undefined) buckets.set(bucket, (list = []));
    list.push(latencyMs(p));
  }
  const all = done.map(latencyMs);
  const plot = latencyPlot(`Latency quantiles per ${dtS} s window`, minS, maxS, all, partitions);
  const dashes = dashesByF([...byF.keys()]);
  for (const [f, buckets] of [...byF].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const keys = [...buckets.keys()].sort((a, b) => a - b);
    const sortedByKey = new Map(keys.map((k) => [k, (buckets.get(k) as number[]).slice().sort((a, b) => a - b)]));
    for (const [q, colour] of QUANTILES) {
      // Windows without operations break the line rather than bridging them.
      const points: ([number, number] | null)[] = [];
      for (let k = keys[0] as number; k <= (keys[keys.length - 1] as number); k++) {
        const sorted = sortedByKey.get(k);
        if (sorted === undefined) {
          points.push(null);
          continue;
        }
        const idx = Math.min(sorted.length - 1, Math.floor(sorted.length * q));
        points.push([(k + 0.5) * dtS, Math.max(1e-3, sorted[idx] as number)]);
      }
      plot.line(points, colour, dashes.get(f) as string, `${f} quantile ${q}`);
      plot.legendEntry(`${f} ${q}`, Plot.lineSwatch(colour, dashes.get(f) as string), `${f} q${q}`);
    }
  }
  if (done.length === 0) plot.note('no completed operations');
  addPartitionLegend(plot, partitions);
  return plot.toSvg();
}

/** Completions per second in each time bucket, one line per f and completion type. */
export function renderRate(history: readonly Op[], pairs: readonly OpPair[], partitions: readonly PartitionInterval[]): string {
  const { minS, maxS } = timeRangeS(history);
  const dtS = bucketS(maxS);
  const bucketCount = Math.ceil(maxS / dtS) + 1;
  const series = new Map<string, { f: string; type: string; counts: number[] }>();
  for (const p of pairs) {
    if (p.completion === null) continue;
    const key = `${p.f} ${p.completion.type}`;
    let s = series.get(key);
    if (s === undefined) series.set(key, (s = { f: p.f, type: p.completion.type, counts: new Array<number>(bucketCount).fill(0) }));
    const bucket = Math.min(bucketCount - 1, Math.floor(p.completion.time / 1e9 / dtS));
    s.counts[bucket] = (s.counts[bucket] ?? 0) + 1;
  }
  let yMax = 1;
  for (const s of series.values()) for (const c of s.counts) yMax = Math.max(yMax, c / dtS);
  const plot = new Plot({
    title: `Throughput (completions per second, ${dtS} s windows)`,
    xLabel: 'time (s) of completion',
    yLabel: 'operations / s',
    xMin: minS,
    xMax: maxS,
    yMin: 0,
    yMax: yMax * 1.05,
    partitions,
  });
  const dashes = dashesByF([...new Set([...series.values()].map((s) => s.f))]);
  for (const [key, s] of [...series].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const colour = OP_TYPE_COLOURS[s.type] ?? '#000';
    const dash = dashes.get(s.f) as string;
    plot.line(
      s.counts.map((c, i) => [(i + 0.5) * dtS, c / dtS]),
      colour,
      dash,
      key,
    );
    plot.legendEntry(key, Plot.lineSwatch(colour, dash), key);
  }
  if (series.size === 0) plot.note('no completed operations');
  addPartitionLegend(plot, partitions);
  return plot.toSvg();
}

export function addPartitionLegend(plot: Plot, partitions: readonly PartitionInterval[]): void {
  for (const kind of ['kill', 'pause', 'partition-one-way'] as const) {
    const st = FAULT_STYLE[kind];
    if (partitions.some((p) => kindOf(p) === kind)) plot.legendEntry(`fault-${kind}`, `<rect x="-4" y="-5" width="14" height="10" fill="${st.fill}" stroke="${st.stroke}"/>`, st.label);
  }
  if (partitions.some((p) => kindOf(p) === 'partition')) {
    plot.legendEntry('partition', '<rect x="-4" y="-5" width="14" height="10" fill="#fde2e2" stroke="#e8a0a0"/>', 'partitioned');
  }
}
