/**
 * The whole `results.json` of a run, as Maelstrom's `core.clj` composes its
 * checkers: `perf` and `timeline` (pictures, always valid; eddy's viz draws
 * them), `exceptions`, `stats`, `availability`, `net` and `workload`, with the
 * overall "valid?" merged the way Jepsen's `merge-valid` does (false beats
 * "unknown" beats true). Like Jepsen's `check-safe`, a checker that throws
 * yields `{"valid?": "unknown", "error": ...}` instead of failing the run.
 * Also the echo workload's checker and the exit code for a verdict.
 */
import type { Op } from '../types.js';
import { checkSetFull, type SetFullResult, type Valid } from './set-full.js';
import { checkStats, type StatsResult } from './stats.js';
import type { NetResult } from './net.js';

export { checkSetFull, quantiles, compareValues, QUANTILE_POINTS } from './set-full.js';
export type { SetFullResult, SetFullElement, SetFullOptions, Quantiles, Valid } from './set-full.js';
export { checkStats } from './stats.js';
export type { StatsResult, OutcomeCounts } from './stats.js';
export { NetStats, countClientInvocations } from './net.js';
export { checkOpRate, formatOpRate, withOpRate, type OpRateResult } from './op-rate.js';
export type { NetResult, NetGroupStats } from './net.js';

/** `--availability`: null (no check), "total" (every operation must succeed) or the least ok fraction in [0, 1]. */
export type Availability = number | 'total' | null;

export interface CheckExtra {
  /** @default null */
  availability?: Availability;
}

export interface AvailabilityResult {
  'valid?': boolean;
  /** ok completions / invocations of client operations (1 when there were none). */
  'ok-fraction': number;
}

/** What a checker that threw reports (Jepsen's `check-safe`). */
export interface CheckerError {
  'valid?': 'unknown';
  error: string;
}

export interface ExceptionsResult {
  'valid?': true;
  /** Present only if some indeterminate operation carries an `exception`. */
  exceptions?: { count: number; class: string; example: Op }[];
}

export interface CommonResults {
  'valid?': Valid;
  perf: { 'latency-graph': { 'valid?': true }; 'rate-graph': { 'valid?': true }; 'valid?': true };
  timeline: { 'valid?': true };
  exceptions: ExceptionsResult | CheckerError;
  stats: StatsResult | CheckerError;
  availability: AvailabilityResult | CheckerError;
  /** Maelstrom's documented layout: `net` → `stats` → `all` / `clients` / `servers`. */
  net: { 'valid?': true; stats: NetResult } | CheckerError;
}

export interface BroadcastResults extends CommonResults {
  workload: SetFullResult | CheckerError;
}

export interface EchoResult {
  'valid?': boolean;
  /** One entry per bad pair: ["Expected a message with :echo", sent, "But received", completion value]. */
  errors: unknown[][];
}

export interface EchoResults extends CommonResults {
  workload: EchoResult | CheckerError;
}

/** results.json for the broadcast workload. */
export function checkBroadcast(history: readonly Op[], net: NetResult, extra: CheckExtra = {}): BroadcastResults {
  return compose(history, net, extra, () => checkSetFull(history));
}

/** results.json for the echo workload. */
export function checkEcho(history: readonly Op[], net: NetResult, extra: CheckExtra = {}): EchoResults {
  return compose(history, net, extra, () => checkEchoPairs(history));
}

/**
 * Maelstrom's composed results map around a workload's own checker:
 * perf, timeline, exceptions, stats, availability, net and workload, with
 * the overall verdict merged. A checker that throws gives "unknown".
 */
export function composeResults<W extends { 'valid?': Valid }>(
  history: readonly Op[],
  net: NetResult,
  extra: CheckExtra,
  workload: () => W,
): CommonResults & { workload: W | CheckerError } {
  return compose(history, net, extra, workload);
}

function compose<W extends { 'valid?': Valid }>(
  history: readonly Op[],
  net: NetResult,
  extra: CheckExtra,
  workload: () => W,
): CommonResults & { workload: W | CheckerError } {
  const availability = extra.availability ?? null;
  validateAvailability(availability);
  const parts = {
    perf: { 'latency-graph': { 'valid?': true }, 'rate-graph': { 'valid?': true }, 'valid?': true } as const,
    timeline: { 'valid?': true } as const,
    exceptions: safe(() => checkExceptions(history)),
    stats: safe(() => checkStats(history)),
    availability: safe(() => checkAvailability(history, availability)),
    net: safe(() => ({ 'valid?': true as const, stats: net })),
    workload: safe(workload),
  };
  return { 'valid?': mergeValid(Object.values(parts).map((p) => p['valid?'])), ...parts };
}

