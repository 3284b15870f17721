/**
 * The kafka workload's verdict: Jepsen's `jepsen.tests.kafka` analysis as
 * Maelstrom runs it (one micro-op per operation, assign-based consumers,
 * strict-serializable cycle search without ww edges). It rebuilds each key's
 * log from every poll and every committed send, gives its non-empty offsets
 * dense indices, and looks for the anomalies of the spec's table (section
 * 2.5): inconsistent offsets, duplicates, lost writes, unseen messages, skips
 * and non-monotonic polls or sends between and inside operations, aborted
 * reads (G1a), pre-committed reads and realtime cycles (G1c-realtime).
 *
 * Unlike Jepsen, nothing here is indexed by raw offset: a key's log is a map
 * from the offsets actually seen, sorted once, so offsets in the billions or
 * sparse offsets cost what the history costs. Skipped-message lists are only
 * materialised for the examples the result keeps.
 *
 * Where Maelstrom's checker throws (a message read that nobody sent; a key
 * polled only as empty lists, which makes Jepsen index position -1), the
 * result is `unknown` with one sentence naming the key and the offset.
 *
 * Result keys are Jepsen's as JSON strings ("valid?", "error-types",
 * "bad-error-types", "info-txn-causes", "worst-realtime-lag", and one
 * `{count, errs}` per error type; `unseen` as its map). Times in the history
 * are nanoseconds; the realtime lag comes out in seconds.
 */
import type { Op } from '../types.js';
import type { Valid } from './set-full.js';

/** Error types that do not invalidate a run (Jepsen's `allowed-error-types` for assign-based consumers without ww inference). */
export const ALLOWED_ERROR_TYPES: ReadonlySet<string> = new Set([
  'int-send-skip',
  'G0',
  'G0-process',
  'G0-realtime',
  'PL-1-cycle-exists',
  'strong-PL-1-cycle-exists',
]);

export interface KafkaResult {
  'valid?': Valid;
  /** Present when the analysis could not decide: one sentence naming key and offset. */
  error?: string;
  'error-types'?: string[];
  'bad-error-types'?: string[];
  'info-txn-causes'?: unknown[];
  'worst-realtime-lag'?: { time: number; process?: number; key?: string; lag: number };
  [errorType: string]: unknown;
}

/** A micro-op of a send or poll, parsed. */
type Pair = [offset: number | null, msg: unknown];

interface ParsedOp {
  op: Op;
  /** key → messages sent (offset null when unknown). */
  writes: Map<string, Pair[]> | null;
  /** key → [offset, msg] read, in order. */
  reads: Map<string, Pair[]> | null;
  /** The invocation's history index (for realtime edges), or -1. */
  invokeIndex: number;
  invokeTime: number;
}

/** Messages compared as Jepsen compares them: by value. Numbers are their own key. */
type MsgKey = number | string;
function msgKey(m: unknown): MsgKey {
  return typeof m === 'number' ? m : 'j' + JSON.stringify(m);
}

/** One key's log: the offsets seen, each with its distinct messages in order of arrival. */
interface KeyLog {
  atOffset: Map<number, MsgKey[]>;
  /** Non-empty offsets, ascending (dense index = position). */
  offsets: number[];
  /** Dense index → one message (the first that arrived at that offset). */
  byIndex: MsgKey[];
  /** Message → dense index, for representative messages (the last index wins). */
  byValue: Map<MsgKey, number>;
  firstIndex: Map<MsgKey, number>;
  lastIndex: Map<MsgKey, number>;
  /** Original message values, for output. */
  values: Map<MsgKey, unknown>;
}

class Undecidable extends Error {}

/** Runs the analysis; never throws for bad data, answers `unknown` instead. */
export function checkKafka(history: readonly Op[]): KafkaResult {
  try {
    return analyse(history);
  } catch (e) {
    if (e instanceof Undecidable) return { 'valid?': 'unknown', error: e.message };
    throw e;
  }
}

