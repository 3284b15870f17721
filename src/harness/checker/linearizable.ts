/**
 * Linearizability of lin-kv histories: the role Knossos plays in Maelstrom
 * (spec 2.4), with Jepsen's `independent` split. Each key is checked on its
 * own (linearizability is compositional: P-compositionality), against
 * Knossos' cas-register model (initial value null; write sets it; cas
 * [a, b] succeeds iff the value is a; a read of v is legal iff v is the
 * value or v is null — Maelstrom's quirk, kept).
 *
 * The search is Wing & Gong's with Lowe's memoisation, as in porcupine:
 * the key's calls and returns sit in one time-ordered list; the search
 * linearizes a call whose model step is legal and whose (set of linearized
 * ops, model value) pair it has not met before, removes it from the list,
 * and backtracks when it reaches the return of an op it has not linearized.
 * `fail` ops are dropped; `info` ops have no return: they may take effect
 * at any point after their invocation, or never (the search succeeds once
 * every ok op is linearized); `info` reads are dropped, as they constrain
 * nothing.
 *
 * The memo holds each visited (linearized set, value) once, compared
 * exactly (Zobrist hashes pick the bucket); a per-key budget of steps and
 * memo words turns a search that would not end in time into `unknown`
 * with a sentence saying how far it got, instead of an exhausted heap.
 */
import type { Op } from '../types.js';
import { canonicalJson } from '../services/kv.js';
import type { Valid } from './set-full.js';
import { wallNow } from '../ambient.js';

export interface LinearizableOptions {
  /** Model steps tried per key before giving up with unknown. @default 20_000_000 */
  maxSteps?: number;
  /** 32-bit words of memo per key before giving up with unknown. @default 32_000_000 (128 MB) */
  maxMemoWords?: number;
  /** Wall-clock budget per key, ms. @default 10_000 */
  maxMs?: number;
}

/** One operation of a key's history, paired. */
export interface KeyOp {
  /** History index of the invocation and of the completion (null for info). */
  invokeIndex: number;
  completeIndex: number | null;
  process: number | string;
  f: 'read' | 'write' | 'cas';
  /** read: the value read; write: the value; cas: [from, to]. */
  value: unknown;
  type: 'ok' | 'info';
  invokeNs: number;
  completeNs: number | null;
}

export interface KeyResult {
  'valid?': Valid;
  /** Ops considered (ok and info writes/cas; fail ops and info reads are dropped). */
  'op-count': number;
  /** For an invalid key: one sentence saying what went wrong. */
  explanation?: string;
  /** The op that could not be linearized (invalid keys). */
  op?: KeyOp;
  /** The longest linearizable prefix found: history indices of its ops' invocations, in linearization order (at most 50 shown). */
  'longest-prefix'?: number[];
  'longest-prefix-length'?: number;
  /** Values the register could have held after that prefix (at most 10). */
  'possible-values'?: unknown[];
  /** For unknown keys: why. */
  error?: string;
  /** Search effort. */
  steps: number;
}

export interface LinearizableResult {
  'valid?': Valid;
  /** Key (as JSON) -> its result. */
  results: Record<string, KeyResult>;
  /** Keys (as JSON) found not linearizable. */
  failures: string[];
  /** Keys the search could not decide within its budget. */
  unknown?: string[];
}

/** Splits a lin-kv history into paired ops per key. Values are `[key, v]` pairs. */
export function opsByKey(history: readonly Op[]): Map<string, { key: unknown; ops: KeyOp[] }> {
  const byKey = new Map<string, { key: unknown; ops: KeyOp[] }>();
  const open = new Map<number | string, Op>();
  const keyed = (v: unknown): [unknown, unknown] | null => (Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null);
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    open.delete(op.process);
    if (inv === undefined || op.type === 'fail') continue;
    const pair = keyed(op.type === 'ok' ? op.value : inv.value) ?? keyed(inv.value);
    if (pair === null) continue;
    if (op.type === 'info' && op.f === 'read') continue;
    const k = canonicalJson(pair[0]);
    let entry = byKey.get(k);
    if (entry === undefined) byKey.set(k, (entry = { key: pair[0], ops: [] }));
    const value = op.f === 'read' ? (keyed(op.value)?.[1] ?? null) : (keyed(inv.value)?.[1] ?? null);
    entry.ops.push({
      invokeIndex: inv.index,
      completeIndex: op.type === 'ok' ? op.index : null,
      process: op.process,
      f: op.f,
      value,
      type: op.type as 'ok' | 'info',
      invokeNs: inv.time,
      completeNs: op.type === 'ok' ? op.time : null,
    });
  }
  // Invocations never completed (the run ended): indeterminate.
  for (const inv of open.values()) {
    if (inv.f !== 'write' && inv.f !== 'cas') continue;
    const pair = keyed(inv.value);
    if (pair === null) continue;
    const k = canonicalJson(pair[0]);
    let entry = byKey.get(k);
    if (entry === undefined) byKey.set(k, (entry = { key: pair[0], ops: [] }));
    entry.ops.push({ invokeIndex: inv.index, completeIndex: null, process: inv.process, f: inv.f as 'write' | 'cas', value: pair[1], type: 'info', invokeNs: inv.time, completeNs: null });
  }
  return byKey;
}

