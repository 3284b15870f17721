/**
 * `stable-latency.svg`, the picture Maelstrom lacks: for every broadcast
 * value, how long after it was known it became stably visible to all
 * readers, over the run, with partition intervals shaded — so one sees
 * whether latency spikes line up with partitions.
 *
 * The per-value outcome follows Jepsen's set-full checker (broadcast is its
 * `add`): a value is known at the earlier of its broadcast's ok completion
 * and the completion of the first ok read that contains it; each ok read's
 * invocation is its last-present or last-absent point; stable if the last
 * present read was invoked after the last absent one; lost if known and the
 * last absent read was invoked after both the last present read and the
 * known point; stable latency = (last-absent time + 1 ns, or 0) − known time,
 * floored at 0. This is a small re-derivation for drawing; the checker in
 * src/harness/checker is what decides validity.
 */
import type { Op } from '../harness/types.js';
import { maxOf } from './markup.js';
import type { PartitionInterval } from './nemesis.js';
import { addPartitionLegend } from './perf.js';
import { Plot } from './plot.js';

export type Outcome = 'stable' | 'lost' | 'never-read';

export interface ElementOutcome {
  value: unknown;
  outcome: Outcome;
  /** When the value became known (ms), or null if it never was. */
  knownMs: number | null;
  /** Present for stable values. */
  stableLatencyMs?: number;
  /** Present for lost values. */
  lostLatencyMs?: number;
}

interface ElementState {
  value: unknown;
  /** The number of the latest ok read that contained the value (0: none yet). */
  seenInRead: number;
  known: Op | null;
  lastPresent: Op | null;
  lastAbsent: Op | null;
}

const ADD_FS = new Set(['broadcast', 'add']);

/** Every broadcast value's outcome, in the order values were first broadcast. */
export function elementOutcomes(history: readonly Op[]): ElementOutcome[] {
  const elements = new Map<unknown, ElementState>();
  // The same states in order, as an array: every ok read visits all of them, and iterating the
  // Map's [key, state] entries would allocate a pair per element per read.
  const states: ElementState[] = [];
  const invocations = new Map<number, Op>();
  let readCount = 0;
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') invocations.set(op.process, op);
    if (ADD_FS.has(op.f)) {
      const key = keyOf(op.value);
      if (op.type === 'invoke') {
        if (!elements.has(key)) {
          const state: ElementState = { value: op.value, seenInRead: 0, known: null, lastPresent: null, lastAbsent: null };
          elements.set(key, state);
          states.push(state);
        }
      } else if (op.type === 'ok') {
        const e = elements.get(key);
        if (e !== undefined && e.known === null) e.known = op;
      }
    } else if (op.f === 'read' && op.type === 'ok') {
      const inv = invocations.get(op.process) ?? op;
      // Stamp the values this read contains rather than building a set of them per read.
      readCount += 1;
      if (Array.isArray(op.value)) {
        for (const v of op.value) {
          const e = elements.get(keyOf(v));
          if (e !== undefined) e.seenInRead = readCount;
        }
      }
      for (const e of states) {
        if (e.seenInRead === readCount) {
          if (e.known === null) e.known = op;
          if (e.lastPresent === null || e.lastPresent.index < inv.index) e.lastPresent = inv;
        } else if (e.lastAbsent === null || e.lastAbsent.index < inv.index) {
          e.lastAbsent = inv;
        }
      }
    }
  }
  const outcomes: ElementOutcome[] = [];
  for (const e of states) {
    const presentIndex = e.lastPresent?.index ?? -1;
    const absentIndex = e.lastAbsent?.index ?? -1;
    const stable = e.lastPresent !== null && absentIndex < presentIndex;
    const lost = e.known !== null && e.lastAbsent !== null && presentIndex < absentIndex && e.known.index < absentIndex;
    const knownMs = e.known === null ? null : e.known.time / 1e6;
    const result: ElementOutcome = { value: e.value, outcome: stable ? 'stable' : lost ? 'lost' : 'never-read', knownMs };
    if (stable && e.known !== null) {
      const stableNs = e.lastAbsent === null ? 0 : e.lastAbsent.time + 1;
      result.stableLatencyMs = Math.floor(Math.max(0, stableNs - e.known.time) / 1e6);
    }
    if (lost && e.known !== null) {
      const lostNs = e.lastPresent === null ? 0 : e.lastPresent.time + 1;
      result.lostLatencyMs = Math.floor(Math.max(0, lostNs - e.known.time) / 1e6);
    }
    outcomes.push(result);
  }
  return outcomes;
}

