/**
 * What read-write register histories let Elle infer (`rw_register.clj`,
 * spec §2.7). Registers keep no history, so the version order of a key is
 * inferred: the initial `null` precedes every value, and (writes-follow-reads,
 * Maelstrom's `:wfr-keys? true`) the value an ok transaction first read
 * precedes the value it last wrote. With `sequentialKeys` / `linearizableKeys`
 * (eddy's --strict, when the chosen models justify them) the order of ok
 * transactions on each key, per process or in real time, adds versions too.
 * Edges follow the version graph: ww between final writers, rw from readers of
 * an earlier version to writers of a later one, wr from a value's writer to
 * its readers.
 */
import { addAnomaly, opRef, show, type Analysis, type Step } from './analysis.js';
import { EdgeList, RW, WR, WW } from './graph.js';
import { ElleInputError, keyOf, showMop, type Txn } from './txn.js';

export interface RwRegisterOptions {
  /** Process order of ok transactions on a key is version order (sequential keys). */
  readonly sequentialKeys: boolean;
  /** Real-time order of ok transactions on a key is version order (linearizable keys). */
  readonly linearizableKeys: boolean;
}

const NIL = 'null';

/** One key's version graph: values (lookup form) and "a precedes b" edges. */
class VersionGraph {
  readonly next = new Map<string, Set<string>>();
  readonly raw = new Map<string, unknown>([[NIL, null]]);
  /** Why each non-nil edge is there, for explanations. */
  readonly why = new Map<string, string>();

  has(a: string, b: string): boolean {
    return this.next.get(a)?.has(b) ?? false;
  }

  reaches(from: string, to: string): boolean {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === to) return true;
      for (const y of this.next.get(x) ?? []) if (!seen.has(y)) { seen.add(y); stack.push(y); }
    }
    return false;
  }

  /** Adds a -> b unless it would close a cycle; false then. */
  add(a: string, b: string): boolean {
    if (a === b || this.reaches(b, a)) return false;
    let s = this.next.get(a);
    if (s === undefined) this.next.set(a, (s = new Set()));
    s.add(b);
    return true;
  }
}

