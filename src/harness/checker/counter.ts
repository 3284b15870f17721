/**
 * The g-counter and pn-counter checker (Maelstrom's `pn_counter.clj`, spec
 * 2.3): the final reads must each be a value the counter could hold after
 * every acknowledged add and any subset of the indeterminate ones.
 *
 * The acceptable values are kept as sorted, disjoint, inclusive integer
 * ranges ("runs"): starting from {sum of ok adds}, each indeterminate add d
 * makes S := S ∪ (S + d). Runs that touch are merged, so with Maelstrom's
 * small deltas the set stays a handful of ranges however long the run.
 *
 * eddy's stronger check (`strictCounterReads`, used with --strict): every ok
 * read during the run, not only the final ones, must be a sum of some
 * subset of the adds invoked before that read completed. That is sound for
 * any correct counter, even one on seq-kv that serves stale reads (a stale
 * read misses some adds, but never invents one); a counter that doubles
 * or makes up increments fails it.
 */
import type { Op } from '../types.js';
import type { Valid } from './set-full.js';
import type { StrictResult } from '../workloads/workload.js';

/** An inclusive integer range. */
export type Run = [number, number];

/** More runs than this and the set is reported as too large to track (never reached with Maelstrom's deltas). */
export const MAX_RUNS = 100_000;

export interface CounterResult {
  'valid?': Valid;
  /** The offending final read completions, or null. */
  errors: Op[] | null;
  'final-reads': unknown[];
  acceptable: Run[];
  /** When the acceptable set could not be tracked within its budget, why. */
  error?: string;
}

/** S ∪ (S + d), merged. Both inputs sorted and disjoint. */
export function shiftUnion(runs: readonly Run[], d: number): Run[] {
  if (d === 0) return runs.slice();
  const shifted = runs.map(([lo, hi]): Run => [lo + d, hi + d]);
  return mergeRuns(runs, shifted);
}

function mergeRuns(a: readonly Run[], b: readonly Run[]): Run[] {
  const out: Run[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!;
    const last = out[out.length - 1];
    if (last !== undefined && next[0] <= last[1] + 1) {
      if (next[1] > last[1]) last[1] = next[1];
    } else {
      out.push([next[0], next[1]]);
    }
  }
  return out;
}

export function inRuns(runs: readonly Run[], v: number): boolean {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = runs[mid]!;
    if (v < a) hi = mid - 1;
    else if (v > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const isAdd = (op: Op): boolean => op.f === 'add' && op.process !== 'nemesis';

export function checkCounter(history: readonly Op[]): CounterResult {
  let definite = 0;
  const indeterminate: number[] = [];
  const finalReads: Op[] = [];
  for (const op of history) {
    if (isAdd(op)) {
      if (typeof op.value !== 'number') continue;
      if (op.type === 'ok') definite += op.value;
      else if (op.type === 'info') indeterminate.push(op.value);
    } else if (op.f === 'read' && op.type === 'ok' && op.final === true) {
      finalReads.push(op);
    }
  }
  let runs: Run[] = [[definite, definite]];
  for (const d of indeterminate) {
    runs = shiftUnion(runs, d);
    if (runs.length > MAX_RUNS) {
      return {
        'valid?': 'unknown',
        errors: null,
        'final-reads': finalReads.map((o) => o.value),
        acceptable: [],
        error: `The acceptable values split into more than ${MAX_RUNS} ranges; the final reads cannot be judged.`,
      };
    }
  }
  const errors = finalReads.filter((o) => !(typeof o.value === 'number' && Number.isInteger(o.value) && inRuns(runs, o.value)));
  return { 'valid?': errors.length === 0, errors: errors.length === 0 ? null : errors, 'final-reads': finalReads.map((o) => o.value), acceptable: runs };
}

/** How many findings the strict check lists in full. */
const FINDINGS_SHOWN = 10;

/**
 * Every ok read, during the run and final, against the subset sums of the
 * adds invoked before it completed (fail adds excluded: they did not happen).
 */
export function strictCounterReads(history: readonly Op[]): StrictResult {
  // A fail add's invocation did not take effect: find them first, by process and order.
  const failedInvokes = new Set<number>();
  const open = new Map<number | string, number>();
  for (const op of history) {
    if (!isAdd(op)) continue;
    if (op.type === 'invoke') open.set(op.process, op.index);
    else {
      const inv = open.get(op.process);
      open.delete(op.process);
      if (op.type === 'fail' && inv !== undefined) failedInvokes.add(inv);
    }
  }
  let runs: Run[] = [[0, 0]];
  let checked = 0;
  let tooLarge = false;
  const bad: Op[] = [];
  for (const op of history) {
    if (isAdd(op) && op.type === 'invoke' && typeof op.value === 'number' && !failedInvokes.has(op.index) && !tooLarge) {
      runs = shiftUnion(runs, op.value);
      if (runs.length > MAX_RUNS) tooLarge = true;
    } else if (op.f === 'read' && op.type === 'ok' && !tooLarge) {
      checked++;
      if (!(typeof op.value === 'number' && inRuns(runs, op.value))) bad.push(op);
    }
  }
  const findings = bad.slice(0, FINDINGS_SHOWN).map(
    (o) =>
      `Read ${JSON.stringify(o.value)} (op ${o.index}, process ${String(o.process)}${o.final ? ', final' : ''}) is no sum of the adds invoked before it completed: the counter invented or repeated an increment.`,
  );
  if (bad.length > FINDINGS_SHOWN) findings.push(`... and ${bad.length - FINDINGS_SHOWN} more such reads.`);
  if (tooLarge) findings.push(`The possible sums split into more than ${MAX_RUNS} ranges; reads after that point were not checked.`);
  return {
    'valid?': bad.length > 0 ? false : tooLarge ? 'unknown' : true,
    findings,
    'reads-checked': checked,
    'bad-read-count': bad.length,
    'bad-reads': bad.slice(0, FINDINGS_SHOWN),
  };
}
