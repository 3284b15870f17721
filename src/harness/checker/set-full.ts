/**
 * The broadcast workload's verdict: Jepsen's `set-full` checker (with
 * `linearizable?` false), broadcast playing the part of `add`. It follows each
 * broadcast value through the reads to decide whether it became *stable*
 * (every read invoked after some point saw it), was *lost* (it was known to be
 * in the set, and a later read did not see it) or was *never read*, and how
 * long stable values took to show up everywhere. On top of Jepsen it really
 * reports duplicates — a value appearing twice in one read — which Jepsen's
 * own check never catches (its filter is `(< count 1)`); a duplicate makes the
 * result invalid, as Jepsen intends.
 *
 * Output keys are Jepsen's, as JSON strings ("valid?", "lost-count", ...).
 * Times in the history are nanoseconds; latencies come out in whole
 * milliseconds, truncated like Jepsen's `(long (nanos->ms x))`.
 */
import type { Op } from '../types.js';

/** Jepsen's `:valid?`: true, false or `:unknown` (here the string "unknown"). */
export type Valid = boolean | 'unknown';

/** Quantiles Jepsen reports, keyed by the quantile as written in Jepsen ("0", "0.5", ...). */
export type Quantiles = { '0': number; '0.5': number; '0.95': number; '0.99': number; '1': number };

export const QUANTILE_POINTS = [0, 0.5, 0.95, 0.99, 1] as const;

/** One element's fate, Jepsen's `set-full-element-results`. */
export interface SetFullElement {
  element: unknown;
  outcome: 'stable' | 'lost' | 'never-read';
  'stable-latency': number | null;
  'lost-latency': number | null;
  /** The completion that first made the element known: the broadcast's ok, or the first ok read containing it. */
  known: Op | null;
  /** The invocation of the latest ok read that did not contain the element. */
  'last-absent': Op | null;
}

export interface SetFullResult {
  'valid?': Valid;
  'attempt-count': number;
  'stable-count': number;
  'lost-count': number;
  lost: unknown[];
  'never-read-count': number;
  'never-read': unknown[];
  'stale-count': number;
  stale: unknown[];
  /** Up to 8 stale elements, highest stable latency first. */
  'worst-stale': SetFullElement[];
  /** Present only if some element is stable. */
  'stable-latencies'?: Quantiles;
  /** Present only if some element is lost. */
  'lost-latencies'?: Quantiles;
  'duplicated-count': number;
  /** Element (as a JSON object key) -> the most times it appeared in a single read. */
  duplicated: Record<string, number>;
}

export interface SetFullOptions {
  /** The operation that adds one element. @default 'broadcast' */
  addF?: string;
  /** The operation whose ok value lists every element present. @default 'read' */
  readF?: string;
}

interface ElementState {
  key: unknown;
  element: unknown;
  known: Op | null;
  lastPresent: Op | null;
  lastAbsent: Op | null;
  /** The number of the latest ok read that contained the element (0: none yet). */
  seenInRead: number;
  /** How many times that read contained it. */
  seenCount: number;
}

export interface SetFullElementsOptions extends SetFullOptions {
  /**
   * Take an ok read with no invocation as its own invocation instead of
   * throwing: for drawing a damaged history rather than judging it.
   * @default false
   */
  lenient?: boolean;
}

/** Every added element's fate, in the order elements were first added, and the duplicates reads showed. */
export interface SetFullElements {
  elements: SetFullElement[];
  /** Element key -> the element and the most times it appeared in a single read (only counts over 1). */
  duplicated: Map<unknown, { element: unknown; count: number }>;
}

/**
 * Follows each added element through the reads of a history in index order:
 * the part of Jepsen's set-full that the checker judges and the
 * stable-latency picture draws. Throws on an ok read with no invocation
 * (unless `lenient`), as Jepsen does.
 */