/** Numbers and strings are their own keys (fast Map/Set lookups); other values are compared as JSON. */
function keyOf(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'string' ? value : `json:${JSON.stringify(value) ?? 'undefined'}`;
}

/** The quantile the set-full checker reports: element floor(n*q) of the sorted list, capped at n-1. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}

const STABLE_COLOUR = '#3b82d6';
const LOST_COLOUR = '#d62728';
const NEVER_READ_COLOUR = '#9ca3af';

export function renderStableLatency(history: readonly Op[], partitions: readonly PartitionInterval[]): string {
  const outcomes = elementOutcomes(history);
  let endNs = 0;
  for (const op of history) endNs = Math.max(endNs, op.time);
  const stable = outcomes.filter((o) => o.outcome === 'stable' && o.knownMs !== null);
  const latencies = stable.map((o) => o.stableLatencyMs as number).sort((a, b) => a - b);
  const yMax = Math.max(10, maxOf(latencies) * 1.1);
  const median = quantile(latencies, 0.5);
  const lost = outcomes.filter((o) => o.outcome === 'lost');
  const neverRead = outcomes.filter((o) => o.outcome === 'never-read');
  const plot = new Plot({
    title:
      `Stable latency per broadcast value: ${stable.length} stable, ${lost.length} lost, ${neverRead.length} never read` +
      (median === null ? '' : `; median ${median} ms, max ${latencies[latencies.length - 1]} ms`),
    xLabel: 'time (s) the value became known',
    yLabel: 'stable latency (ms)',
    xMin: 0,
    xMax: Math.max(1, endNs / 1e9),
    yMin: 0,
    yMax,
    partitions,
  });
  for (const o of stable) {
    plot.point((o.knownMs as number) / 1000, o.stableLatencyMs as number, 'circle', STABLE_COLOUR,
      `value ${JSON.stringify(o.value)}: known at ${((o.knownMs as number) / 1000).toFixed(3)} s, stable after ${o.stableLatencyMs} ms`, 'pt stable');
  }
  // Lost and never-read values have no stable latency: mark them along the top and bottom edges.
  for (const o of lost) {
    plot.point((o.knownMs ?? 0) / 1000, yMax, 'cross', LOST_COLOUR,
      `value ${JSON.stringify(o.value)} LOST: known at ${((o.knownMs ?? 0) / 1000).toFixed(3)} s, absent from later reads`, 'pt lost');
  }
  for (const o of neverRead) {
    if (o.knownMs === null) continue;
    plot.point(o.knownMs / 1000, 0, 'triangle', NEVER_READ_COLOUR,
      `value ${JSON.stringify(o.value)} never read after it was known`, 'pt never-read');
  }
  if (median !== null) {
    const y = plot.sy(median);
    plot.add(`<line class="median" x1="${plot.sx(0)}" y1="${y}" x2="${plot.sx(Math.max(1, endNs / 1e9))}" y2="${y}" stroke="#1f77b4" stroke-dasharray="5 4"><title>median ${median} ms</title></line>`);
  }
  if (outcomes.length === 0) plot.note('no broadcast values in the history');
  plot.legendEntry('stable', Plot.pointSwatch('circle', STABLE_COLOUR), 'stable');
  if (median !== null) plot.legendEntry('median', Plot.lineSwatch('#1f77b4', '5 4'), `median (${median} ms)`);
  if (lost.length > 0) plot.legendEntry('lost', Plot.pointSwatch('cross', LOST_COLOUR), 'lost (drawn at the top)');
  if (neverRead.length > 0) plot.legendEntry('never-read', Plot.pointSwatch('triangle', NEVER_READ_COLOUR), 'never read (drawn at 0)');
  addPartitionLegend(plot, partitions);
  return plot.toSvg();
}