// ---- the model -------------------------------------------------------------------

/** Register values as canonical JSON; "null" is the initial value. */
type State = string;
const NULL: State = 'null';

/** The state after `op` from `s`, or undefined if the step is impossible. */
function step(s: State, op: KeyOp, canon: readonly (State | [State, State])[], i: number): State | undefined {
  switch (op.f) {
    case 'write':
      return canon[i] as State;
    case 'cas': {
      const [from, to] = canon[i] as [State, State];
      return s === from ? to : undefined;
    }
    case 'read': {
      const v = canon[i] as State;
      return v === NULL || v === s ? s : undefined;
    }
  }
}

// ---- the search ---------------------------------------------------------------------

interface Entry {
  /** Op number within the key. */
  id: number;
  isCall: boolean;
  /** The matching return (calls of ok ops), or null. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

function buildList(ops: readonly KeyOp[]): Entry {
  type Ev = { t: number; call: boolean; id: number };
  const evs: Ev[] = [];
  ops.forEach((op, id) => {
    evs.push({ t: op.invokeNs, call: true, id });
    // A zero-length op (completed in the same ns it was invoked) returns just after the calls of that ns.
    if (op.completeNs !== null) evs.push({ t: op.completeNs > op.invokeNs ? op.completeNs : op.invokeNs + 0.5, call: false, id });
  });
  // Returns before calls at equal times: an op that completed at t did not overlap one invoked at t.
  evs.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? 1 : -1));
  const head: Entry = { id: -1, isCall: false, match: null, prev: null, next: null };
  let last = head;
  const calls = new Map<number, Entry>();
  for (const ev of evs) {
    const e: Entry = { id: ev.id, isCall: ev.call, match: null, prev: last, next: null };
    last.next = e;
    last = e;
    if (ev.call) calls.set(ev.id, e);
    else calls.get(ev.id)!.match = e;
  }
  return head;
}

function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  const ret = call.match;
  if (ret !== null) {
    ret.prev!.next = ret.next;
    if (ret.next !== null) ret.next.prev = ret.prev;
  }
}

function unlift(call: Entry): void {
  const ret = call.match;
  if (ret !== null) {
    ret.prev!.next = ret;
    if (ret.next !== null) ret.next.prev = ret;
  }
  call.prev!.next = call;
  if (call.next !== null) call.next.prev = call;
}

/** A cheap deterministic 32-bit generator for Zobrist keys. */
function zobrist(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    out[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return out;
}

const PREFIX_SHOWN = 50;
const VALUES_SHOWN = 10;

/** Checks one key's ops. */
export function checkKey(ops: readonly KeyOp[], options: LinearizableOptions = {}): KeyResult {
  const maxSteps = options.maxSteps ?? 20_000_000;
  const maxMemoWords = options.maxMemoWords ?? 32_000_000;
  const maxMs = options.maxMs ?? 10_000;
  const n = ops.length;
  const okCount = ops.filter((o) => o.type === 'ok').length;
  if (okCount === 0) return { 'valid?': true, 'op-count': n, steps: 0 };
  const canon = ops.map((o): State | [State, State] =>
    o.f === 'cas' ? (Array.isArray(o.value) && o.value.length === 2 ? [canonicalJson(o.value[0]), canonicalJson(o.value[1])] : ['\u0000', '\u0000']) : canonicalJson(o.value ?? null),
  );
  const words = (n + 31) >>> 5;
  const z1 = zobrist(n, 1);
  const z2 = zobrist(n, 2);
  const bits = new Uint32Array(words);
  let h1 = 0;
  let h2 = 0;
  const memo = new Map<string, Uint32Array[]>();
  let memoWords = 0;
  const seen = (state: State): boolean => {
    const k = `${h1}:${h2}:${state}`;
    const bucket = memo.get(k);
    if (bucket !== undefined) {
      outer: for (const b of bucket) {
        for (let w = 0; w < words; w++) if (b[w] !== bits[w]) continue outer;
        return true;
      }
      bucket.push(bits.slice());
    } else {
      memo.set(k, [bits.slice()]);
    }
    memoWords += words + 8;
    return false;
  };
  const flip = (id: number): void => {
    bits[id >>> 5]! ^= 1 << (id & 31);
    h1 = (h1 ^ z1[id]!) >>> 0;
    h2 = (h2 ^ z2[id]!) >>> 0;
  };

  const head = buildList(ops);
  const stack: { call: Entry; state: State }[] = [];
  let state: State = NULL;
  let linearizedOk = 0;
  let entry: Entry | null = head.next;
  let steps = 0;
  const t0 = wallNow();
  // The deepest point reached, for the explanation.
  let bestDepth = -1;
  let bestPrefix: number[] = [];
  let bestValues = new Set<State>();
  let bestStuck: number | null = null;

  while (linearizedOk < okCount) {
    if (entry === null) {
      // Only info calls are left and some ok op is not linearized: impossible (its return was removed?) — cannot happen.
      break;
    }
    if (entry.isCall) {
      steps++;
      if ((steps & 0xfff) === 0 && (steps > maxSteps || memoWords > maxMemoWords || wallNow() - t0 > maxMs)) {
        return {
          'valid?': 'unknown',
          'op-count': n,
          steps,
          error: `The search gave up after ${steps} steps and ${Math.round((memoWords * 4) / 1e6)} MB of memo (${wallNow() - t0} ms), having linearized at most ${Math.max(bestDepth, 0)} of ${okCount} acknowledged ops.`,
        };
      }
      const next = step(state, ops[entry.id]!, canon, entry.id);
      if (next !== undefined) {
        flip(entry.id);
        if (!seen(next)) {
          stack.push({ call: entry, state });
          state = next;
          if (ops[entry.id]!.type === 'ok') linearizedOk++;
          lift(entry);
          entry = head.next;
          continue;
        }
        flip(entry.id);
      }
      entry = entry.next;
      continue;
    }
    // A return of an op not yet linearized: this path is dead.
    if (stack.length >= bestDepth) {
      if (stack.length > bestDepth) {
        bestDepth = stack.length;
        bestPrefix = stack.slice(0, PREFIX_SHOWN).map((s) => ops[s.call.id]!.invokeIndex);
        bestValues = new Set();
        bestStuck = entry.id;
      }
      if (bestValues.size < VALUES_SHOWN) bestValues.add(state);
    }
    if (stack.length === 0) {
      const op = ops[bestStuck ?? entry.id]!;
      return {
        'valid?': false,
        'op-count': n,
        steps,
        op,
        explanation: explain(op, bestDepth, [...bestValues]),
        'longest-prefix': bestPrefix,
        'longest-prefix-length': Math.max(bestDepth, 0),
        'possible-values': [...bestValues].map((s) => JSON.parse(s) as unknown),
      };
    }
    const top = stack.pop()!;
    if (ops[top.call.id]!.type === 'ok') linearizedOk--;
    state = top.state;
    unlift(top.call);
    flip(top.call.id);
    entry = top.call.next;
  }
  return { 'valid?': true, 'op-count': n, steps };
}

function explain(op: KeyOp, depth: number, values: State[]): string {
  const what =
    op.f === 'read'
      ? `the read of ${JSON.stringify(op.value)}`
      : op.f === 'write'
        ? `the write of ${JSON.stringify(op.value)}`
        : `the cas from ${JSON.stringify((op.value as unknown[])?.[0])} to ${JSON.stringify((op.value as unknown[])?.[1])}`;
  const could = values.length === 0 ? 'nothing' : values.map((v) => (v === NULL ? 'null (never written)' : v)).join(' or ');
  return (
    `No order of the operations fits: ${what} by process ${String(op.process)} (op ${op.invokeIndex}${op.completeIndex === null ? '' : `..${op.completeIndex}`}) ` +
    `cannot take effect between its invocation and its completion. The longest linearizable prefix has ${Math.max(depth, 0)} ops, after which the register could hold ${could}.`
  );
}

/** The whole lin-kv history: every key on its own. */
export function checkLinearizable(history: readonly Op[], options: LinearizableOptions = {}): LinearizableResult {
  const results: Record<string, KeyResult> = {};
  const failures: string[] = [];
  const unknown: string[] = [];
  const keys = [...opsByKey(history)].sort(([a, ea], [b, eb]) =>
    typeof ea.key === 'number' && typeof eb.key === 'number' ? ea.key - eb.key : a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [k, { ops }] of keys) {
    const r = checkKey(ops, options);
    results[k] = r;
    if (r['valid?'] === false) failures.push(k);
    else if (r['valid?'] === 'unknown') unknown.push(k);
  }
  const valid: Valid = failures.length > 0 ? false : unknown.length > 0 ? 'unknown' : true;
  const out: LinearizableResult = { 'valid?': valid, results, failures };
  if (unknown.length > 0) out.unknown = unknown;
  return out;
}

/** --strict: a null read of a key some write or cas had already acknowledged before the read was invoked. */
export function nullReadsOfWrittenKeys(history: readonly Op[]): { index: number; key: unknown; process: number | string }[] {
  const out: { index: number; key: unknown; process: number | string }[] = [];
  const written = new Map<string, number>(); // key -> time of the first acknowledged write/cas
  const invokes = new Map<number | string, Op>();
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      invokes.set(op.process, op);
      continue;
    }
    const inv = invokes.get(op.process);
    invokes.delete(op.process);
    if (inv === undefined || op.type !== 'ok' || !Array.isArray(op.value)) continue;
    const k = canonicalJson(op.value[0]);
    if (op.f === 'write' || op.f === 'cas') {
      if (!written.has(k)) written.set(k, op.time);
    } else if (op.f === 'read' && op.value[1] === null) {
      const w = written.get(k);
      if (w !== undefined && w < inv.time) out.push({ index: op.index, key: op.value[0], process: op.process });
    }
  }
  return out;
}