export function setFullElements(history: readonly Op[], options: SetFullElementsOptions = {}): SetFullElements {
  const addF = options.addF ?? 'broadcast';
  const readF = options.readF ?? 'read';
  const elements = new Map<unknown, ElementState>();
  // The same states in Map order, as an array: every ok read visits all of them, and iterating the
  // Map's [key, state] entries allocated one pair per element per read (millions in a 25-node run).
  const states: ElementState[] = [];
  const invocations = new Map<number, Op>();
  const duplicated = new Map<unknown, { element: unknown; count: number }>();
  const noteCount = (key: unknown, element: unknown, count: number): void => {
    if (count > 1 && count > (duplicated.get(key)?.count ?? 0)) duplicated.set(key, { element, count });
  };
  let readNumber = 0;

  for (const op of history) {
    if (typeof op.process !== 'number') continue; // Jepsen's client-ops: the nemesis is not a client.
    let invocation: Op | undefined;
    if (op.type === 'invoke') invocations.set(op.process, op);
    else {
      invocation = invocations.get(op.process);
      invocations.delete(op.process);
    }

    if (op.f === addF) {
      if (op.type === 'invoke') {
        // A value invoked again starts afresh, keeping its place in the order.
        const key = elementKey(op.value);
        const state: ElementState = { key, element: op.value, known: null, lastPresent: null, lastAbsent: null, seenInRead: 0, seenCount: 0 };
        const old = elements.get(key);
        if (old === undefined) states.push(state);
        else states[states.indexOf(old)] = state;
        elements.set(key, state);
      } else if (op.type === 'ok') {
        const state = elements.get(elementKey(op.value));
        if (state !== undefined) state.known ??= op;
      }
    } else if (op.f === readF && op.type === 'ok') {
      if (invocation === undefined) {
        if (options.lenient !== true) throw new Error(`history index ${op.index}: ok ${readF} by process ${op.process} has no invocation`);
        invocation = op;
      }
      // Stamp the states this read contains (and count repeats) rather than building a set per read;
      // values never added are rare and only counted, for duplicates.
      readNumber += 1;
      let strays: Map<unknown, number> | undefined;
      for (const v of Array.isArray(op.value) ? op.value : []) {
        const key = elementKey(v);
        const state = elements.get(key);
        if (state === undefined) {
          strays ??= new Map();
          const count = (strays.get(key) ?? 0) + 1;
          strays.set(key, count);
          noteCount(key, v, count);
        } else if (state.seenInRead === readNumber) {
          noteCount(key, v, ++state.seenCount);
        } else {
          state.seenInRead = readNumber;
          state.seenCount = 1;
        }
      }
      for (const state of states) {
        if (state.seenInRead === readNumber) {
          state.known ??= op;
          if (state.lastPresent === null || state.lastPresent.index < invocation.index) state.lastPresent = invocation;
        } else if (state.lastAbsent === null || state.lastAbsent.index < invocation.index) {
          state.lastAbsent = invocation;
        }
      }
    }
  }
  return { elements: states.map(elementResult), duplicated };
}

/**
 * Jepsen's set-full over a history in index order. Throws on a history that
 * cannot have come from a run (a read completion with no invocation), as
 * Jepsen does; `checkBroadcast` turns that into an "unknown" verdict.
 */
