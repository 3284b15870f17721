/**
 * What a data type's analysis hands the shared cycle machinery: the
 * transactions, the non-cycle anomalies it found, the dependency edges it
 * inferred, and an explainer that puts an edge into words on demand (only
 * the edges of reported cycles are ever explained, so nothing per edge is
 * kept beyond its kind).
 */
import type { EdgeList } from './graph.js';
import type { Txn } from './txn.js';

/** One edge of a cycle, explained: Elle's step map plus the sentence. */
export interface Step {
  type: 'ww' | 'wr' | 'rw' | 'process' | 'realtime';
  key?: unknown;
  value?: unknown;
  "value'"?: unknown;
  /** "T2 observed T1's append of 3 to key 5" (names as given to the explainer). */
  explanation: string;
}

export interface Analysis {
  readonly txns: readonly Txn[];
  /** Which transactions are vertices (ok and info; failed ones are left out). */
  inGraph(t: Txn): boolean;
  readonly edges: EdgeList;
  /** Non-cycle anomalies by type, each a JSON object with an `explanation` sentence. */
  readonly anomalies: Map<string, Record<string, unknown>[]>;
  /** Why a -> b holds with this data-dependency kind, in words naming a and b by the given names. */
  explain(a: Txn, b: Txn, kind: 'ww' | 'wr' | 'rw', aName: string, bName: string): Step;
}

export function addAnomaly(anomalies: Map<string, Record<string, unknown>[]>, type: string, a: Record<string, unknown>): void {
  let list = anomalies.get(type);
  if (list === undefined) anomalies.set(type, (list = []));
  list.push(a);
}

/** An op as anomaly maps carry it: index, process, type, value (Elle prints whole ops). */
export function opRef(t: Txn): Record<string, unknown> {
  return { index: t.op.index, process: t.process, type: t.type, f: t.op.f, value: t.op.value };
}

export function show(x: unknown): string {
  return JSON.stringify(x) ?? 'undefined';
}