export function analyseRwRegister(txns: readonly Txn[], opts: RwRegisterOptions): Analysis {
  const anomalies = new Map<string, Record<string, unknown>[]>();
  const finalWriter = new Map<string, Map<string, Txn>>(); // ok txns only
  const anyWriter = new Map<string, Map<string, Txn>>(); // ok and info, any write
  const failed = new Map<string, Map<string, Txn>>();
  const intermediate = new Map<string, Map<string, Txn>>();
  const rawKey = new Map<string, unknown>();
  const versions = new Map<string, VersionGraph>();
  const vg = (k: string): VersionGraph => {
    let g = versions.get(k);
    if (g === undefined) versions.set(k, (g = new VersionGraph()));
    return g;
  };
  /** Per ok txn and key: its external (first, before any write) read and its final write. */
  const ext = new Map<Txn, Map<string, { read?: unknown; hasRead: boolean; write?: unknown; hasWrite: boolean }>>();
  const lostIndex = new Map<string, Map<string, { value: unknown; txns: Txn[] }>>();
  let valueType: string | null = null;

  for (const t of txns) {
    const lastWrite = new Map<string, number>();
    t.mops.forEach((m, i) => {
      if (m[0] === 'append') throw new ElleInputError('unexpected-txn-micro-op-types', `op ${t.op.index} (process ${t.process}) has micro-operation ${showMop(m)} in a rw-register history`);
      if (m[0] === 'w') lastWrite.set(t.keys[i]!, i);
      rawKey.set(t.keys[i]!, m[1]);
      if ((m[0] === 'w' || t.type === 'ok') && m[2] !== null) {
        const ty = typeof m[2] === 'number' ? (Number.isInteger(m[2]) ? 'integer' : 'float') : typeof m[2];
        if (valueType === null) valueType = ty;
        else if (valueType !== ty) throw new ElleInputError('mixed-types', `op ${t.op.index} (process ${t.process}) has ${showMop(m)}: a ${ty} among ${valueType} values; Elle requires one value type`);
      }
    });
    t.mops.forEach((m, i) => {
      if (m[0] !== 'w') return;
      const k = t.keys[i]!;
      const v = keyOf(m[2]);
      if (t.type === 'fail') { mapIn(failed, k).set(v, t); return; }
      vg(k).raw.set(v, m[2]);
      mapIn(anyWriter, k).set(v, t);
      if (lastWrite.get(k) !== i) { mapIn(intermediate, k).set(v, t); return; }
      if (t.type === 'ok') {
        const fw = mapIn(finalWriter, k);
        const prev = fw.get(v);
        if (prev !== undefined && prev !== t) {
          throw new ElleInputError('duplicate-writes', `key ${show(m[1])} had value ${show(m[2])} written by more than one op: ${prev.op.index} and ${t.op.index}`);
        }
        fw.set(v, t);
      }
    });
  }

  for (const t of txns) {
    if (t.type !== 'ok') continue;
    const perKey = new Map<string, { read?: unknown; hasRead: boolean; write?: unknown; hasWrite: boolean }>();
    ext.set(t, perKey);
    const known = new Map<string, unknown>();
    t.mops.forEach((m, i) => {
      const k = t.keys[i]!;
      let e = perKey.get(k);
      if (e === undefined) perKey.set(k, (e = { hasRead: false, hasWrite: false }));
      if (m[0] === 'w') {
        if (!e.hasWrite && e.hasRead) {
          const byValue = mapIn(lostIndex, k);
          const vk = keyOf(e.read);
          const entry = byValue.get(vk);
          if (entry === undefined) byValue.set(vk, { value: e.read, txns: [t] });
          else entry.txns.push(t);
        }
        e.hasWrite = true;
        e.write = m[2];
        known.set(k, m[2]);
        return;
      }
      if (known.has(k) && keyOf(known.get(k)) !== keyOf(m[2])) {
        addAnomaly(anomalies, 'internal', {
          op: opRef(t), mop: m, expected: known.get(k),
          explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(m[2])}, but its own earlier ${e.hasWrite ? 'write' : 'read'} says it should have been ${show(known.get(k))}`,
        });
      }
      known.set(k, m[2]);
      if (!e.hasRead && !e.hasWrite) { e.hasRead = true; e.read = m[2]; }
      if (m[2] === null) return;
      const v = keyOf(m[2]);
      vg(k).raw.set(v, m[2]);
      const fw = failed.get(k)?.get(v);
      if (fw !== undefined && anyWriter.get(k)?.get(v) === undefined) {
        addAnomaly(anomalies, 'G1a', {
          op: opRef(t), mop: m, writer: opRef(fw), element: m[2],
          explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(m[2])}, which was written by T${fw.op.index} (process ${fw.process}), a transaction that failed`,
        });
      }
      const iw = intermediate.get(k)?.get(v);
      if (iw !== undefined && iw !== t) {
        addAnomaly(anomalies, 'G1b', {
          op: opRef(t), mop: m, writer: opRef(iw), element: m[2],
          explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(m[2])}, an intermediate write of T${iw.op.index} (process ${iw.process}), which wrote the key again before it committed`,
        });
      }
    });
  }

  // Version graphs: nil first, then writes-follow-reads, then (strict) per-key orders.
  for (const [k, g] of versions) {
    for (const v of g.raw.keys()) if (v !== NIL) g.add(NIL, v);
    void k;
  }
  const addVersion = (k: string, a: unknown, b: unknown, why: string, t: Txn | null): void => {
    const g = vg(k);
    const ka = keyOf(a), kb = keyOf(b);
    if (ka === kb || g.has(ka, kb)) return;
    g.raw.set(ka, a);
    g.raw.set(kb, b);
    if (ka !== NIL && !g.has(NIL, ka)) g.add(NIL, ka);
    if (!g.add(ka, kb)) {
      addAnomaly(anomalies, 'cyclic-versions', {
        key: rawKey.get(k), values: [a, b], ...(t === null ? {} : { op: opRef(t) }),
        explanation: `key ${show(rawKey.get(k))}: ${why} says ${show(a)} precedes ${show(b)}, but the version order already has ${show(b)} before ${show(a)}`,
      });
      return;
    }
    g.why.set(`${ka}\u0000${kb}`, why);
  };
  for (const [t, perKey] of ext) {
    for (const [k, e] of perKey) {
      if (e.hasRead && e.hasWrite) addVersion(k, e.read, e.write, `T${t.op.index} (process ${t.process}) read ${show(e.read)} then wrote ${show(e.write)} (writes follow reads)`, t);
    }
  }
  if (opts.linearizableKeys || opts.sequentialKeys) {
    // Per key, the ok transactions touching it, ordered by process or real time.
    const onKey = new Map<string, Txn[]>();
    for (const [t, perKey] of ext) for (const k of perKey.keys()) mapIn2(onKey, k).push(t);
    const first = (t: Txn, k: string): unknown => { const e = ext.get(t)!.get(k)!; return e.hasRead ? e.read : e.write; };
    const last = (t: Txn, k: string): unknown => { const e = ext.get(t)!.get(k)!; return e.hasWrite ? e.write : e.read; };
    for (const [k, ts] of onKey) {
      const pairs: [Txn, Txn][] = [];
      if (opts.linearizableKeys) realtimePairs(ts, pairs);
      else {
        const byProcess = new Map<unknown, Txn[]>();
        for (const t of [...ts].sort((a, b) => a.invokeIndex - b.invokeIndex)) mapIn2(byProcess, t.process).push(t);
        for (const chain of byProcess.values()) for (let i = 0; i + 1 < chain.length; i++) pairs.push([chain[i]!, chain[i + 1]!]);
      }
      for (const [a, b] of pairs) {
        const how = opts.linearizableKeys ? 'completed before' : 'came before, in the same process,';
        addVersion(k, last(a, k), first(b, k), `T${a.op.index} (process ${a.process}) ${how} T${b.op.index} (process ${b.process}) began`, null);
      }
    }
  }

  // Readers of each value (external reads of ok transactions).
  const readers = new Map<string, Map<string, Txn[]>>();
  for (const [t, perKey] of ext) {
    for (const [k, e] of perKey) if (e.hasRead) { const r = mapIn(readers, k); const v = keyOf(e.read); const l = r.get(v); if (l === undefined) r.set(v, [t]); else l.push(t); }
  }

  const edges = new EdgeList();
  for (const [k, byValue] of readers) {
    for (const [v, rs] of byValue) {
      const w = finalWriter.get(k)?.get(v);
      if (w !== undefined) for (const r of rs) edges.add(w.id, r.id, WR);
    }
  }
  for (const [k, g] of versions) {
    for (const [a, bs] of g.next) {
      const wa = finalWriter.get(k)?.get(a);
      const ra = readers.get(k)?.get(a) ?? [];
      for (const b of bs) {
        const wb = finalWriter.get(k)?.get(b);
        if (wb === undefined) continue;
        if (wa !== undefined) edges.add(wa.id, wb.id, WW);
        for (const r of ra) edges.add(r.id, wb.id, RW);
      }
    }
  }

  for (const [k, byValue] of lostIndex) {
    for (const { value, txns: ts } of byValue.values()) {
      if (ts.length < 2) continue;
      addAnomaly(anomalies, 'lost-update', {
        key: rawKey.get(k), value, txns: ts.map(opRef),
        explanation: `${ts.map((x) => `T${x.op.index} (process ${x.process})`).join(', ')} all read key ${show(rawKey.get(k))} = ${show(value)} and then wrote it; each committed, so one update was made without seeing the other`,
      });
    }
  }

  return {
    txns,
    inGraph: (t) => t.type === 'ok',
    edges,
    anomalies,
    explain(a, b, kind, aName, bName): Step {
      const eb = ext.get(b);
      const ea = ext.get(a);
      if (eb === undefined || ea === undefined) throw new Error(`no ${kind} dependency from op ${a.op.index} to op ${b.op.index}`);
      for (const [k, e] of eb) {
        const x = ea.get(k);
        if (x === undefined) continue;
        const key = rawKey.get(k);
        if (kind === 'wr' && e.hasRead && x.hasWrite && keyOf(x.write) === keyOf(e.read) && finalWriter.get(k)?.get(keyOf(x.write)) === a) {
          return { type: 'wr', key, value: x.write, explanation: `${aName} wrote key ${show(key)} = ${show(x.write)}, which was read by ${bName}` };
        }
        if (!e.hasWrite || !versions.get(k)?.has(keyOf(kind === 'ww' ? x.write : x.read), keyOf(e.write))) continue;
        const why = versions.get(k)!.why.get(`${keyOf(kind === 'ww' ? x.write : x.read)}\u0000${keyOf(e.write)}`);
        const because = why === undefined ? '' : ` (${why})`;
        if (kind === 'ww' && x.hasWrite) {
          return { type: 'ww', key, value: x.write, "value'": e.write, explanation: `${aName} set key ${show(key)} to ${show(x.write)}, and ${bName} set it to ${show(e.write)}, which came later in the version order${because}` };
        }
        if (kind === 'rw' && x.hasRead) {
          return { type: 'rw', key, value: x.read, "value'": e.write, explanation: `${aName} read key ${show(key)} = ${show(x.read)}, and ${bName} set it to ${show(e.write)}, which came later in the version order${because}` };
        }
      }
      throw new Error(`no ${kind} dependency from op ${a.op.index} to op ${b.op.index}`);
    },
  };
}

/** Pairs (a, b) with a completed before b was invoked, transitively reduced through a frontier. */
function realtimePairs(ts: readonly Txn[], out: [Txn, Txn][]): void {
  const events: { at: number; t: Txn; invoke: boolean }[] = [];
  for (const t of ts) { events.push({ at: t.invokeIndex, t, invoke: true }); events.push({ at: t.op.index, t, invoke: false }); }
  events.sort((a, b) => a.at - b.at);
  let frontier: Txn[] = [];
  const preds = new Map<Txn, Set<Txn>>();
  for (const e of events) {
    if (e.invoke) {
      for (const f of frontier) out.push([f, e.t]);
      preds.set(e.t, new Set(frontier));
    } else {
      const p = preds.get(e.t)!;
      frontier = frontier.filter((f) => !p.has(f));
      frontier.push(e.t);
    }
  }
}

function mapIn<K, V, W>(m: Map<K, Map<V, W>>, k: K): Map<V, W> {
  let x = m.get(k);
  if (x === undefined) m.set(k, (x = new Map()));
  return x;
}

function mapIn2<K, V>(m: Map<K, V[]>, k: K): V[] {
  let x = m.get(k);
  if (x === undefined) m.set(k, (x = []));
  return x;
}
