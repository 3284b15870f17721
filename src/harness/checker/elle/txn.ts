/**
 * Transactions as the Elle checkers see them: each client invocation paired
 * with its completion (ok, fail or info; an invocation never completed counts
 * as info with the invocation's value), micro-operations validated, keys and
 * values turned into strings for map lookups (JSON integers compare by value,
 * as Elle compares them).
 */
import type { Op } from '../../types.js';

/** One micro-operation as recorded: ["r", k, v], ["append", k, v] or ["w", k, v]. */
export type Mop = readonly [string, unknown, unknown];

export interface Txn {
  /** Dense id, 0, 1, ... in completion order: the vertex number in the dependency graph. */
  readonly id: number;
  /** The completion (or the invocation, if none came). */
  readonly op: Op;
  readonly type: 'ok' | 'fail' | 'info';
  readonly process: number | 'nemesis';
  /** History position of the invocation. */
  readonly invokeIndex: number;
  readonly invokeTime: number;
  /** Completion time, ns; Infinity for info. */
  readonly completeTime: number;
  readonly mops: readonly Mop[];
  /** Lookup forms of each mop's key, parallel to mops. */
  readonly keys: readonly string[];
}

/** An input the checker refuses to analyse (Elle throws): the result becomes unknown with this sentence. */
export class ElleInputError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

/** The lookup form of a key or value: numbers as themselves, anything else as JSON. */
export function keyOf(x: unknown): string {
  return typeof x === 'number' ? String(x) : JSON.stringify(x) ?? 'undefined';
}

/** Pairs invocations with completions; txns come back in completion order (invocations without one at the end). */
export function txnsOf(history: readonly Op[], f = 'txn'): Txn[] {
  const open = new Map<number | 'nemesis', Op>();
  const out: Txn[] = [];
  const push = (inv: Op, done: Op | null): void => {
    const type = done === null ? 'info' : (done.type as 'ok' | 'fail' | 'info');
    const value = done !== null && done.type === 'ok' ? done.value : inv.value;
    const mops = parseMops(value, done ?? inv);
    out.push({
      id: out.length,
      op: done ?? inv,
      type,
      process: inv.process,
      invokeIndex: inv.index,
      invokeTime: inv.time,
      completeTime: type === 'info' ? Infinity : done!.time,
      mops,
      keys: mops.map((m) => keyOf(m[1])),
    });
  };
  for (const op of history) {
    if (op.process === 'nemesis' || op.f !== f) continue;
    if (op.type === 'invoke') {
      const prev = open.get(op.process);
      if (prev !== undefined) push(prev, null);
      open.set(op.process, op);
    } else {
      const inv = open.get(op.process);
      if (inv === undefined) continue;
      open.delete(op.process);
      push(inv, op);
    }
  }
  for (const inv of open.values()) push(inv, null);
  return out;
}

const MOP_TYPES = new Set(['r', 'append', 'w']);

function parseMops(value: unknown, op: Op): Mop[] {
  if (!Array.isArray(value)) {
    throw new ElleInputError('malformed-txn', `op ${op.index} (process ${op.process}) has value ${JSON.stringify(value)}, expected a list of micro-operations`);
  }
  for (const m of value) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || !MOP_TYPES.has(m[0])) {
      throw new ElleInputError('unexpected-txn-micro-op-types', `op ${op.index} (process ${op.process}) has micro-operation ${JSON.stringify(m)}, expected ["r", k, v], ["append", k, v] or ["w", k, v]`);
    }
  }
  return value as Mop[];
}

/** "T12 (op 57, process 3)": how explanations name a transaction. */
export function txnName(t: Txn): string {
  return `T${t.op.index}`;
}

/** Short description of a transaction's op for sentences: "op 57 by process 3 (ok)". */
export function txnWhere(t: Txn): string {
  return `op ${t.op.index} by process ${t.process}, ${t.type}`;
}

export function showMop(m: Mop): string {
  return `[${JSON.stringify(m[0])} ${JSON.stringify(m[1])} ${JSON.stringify(m[2])}]`;
}