function parseMops(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function parseOp(op: Op, invoke: Op | undefined): ParsedOp {
  let writes: Map<string, Pair[]> | null = null;
  let reads: Map<string, Pair[]> | null = null;
  for (const mop of parseMops(op.value)) {
    if (!Array.isArray(mop)) continue;
    if (mop[0] === 'send' && (op.f === 'send' || op.f === 'txn')) {
      const k = String(mop[1]);
      const v = mop[2];
      const pair: Pair = Array.isArray(v) ? [typeof v[0] === 'number' ? v[0] : null, v[1]] : [null, v];
      writes ??= new Map();
      let list = writes.get(k);
      if (list === undefined) writes.set(k, (list = []));
      list.push(pair);
    } else if (mop[0] === 'poll' && mop.length >= 2 && (op.f === 'poll' || op.f === 'txn')) {
      const msgs = mop[1];
      if (typeof msgs !== 'object' || msgs === null) continue;
      reads ??= new Map();
      for (const [k, pairs] of Object.entries(msgs as Record<string, unknown>)) {
        let list = reads.get(k);
        if (list === undefined) reads.set(k, (list = []));
        if (!Array.isArray(pairs)) continue;
        for (const p of pairs) {
          if (Array.isArray(p)) list.push([typeof p[0] === 'number' ? p[0] : null, p[1]]);
        }
      }
    }
  }
  return { op, writes, reads, invokeIndex: invoke?.index ?? -1, invokeTime: invoke?.time ?? op.time };
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

function analyse(history: readonly Op[]): KafkaResult {
  // ---- parse client operations, pairing completions with invocations ----
  const openInvoke = new Map<number, Op>();
  const ops: ParsedOp[] = [];
  const byProcess = new Map<number, (ParsedOp | Op)[]>();
  let anyClientOp = false;
  for (const op of history) {
    if (op.process === 'nemesis' || typeof op.process !== 'number') continue;
    anyClientOp = true;
    if (op.type === 'invoke') {
      openInvoke.set(op.process, op);
      getOr(byProcess, op.process, () => []).push(op);
      continue;
    }
    const p = parseOp(op, openInvoke.get(op.process));
    openInvoke.delete(op.process);
    ops.push(p);
    getOr(byProcess, op.process, () => []).push(p);
  }

  // ---- reads-by-type :ok, writes-by-type :fail, writer-of, readers-of ----
  const okReads = new Map<string, Set<MsgKey>>();
  const failedWrites = new Map<string, Set<MsgKey>>();
  const writerOf = new Map<string, Map<MsgKey, ParsedOp>>();
  const firstReaderOf = new Map<string, Map<MsgKey, ParsedOp>>();
  for (const p of ops) {
    if (p.reads !== null && p.op.type === 'ok') {
      for (const [k, pairs] of p.reads) {
        const set = getOr(okReads, k, () => new Set());
        for (const [, m] of pairs) set.add(msgKey(m));
      }
    }
    if (p.reads !== null) {
      for (const [k, pairs] of p.reads) {
        const readers = getOr(firstReaderOf, k, () => new Map());
        for (const [, m] of pairs) if (!readers.has(msgKey(m))) readers.set(msgKey(m), p);
      }
    }
    if (p.writes !== null) {
      for (const [k, pairs] of p.writes) {
        const w = getOr(writerOf, k, () => new Map());
        for (const [, m] of pairs) w.set(msgKey(m), p);
        if (p.op.type === 'fail') {
          const set = getOr(failedWrites, k, () => new Set());
          for (const [, m] of pairs) set.add(msgKey(m));
        }
      }
    }
  }
  const committed = (w: ParsedOp): boolean => {
    if (w.op.type === 'ok') return true;
    if (w.op.type !== 'info' || w.writes === null) return false;
    for (const [k, pairs] of w.writes) {
      const read = okReads.get(k);
      if (read !== undefined && pairs.some(([, m]) => read.has(msgKey(m)))) return true;
    }
    return false;
  };

  // Every message read must have a writer: Elle's wr explainer throws otherwise.
  for (const p of ops) {
    if (p.reads === null) continue;
    for (const [k, pairs] of p.reads) {
      for (const [offset, m] of pairs) {
        if (writerOf.get(k)?.has(msgKey(m)) !== true) {
          throw new Undecidable(
            `Key ${JSON.stringify(k)} offset ${offset === null ? 'null' : offset} holds message ${JSON.stringify(m)}, which no client ever sent to that key (op ${p.op.index}); Maelstrom's checker crashes here (no-writer-of-value), so eddy cannot decide.`,
          );
        }
      }
    }
  }

  // ---- version orders: every poll, plus sends of committed writers ----
  const logs = new Map<string, KeyLog>();
  const logOf = (k: string): KeyLog =>
    getOr(logs, k, () => ({ atOffset: new Map(), offsets: [], byIndex: [], byValue: new Map(), firstIndex: new Map(), lastIndex: new Map(), values: new Map() }));
  const addToLog = (k: string, offset: number | null, m: unknown): void => {
    if (offset === null) return;
    const log = logOf(k);
    const mk = msgKey(m);
    log.values.set(mk, m);
    const at = log.atOffset.get(offset);
    if (at === undefined) log.atOffset.set(offset, [mk]);
    else if (!at.includes(mk)) at.push(mk);
  };
  for (const p of ops) {
    if (p.writes !== null && committed(p)) for (const [k, pairs] of p.writes) for (const [o, m] of pairs) addToLog(k, o, m);
    if (p.reads !== null) for (const [k, pairs] of p.reads) for (const [o, m] of pairs) addToLog(k, o, m);
  }
  const errors = new Map<string, unknown[] | Record<string, unknown>>();
  const push = (type: string, err: unknown): void => {
    const list = getOr(errors, type, () => [] as unknown[]) as unknown[];
    list.push(err);
  };
  for (const [k, log] of [...logs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    log.offsets = [...log.atOffset.keys()].sort((a, b) => a - b);
    const occurrences = new Map<MsgKey, number[]>();
    log.offsets.forEach((offset, i) => {
      const vs = log.atOffset.get(offset)!;
      log.byIndex.push(vs[0]!);
      log.byValue.set(vs[0]!, i);
      for (const v of vs) {
        if (!log.firstIndex.has(v)) log.firstIndex.set(v, i);
        log.lastIndex.set(v, i);
        getOr(occurrences, v, () => []).push(offset);
      }
      if (vs.length >= 2) {
        push('inconsistent-offsets', { key: k, offset, index: i, values: sortValues(vs.map((v) => log.values.get(v))) });
      }
    });
    for (const [v, offsets] of occurrences) {
      if (offsets.length > 1) push('duplicate', { key: k, value: log.values.get(v), count: offsets.length, offsets });
    }
  }
  const skipped = (k: string, from: number, to: number): unknown[] => {
    const log = logs.get(k)!;
    const out: unknown[] = [];
    for (let i = from + 1; i < to; i++) out.push(log.values.get(log.byIndex[i]!));
    return out;
  };

  // ---- G1a and pre-committed reads ----
  for (const p of ops) {
    if (p.reads === null) continue;
    if (p.op.type === 'ok') {
      for (const [k, pairs] of p.reads) {
        const failed = failedWrites.get(k);
        if (failed === undefined) continue;
        for (const [, m] of pairs) {
          if (failed.has(msgKey(m))) push('G1a', { key: k, value: m, writer: writerOf.get(k)?.get(msgKey(m))?.op, reader: p.op });
        }
      }
    }
    if (p.writes !== null) {
      for (const [k, pairs] of p.writes) {
        const read = p.reads.get(k);
        const bad = read === undefined ? undefined : pairs.find(([, m]) => read.some(([, r]) => msgKey(r) === msgKey(m)));
        if (bad !== undefined) push('precommitted-read', { op: p.op, key: k, value: bad[1] });
      }
    }
  }

  // ---- lost writes ----
  for (const k of [...okReads.keys()].sort()) {
    const vs = okReads.get(k)!;
    const log = logs.get(k);
    let bound = -1;
    if (log !== undefined) for (const v of vs) bound = Math.max(bound, log.firstIndex.get(v) ?? -1);
    if (bound < 0 || log === undefined) {
      throw new Undecidable(
        `Key ${JSON.stringify(k)} appears in ok polls only as an empty list (no message at any offset), so it has no highest read offset; Maelstrom's checker crashes here indexing offset -1, so eddy cannot decide.`,
      );
    }
    let maxReadValue: MsgKey | undefined;
    for (const [v, i] of log.lastIndex) if (i === bound && maxReadValue === undefined) maxReadValue = v;
    const maxRead = maxReadValue === undefined ? undefined : firstReaderOf.get(k)?.get(maxReadValue)?.op;
    for (const [v, i] of log.lastIndex) {
      if (i > bound || vs.has(v)) continue;
      const w = writerOf.get(k)?.get(v);
      if (w === undefined) {
        throw new Undecidable(`Key ${JSON.stringify(k)} offset ${log.offsets[i]} holds a message no client sent; Maelstrom's checker crashes here (no-writer-of), so eddy cannot decide.`);
      }
      if (!committed(w)) continue;
      push('lost-write', { key: k, value: log.values.get(v), index: log.firstIndex.get(v), 'max-read-index': bound, writer: w.op, 'max-read': maxRead });
    }
  }

  // ---- skips and non-monotonic reads inside one poll, and sends inside one op ----
  interface Delta { key: string; values: unknown[]; delta: number; from: number; to: number; op?: Op; ops?: Op[] }
  const skips = new Map<string, Delta[]>();
  const pushDelta = (type: string, d: Delta): void => void getOr(skips, type, () => []).push(d);
  const indexOf = (k: string, m: unknown): number | undefined => logs.get(k)?.byValue.get(msgKey(m));
  for (const p of ops) {
    for (const [mopsOf, skipType, nmType] of [
      [p.reads, 'int-poll-skip', 'int-nonmonotonic-poll'],
      [p.writes, 'int-send-skip', 'int-nonmonotonic-send'],
    ] as const) {
      if (mopsOf === null) continue;
      for (const [k, pairs] of mopsOf) {
        let i1: number | undefined;
        for (let j = 0; j < pairs.length; j++) {
          const i2 = indexOf(k, pairs[j]![1]);
          if (j > 0) {
            const delta = i1 !== undefined && i2 !== undefined ? i2 - i1 : 1;
            const values = [pairs[j - 1]![1], pairs[j]![1]];
            if (delta > 1) pushDelta(skipType, { key: k, values, delta, from: i1!, to: i2!, op: p.op });
            else if (delta < 1) pushDelta(nmType, { key: k, values, delta, from: 0, to: 0, op: p.op });
          }
          i1 = i2;
        }
      }
    }
  }

  // ---- per process: skips and non-monotonic polls between polls; non-monotonic sends ----
  for (const entries of byProcess.values()) {
    const lastReads = new Map<string, { op: Op; last: unknown }>();
    const lastSends = new Map<string, { op: Op; last: unknown }>();
    for (const e of entries) {
      const p = 'op' in e ? e : null;
      const op = p === null ? (e as Op) : p.op;
      if (op.f === 'assign' || op.f === 'subscribe') {
        if (op.type === 'invoke' || op.type === 'fail') continue;
        const keep = new Set(Array.isArray(op.value) ? op.value.map(String) : []);
        for (const k of [...lastReads.keys()]) if (!keep.has(k)) lastReads.delete(k);
        for (const k of [...lastSends.keys()]) if (!keep.has(k)) lastSends.delete(k);
        continue;
      }
      if (p === null) continue;
      if (p.reads !== null) {
        for (const [k, pairs] of p.reads) {
          const last = lastReads.get(k);
          if (last === undefined) continue;
          const i = indexOf(k, last.last);
          const first = pairs.length > 0 ? pairs[0]![1] : undefined;
          const i2 = pairs.length > 0 ? indexOf(k, first) : undefined;
          const delta = i !== undefined && i2 !== undefined ? i2 - i : 1;
          if (delta > 1) pushDelta('poll-skip', { key: k, values: [], delta, from: i!, to: i2!, ops: [last.op, p.op] });
          if (delta < 1) pushDelta('nonmonotonic-poll', { key: k, values: [last.last, first], delta, from: 0, to: 0, ops: [last.op, p.op] });
        }
        if (op.type === 'ok') {
          for (const [k, pairs] of p.reads) lastReads.set(k, { op, last: pairs.length > 0 ? pairs[pairs.length - 1]![1] : undefined });
        }
      }
      if (p.writes !== null && (op.type === 'ok' || op.type === 'info')) {
        for (const [k, pairs] of p.writes) {
          const last = lastSends.get(k);
          if (last !== undefined) {
            const i = indexOf(k, last.last);
            const i2 = indexOf(k, pairs[0]![1]);
            const delta = i !== undefined && i2 !== undefined ? i2 - i : 1;
            if (delta < 1) pushDelta('nonmonotonic-send', { key: k, values: [last.last, pairs[0]![1]], delta, from: 0, to: 0, ops: [last.op, op] });
          }
          lastSends.set(k, { op, last: pairs[pairs.length - 1]![1] });
        }
      }
    }
  }

  // ---- unseen: ok sends never read by an ok poll ----
  let lastOkTime: number | null = null;
  for (const p of ops) if (p.op.type === 'ok' && (p.reads !== null || p.writes !== null)) lastOkTime = p.op.time;
  const unseenCounts: Record<string, number> = {};
  const unseenMessages: Record<string, unknown[]> = {};
  const okSent = new Map<string, Map<MsgKey, unknown>>();
  for (const p of ops) {
    if (p.op.type !== 'ok' || p.writes === null) continue;
    for (const [k, pairs] of p.writes) for (const [, m] of pairs) getOr(okSent, k, () => new Map()).set(msgKey(m), m);
  }
  for (const k of [...okSent.keys()].sort()) {
    const read = okReads.get(k);
    const missing = [...okSent.get(k)!].filter(([mk]) => read?.has(mk) !== true).map(([, m]) => m);
    if (missing.length > 0) {
      unseenCounts[k] = missing.length;
      unseenMessages[k] = sortValues(missing).slice(0, 32);
    }
  }
  if (Object.keys(unseenCounts).length > 0) errors.set('unseen', { time: lastOkTime, unseen: unseenCounts, messages: unseenMessages });

  // ---- realtime cycles: a poll read a message whose send began after the poll ended ----
  // With only wr (send → poll) and realtime edges every cycle contains such a pair (see the README).
  let anyEdge = false;
  let minOkComplete = Infinity;
  let maxInvoke = -Infinity;
  for (const p of ops) {
    if (p.reads === null && p.writes === null) continue;
    if (p.op.type === 'ok') minOkComplete = Math.min(minOkComplete, p.op.index);
    if (p.op.type !== 'fail') maxInvoke = Math.max(maxInvoke, p.invokeIndex);
    if (p.reads === null || p.op.type !== 'ok') continue;
    const seen = new Set<ParsedOp>();
    for (const [k, pairs] of p.reads) {
      for (const [, m] of pairs) {
        const w = writerOf.get(k)?.get(msgKey(m));
        if (w === undefined || w === p) continue;
        anyEdge = true;
        if (w.op.type === 'fail' || seen.has(w) || !(p.op.index < w.invokeIndex)) continue;
        seen.add(w);
        push('G1c-realtime', {
          type: 'G1c-realtime',
          cycle: [w.op, p.op, w.op],
          steps: [
            { type: 'wr', key: k, value: m },
            { type: 'realtime', 'a-complete-index': p.op.index, 'b-invoke-index': w.invokeIndex },
          ],
        });
      }
    }
  }
  if (minOkComplete < maxInvoke) anyEdge = true;
  if (anyClientOp && ops.some((p) => p.reads !== null || p.writes !== null) && !anyEdge) errors.set('empty-transaction-graph', [true]);

  // ---- realtime lag ----
  const worst = realtimeLag(ops);

  // ---- the result map ----
  for (const [type, list] of skips) {
    errors.set(type, list as unknown[]);
  }
  const types = [...errors.keys()].sort();
  const bad = types.filter((t) => !ALLOWED_ERROR_TYPES.has(t));
  const causes: unknown[] = [];
  const causeKeys = new Set<string>();
  for (const p of ops) {
    if (p.op.type !== 'info' || !(p.op.f === 'send' || p.op.f === 'poll' || p.op.f === 'txn')) continue;
    const ck = JSON.stringify(p.op.error ?? null);
    if (!causeKeys.has(ck)) {
      causeKeys.add(ck);
      causes.push(p.op.error ?? null);
    }
  }
  const result: KafkaResult = {
    'valid?': bad.length === 0,
    'worst-realtime-lag': worst,
    'bad-error-types': bad,
    'error-types': types,
    'info-txn-causes': causes,
  };
  for (const type of types) {
    const errs = errors.get(type)!;
    if (type === 'unseen') {
      result[type] = errs;
      continue;
    }
    const list = errs as unknown[];
    result[type] = { count: list.length, errs: condense(type, list, skipped) };
  }
  return result;
}

/** Jepsen's `condense-error`: which examples of each error type the result keeps. */
function condense(type: string, errs: unknown[], skipped: (k: string, from: number, to: number) => unknown[]): unknown[] {
  const byDelta = (a: unknown, b: unknown): number => (a as { delta: number }).delta - (b as { delta: number }).delta;
  const deltaOut = (d: unknown): unknown => {
    const { key, values, delta, from, to, op, ops } = d as { key: string; values: unknown[]; delta: number; from: number; to: number; op?: Op; ops?: Op[] };
    if (type === 'poll-skip') return { key, delta, skipped: skipped(key, from, to), ops };
    if (type === 'int-poll-skip' || type === 'int-send-skip') return { key, values, delta, skipped: skipped(key, from, to), op };
    return ops !== undefined ? { key, values, delta, ops } : { key, values, delta, op };
  };
  switch (type) {
    case 'duplicate':
      return stableSort(errs, (a, b) => (a as { count: number }).count - (b as { count: number }).count).slice(0, 32);
    case 'inconsistent-offsets':
      return stableSort(errs, (a, b) => (a as { values: unknown[] }).values.length - (b as { values: unknown[] }).values.length).slice(0, 32);
    case 'G0':
    case 'G0-process':
    case 'G0-realtime':
    case 'G1c':
    case 'G1c-process':
    case 'G1c-realtime':
      return stableSort(errs, (a, b) => (a as { steps: unknown[] }).steps.length - (b as { steps: unknown[] }).steps.length).slice(0, 8);
    case 'int-nonmonotonic-poll':
    case 'int-nonmonotonic-send':
    case 'nonmonotonic-poll':
    case 'nonmonotonic-send':
      return stableSort(errs, byDelta).slice(0, 8).map(deltaOut);
    case 'int-poll-skip':
    case 'int-send-skip':
    case 'poll-skip':
      return stableSort(errs, byDelta).slice(-8).map(deltaOut);
    default:
      return errs;
  }
}

function stableSort<T>(xs: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return xs
    .map((x, i) => [x, i] as const)
    .sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1])
    .map(([x]) => x);
}

/** Messages sorted as Clojure's `sort` would: numbers numerically, everything else by its JSON text. */
function sortValues(vs: unknown[]): unknown[] {
  return [...vs].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const sa = JSON.stringify(a);
    const sb = JSON.stringify(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
}

/**
 * Jepsen's `realtime-lag`, worst case only: for every ok poll and every key
 * its process tracks, how long before the poll's invocation some completion
 * had already shown an offset beyond the highest the process had seen.
 * "Offset o existed by time t" is kept per key as the steps of a running
 * maximum, so the cost is the number of completions, not the offsets' size.
 */
function realtimeLag(ops: readonly ParsedOp[]): { time: number; process?: number; key?: string; lag: number } {
  const maxOffsets = (p: ParsedOp): Map<string, number> => {
    const out = new Map<string, number>();
    if (p.op.type !== 'ok' && p.op.type !== 'info') return out;
    if (p.reads !== null) {
      for (const [k, pairs] of p.reads) {
        let max = out.get(k) ?? -1;
        for (const [o] of pairs) if (o !== null && o > max) max = o;
        out.set(k, max);
      }
    }
    if (p.writes !== null) {
      for (const [k, pairs] of p.writes) for (const [o] of pairs) if (o !== null) out.set(k, Math.max(out.get(k) ?? 0, o));
    }
    return out;
  };
  // key → ascending steps of (highest offset shown so far, when it was first shown)
  const steps = new Map<string, { offsets: number[]; times: number[] }>();
  for (const p of ops) {
    for (const [k, o] of maxOffsets(p)) {
      const s = getOr(steps, k, () => ({ offsets: [], times: [] }));
      const top = s.offsets.length === 0 ? -1 : s.offsets[s.offsets.length - 1]!;
      if (o > top) {
        s.offsets.push(o);
        s.times.push(p.op.time);
      }
    }
  }
  const existedAt = (k: string, offset: number): number => {
    const s = steps.get(k);
    if (s === undefined) return Infinity;
    let lo = 0;
    let hi = s.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s.offsets[mid]! >= offset) hi = mid;
      else lo = mid + 1;
    }
    return lo < s.offsets.length ? s.times[lo]! : Infinity;
  };
  const processOffsets = new Map<number, Map<string, number>>();
  let worst: { time: number; process?: number; key?: string; lag: number } | null = null;
  for (const p of ops) {
    if (p.op.type !== 'ok' || typeof p.op.process !== 'number') continue;
    const process = p.op.process;
    if (p.op.f === 'assign') {
      const old = processOffsets.get(process) ?? new Map<string, number>();
      const next = new Map<string, number>();
      for (const k of Array.isArray(p.op.value) ? p.op.value.map(String) : []) next.set(k, old.get(k) ?? -1);
      processOffsets.set(process, next);
      continue;
    }
    if (p.op.f === 'subscribe') {
      processOffsets.set(process, new Map());
      continue;
    }
    if (p.op.f !== 'poll' && p.op.f !== 'txn') continue;
    const offsets = getOr(processOffsets, process, () => new Map());
    for (const [k, o] of maxOffsets(p)) offsets.set(k, Math.max(offsets.get(k) ?? -Infinity, o));
    for (const [k, o] of offsets) {
      const lag = Math.max(0, p.invokeTime - existedAt(k, o + 1));
      if (worst === null || lag > worst.lag) worst = { time: p.invokeTime, process, key: k, lag };
    }
  }
  if (worst === null) return { time: 0, lag: 0 };
  return { time: worst.time / 1e9, process: worst.process!, key: worst.key!, lag: worst.lag / 1e9 };
}