function safe<T>(check: () => T): T | CheckerError {
  try {
    return check();
  } catch (e) {
    return { 'valid?': 'unknown', error: e instanceof Error ? e.message : String(e) };
  }
}

/** Jepsen's merge-valid: false beats "unknown" beats true; anything else is a programmer error. */
export function mergeValid(valids: Iterable<unknown>): Valid {
  let out: Valid = true;
  for (const v of valids) {
    if (v === false) out = false;
    else if (v === 'unknown') {
      if (out === true) out = 'unknown';
    } else if (v !== true) throw new TypeError(`${JSON.stringify(v)} is not a known valid? value`);
  }
  return out;
}

/** The process exit code for a verdict: 0 valid, 1 invalid, 2 unknown. */
export function verdictExitCode(valid: Valid): 0 | 1 | 2 {
  return valid === true ? 0 : valid === false ? 1 : 2;
}

function validateAvailability(a: Availability): void {
  if (a === null || a === 'total') return;
  if (typeof a !== 'number' || !(a >= 0 && a <= 1)) {
    throw new RangeError(`Expected availability to be "total" or a number from 0 to 1, got ${JSON.stringify(a)}`);
  }
}

/**
 * Maelstrom's availability checker (`maelstrom/checker.clj`): the fraction of
 * client invocations that completed ok, judged against `--availability`.
 */
export function checkAvailability(history: readonly Op[], availability: Availability): AvailabilityResult {
  validateAvailability(availability);
  let oks = 0;
  let invokes = 0;
  for (const op of history) {
    // Jepsen's nemesis operations are never "invoke" or "ok"; skipping them keeps that true whatever the runner records.
    if (op.process === 'nemesis') continue;
    if (op.type === 'ok') oks++;
    else if (op.type === 'invoke') invokes++;
  }
  const okFraction = invokes === 0 ? 1 : oks / invokes;
  const valid = availability === null ? true : availability === 'total' ? okFraction === 1 : availability <= okFraction;
  return { 'valid?': valid, 'ok-fraction': okFraction };
}

/**
 * Jepsen's `unhandled-exceptions`: indeterminate client operations that
 * carry an `exception`, grouped by its class, most frequent first. Always
 * valid; it only reports.
 */
export function checkExceptions(history: readonly Op[]): ExceptionsResult {
  const groups = new Map<string, Op[]>();
  for (const op of history) {
    const exception = (op as Op & { exception?: unknown }).exception;
    if (op.type !== 'info' || exception === undefined || exception === null) continue;
    const cls = exceptionClass(exception);
    const group = groups.get(cls);
    if (group === undefined) groups.set(cls, [op]);
    else group.push(op);
  }
  if (groups.size === 0) return { 'valid?': true };
  const exceptions = [...groups.entries()]
    .map(([cls, ops]) => ({ count: ops.length, class: cls, example: ops[0]! }))
    .sort((a, b) => b.count - a.count);
  return { 'valid?': true, exceptions };
}

function exceptionClass(e: unknown): string {
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null) {
    const via = (e as { via?: { type?: unknown }[] }).via;
    if (Array.isArray(via) && typeof via[0]?.type === 'string') return via[0].type;
    const cls = (e as { class?: unknown; type?: unknown }).class ?? (e as { type?: unknown }).type;
    if (typeof cls === 'string') return cls;
  }
  return 'unknown';
}

/**
 * Maelstrom's echo checker: every invocation must be answered by a
 * completion whose value has an `echo` equal to what was sent. A completion
 * that failed, timed out or never came is an error too.
 */
export function checkEchoPairs(history: readonly Op[]): EchoResult {
  const open = new Map<number, Op>();
  const pairs: [Op, Op | null][] = [];
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const invoke = open.get(op.process);
    open.delete(op.process);
    if (invoke !== undefined) pairs.push([invoke, op]);
  }
  for (const invoke of open.values()) pairs.push([invoke, null]);
  pairs.sort((a, b) => a[0].index - b[0].index);

  const errors: unknown[][] = [];
  for (const [invoke, complete] of pairs) {
    const value = complete === null ? null : complete.value;
    // Clojure's (:echo x) is nil for a missing field or a non-map, and nil equals nil.
    const echoed = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { echo?: unknown }).echo ?? null : null;
    if (!jsonEqual(invoke.value ?? null, echoed)) {
      errors.push(['Expected a message with :echo', invoke.value, 'But received', value]);
    }
  }
  return { 'valid?': errors.length === 0, errors };
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