export function checkSetFull(history: readonly Op[], options: SetFullOptions = {}): SetFullResult {
  const { elements, duplicated } = setFullElements(history, options);
  const results = elements.sort((a, b) => compareValues(a.element, b.element));
  const stable = results.filter((r) => r.outcome === 'stable');
  const lost = results.filter((r) => r.outcome === 'lost');
  const neverRead = results.filter((r) => r.outcome === 'never-read');
  const stale = stable.filter((r) => r['stable-latency']! > 0);
  // Jepsen sorts ascending (stably) and reverses, so among equal latencies the larger element comes first.
  const worstStale = stale
    .slice()
    .sort((a, b) => a['stable-latency']! - b['stable-latency']!)
    .reverse()
    .slice(0, 8);
  const stableLatencies = results.flatMap((r) => (r['stable-latency'] === null ? [] : [r['stable-latency']]));
  const lostLatencies = results.flatMap((r) => (r['lost-latency'] === null ? [] : [r['lost-latency']]));

  const setValid: Valid = lost.length > 0 ? false : stable.length === 0 ? 'unknown' : true;
  const dupEntries = [...duplicated.values()].sort((a, b) => compareValues(a.element, b.element));
  const result: SetFullResult = {
    'valid?': dupEntries.length > 0 ? false : setValid,
    'attempt-count': results.length,
    'stable-count': stable.length,
    'lost-count': lost.length,
    lost: lost.map((r) => r.element).sort(compareValues),
    'never-read-count': neverRead.length,
    'never-read': neverRead.map((r) => r.element).sort(compareValues),
    'stale-count': stale.length,
    stale: stale.map((r) => r.element).sort(compareValues),
    'worst-stale': worstStale,
    'duplicated-count': dupEntries.length,
    duplicated: Object.fromEntries(dupEntries.map((d) => [objectKey(d.element), d.count])),
  };
  if (stableLatencies.length > 0) result['stable-latencies'] = quantiles(stableLatencies)!;
  if (lostLatencies.length > 0) result['lost-latencies'] = quantiles(lostLatencies)!;
  return result;
}

function elementResult(e: ElementState): SetFullElement {
  const { known, lastPresent, lastAbsent } = e;
  const stable = lastPresent !== null && (lastAbsent?.index ?? -1) < lastPresent.index;
  // Absence only means loss once the element is known, and only if the absent read began after it became known:
  // a read concurrent with the add may have linearized before it.
  const lost =
    known !== null &&
    lastAbsent !== null &&
    (lastPresent?.index ?? -1) < lastAbsent.index &&
    known.index < lastAbsent.index;
  // Jepsen's stable time is just after the last absent read began (0 if never absent); likewise the lost time.
  const stableLatency = stable ? nanosToMs((lastAbsent === null ? 0 : lastAbsent.time + 1) - known!.time) : null;
  const lostLatency = lost ? nanosToMs((lastPresent === null ? 0 : lastPresent.time + 1) - known!.time) : null;
  return {
    element: e.element,
    outcome: stable ? 'stable' : lost ? 'lost' : 'never-read',
    'stable-latency': stableLatency,
    'lost-latency': lostLatency,
    known,
    'last-absent': lastAbsent,
  };
}

function nanosToMs(nanos: number): number {
  return Math.floor(Math.max(0, nanos) / 1e6);
}

/**
 * Jepsen's `frequency-distribution` at 0, 0.5, 0.95, 0.99 and 1: sort, then
 * take element floor(n * q), capped at n - 1. Null for no values.
 */
export function quantiles(values: readonly number[]): Quantiles | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const n = sorted.length;
  const at = (q: number): number => sorted[Math.min(n - 1, Math.floor(n * q))]!;
  return { '0': at(0), '0.5': at(0.5), '0.95': at(0.95), '0.99': at(0.99), '1': at(1) };
}

/** Map key for a JSON value: primitives as themselves, anything else by its JSON text. */
function elementKey(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? `\u0000json:${JSON.stringify(v)}` : v;
}

/** How an element is written as a JSON object key ("duplicated"). */
function objectKey(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const TYPE_RANK: Record<string, number> = { number: 0, string: 1, boolean: 2, undefined: 3, object: 4 };

/**
 * A total order on JSON values for sorting output: numbers numerically, then
 * strings, booleans, null and arrays/objects (by JSON text). Broadcast values
 * are integers, where this is Jepsen's order.
 */
export function compareValues(a: unknown, b: unknown): number {
  const ta = a === null ? 'undefined' : typeof a;
  const tb = b === null ? 'undefined' : typeof b;
  if (ta !== tb) return (TYPE_RANK[ta] ?? 5) - (TYPE_RANK[tb] ?? 5);
  if (ta === 'number') return (a as number) - (b as number);
  const sa = ta === 'string' ? (a as string) : JSON.stringify(a) ?? '';
  const sb = tb === 'string' ? (b as string) : JSON.stringify(b) ?? '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
