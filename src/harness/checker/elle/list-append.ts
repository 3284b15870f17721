/**
 * What list-append histories let Elle infer (`list_append.clj`, spec §2.6):
 * every read shows a prefix of its key's version order, so the longest read
 * of a key is its version order; who appended each element gives ww, wr and
 * rw edges; and reads that disagree with each other or with their own
 * transaction are non-cycle anomalies.
 */
import { addAnomaly, opRef, show, type Analysis, type Step } from './analysis.js';
import { EdgeList, RW, WR, WW } from './graph.js';
import { ElleInputError, keyOf, showMop, type Txn } from './txn.js';

interface Writer {
  readonly txn: Txn;
  readonly mop: number;
}

function asList(v: unknown): unknown[] {
  return v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function analyseListAppend(txns: readonly Txn[]): Analysis {
  const anomalies = new Map<string, Record<string, unknown>[]>();
  const lostIndex = new Map<string, Map<string, { value: unknown; txns: Txn[] }>>();
  const writers = new Map<string, Map<string, Writer>>();
  const failed = new Map<string, Map<string, Txn>>();
  const intermediate = new Map<string, Map<string, Txn>>();
  const rawKey = new Map<string, unknown>();
  const appendCount = new Map<string, number>();
  const lastAppendOf = new Map<string, unknown>();

  for (const t of txns) {
    const lastAppend = new Map<string, number>();
    t.mops.forEach((m, i) => { if (m[0] === 'append') lastAppend.set(t.keys[i]!, i); });
    t.mops.forEach((m, i) => {
      if (m[0] === 'r') {
        if (t.type === 'ok' && m[2] !== null && !Array.isArray(m[2])) {
          throw new ElleInputError('malformed-read', `op ${t.op.index} (process ${t.process}) read ${showMop(m)}: a list-append read must be a list or null`);
        }
        return;
      }
      if (m[0] !== 'append') throw new ElleInputError('unexpected-txn-micro-op-types', `op ${t.op.index} (process ${t.process}) has micro-operation ${showMop(m)} in a list-append history`);
      const k = t.keys[i]!;
      rawKey.set(k, m[1]);
      const e = keyOf(m[2]);
      if (t.type === 'fail') {
        mapIn(failed, k).set(e, t);
        return;
      }
      const byKey = mapIn(writers, k);
      const prev = byKey.get(e);
      if (prev !== undefined) {
        throw new ElleInputError('duplicate-appends', `value ${show(m[2])} appended to key ${show(m[1])} twice: by op ${prev.txn.op.index} and op ${t.op.index}`);
      }
      byKey.set(e, { txn: t, mop: i });
      appendCount.set(k, (appendCount.get(k) ?? 0) + 1);
      lastAppendOf.set(k, m[2]);
      if (lastAppend.get(k) !== i) mapIn(intermediate, k).set(e, t);
    });
  }

  // Reads of ok transactions (info completions carry the invocation's nil reads).
  const distinct = new Map<string, Map<string, unknown[]>>();
  for (const t of txns) {
    if (t.type !== 'ok') continue;
    t.mops.forEach((m, i) => {
      if (m[0] !== 'r' || m[2] === null) return;
      const k = t.keys[i]!;
      rawKey.set(k, m[1]);
      const list = asList(m[2]);
      mapIn(distinct, k).set(list.map(keyOf).join(','), list);
    });
  }

  // Version order per key: the longest read, after checking the reads agree.
  const order = new Map<string, unknown[]>();
  const position = new Map<string, Map<string, number>>();
  for (const [k, lists] of distinct) {
    const sorted = [...lists.values()].sort((a, b) => a.length - b.length);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const a = sorted[i]!, b = sorted[i + 1]!;
      if (!a.every((x, j) => keyOf(x) === keyOf(b[j]))) {
        addAnomaly(anomalies, 'incompatible-order', {
          key: rawKey.get(k), values: [a, b],
          explanation: `key ${show(rawKey.get(k))} was read as ${show(a)} and as ${show(b)}: the first is not a prefix of the second, so no single order of appends explains both`,
        });
      }
    }
    order.set(k, sorted[sorted.length - 1]!);
  }
  for (const [k, n] of appendCount) {
    if (!order.has(k) && n === 1) order.set(k, [lastAppendOf.get(k)]);
  }
  for (const [k, vo] of order) {
    const pos = new Map<string, number>();
    vo.forEach((x, i) => { if (!pos.has(keyOf(x))) pos.set(keyOf(x), i); });
    position.set(k, pos);
  }

  // Readers by the state they saw: key -> last element (or '' for empty) -> reader txns.
  const readers = new Map<string, Map<string, Txn[]>>();
  const EMPTY = '\u0000empty';

  for (const t of txns) {
    if (t.type !== 'ok') continue;
    const state = new Map<string, { full: boolean; list: unknown[] }>();
    const firstRead = new Map<string, unknown>();
    const wrote = new Set<string>();
    t.mops.forEach((m, i) => {
      const k = t.keys[i]!;
      if (m[0] === 'append') {
        const s = state.get(k);
        if (s === undefined) state.set(k, { full: false, list: [m[2]] });
        else s.list.push(m[2]);
        if (!wrote.has(k)) {
          wrote.add(k);
          if (firstRead.has(k)) lostUpdateIndex(k, firstRead.get(k), t);
        }
        return;
      }
      const list = asList(m[2]);
      if (!firstRead.has(k) && !wrote.has(k)) firstRead.set(k, m[2]);
      // duplicate-elements
      const counts = new Map<string, number>();
      for (const x of list) counts.set(keyOf(x), (counts.get(keyOf(x)) ?? 0) + 1);
      const dups: Record<string, number> = {};
      let dup = false;
      for (const [x, c] of counts) if (c > 1) { dups[x] = c; dup = true; }
      if (dup) {
        addAnomaly(anomalies, 'duplicate-elements', {
          op: opRef(t), mop: m, dups,
          explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(list)}, which contains ${Object.entries(dups).map(([x, c]) => `${x} ${c} times`).join(', ')}; each value is appended once`,
        });
      }
      // internal
      const s = state.get(k);
      if (s !== undefined) {
        const ok = s.full
          ? s.list.length === list.length && s.list.every((x, j) => keyOf(x) === keyOf(list[j]))
          : s.list.length <= list.length && s.list.every((x, j) => keyOf(x) === keyOf(list[list.length - s.list.length + j]));
        if (!ok) {
          const expected = s.full ? [...s.list] : ['...', ...s.list];
          addAnomaly(anomalies, 'internal', {
            op: opRef(t), mop: m, expected,
            explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(list)}, but its own earlier reads and appends say it should have been ${s.full ? show(s.list) : `a list ending in ${show(s.list)}`}`,
          });
        }
      }
      state.set(k, { full: true, list: [...list] });
      // future-read
      for (let j = i + 1; j < t.mops.length; j++) {
        const later = t.mops[j]!;
        if (later[0] === 'append' && t.keys[j] === k && counts.has(keyOf(later[2]))) {
          addAnomaly(anomalies, 'future-read', {
            op: opRef(t), mop: m, element: later[2],
            explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(list)}, which includes ${show(later[2])}, an element it appends only later (micro-op ${j})`,
          });
        }
      }
      // G1a: any element appended by a failed transaction.
      const fk = failed.get(k);
      if (fk !== undefined) {
        for (const x of list) {
          const w = fk.get(keyOf(x));
          if (w !== undefined) {
            addAnomaly(anomalies, 'G1a', {
              op: opRef(t), mop: m, writer: opRef(w), element: x,
              explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(list)}, including ${show(x)}, which was appended by T${w.op.index} (process ${w.process}), a transaction that failed`,
            });
          }
        }
      }
      if (list.length === 0) {
        const re = mapIn(readers, k);
        const es = re.get(EMPTY);
        if (es === undefined) re.set(EMPTY, [t]);
        else es.push(t);
        return;
      }
      const last = keyOf(list[list.length - 1]);
      // G1b: the last element was another transaction's intermediate append.
      const iw = intermediate.get(k)?.get(last);
      if (iw !== undefined && iw !== t) {
        addAnomaly(anomalies, 'G1b', {
          op: opRef(t), mop: m, writer: opRef(iw), element: list[list.length - 1],
          explanation: `T${t.op.index} (process ${t.process}) read key ${show(m[1])} = ${show(list)}, ending in ${show(list[list.length - 1])}, which T${iw.op.index} (process ${iw.process}) appended before appending again to the same key: an intermediate state`,
        });
      }
      const rk = mapIn(readers, k);
      const rs = rk.get(last);
      if (rs === undefined) rk.set(last, [t]);
      else rs.push(t);
    });
  }

  // lost-update: two ok transactions read the same state of k, then both appended to it.
  function lostUpdateIndex(k: string, read: unknown, t: Txn): void {
    const vk = keyOf(read ?? null);
    const byValue = mapIn(lostIndex, k);
    const list = byValue.get(vk);
    if (list === undefined) byValue.set(vk, { value: read, txns: [t] });
    else list.txns.push(t);
  }

  // dirty-update: along the version order, a failed append followed by a committed one.
  for (const [k, vo] of order) {
    const fk = failed.get(k);
    if (fk === undefined) continue;
    for (let i = 0; i < vo.length; i++) {
      const f = fk.get(keyOf(vo[i]));
      if (f === undefined) continue;
      for (let j = i + 1; j < vo.length; j++) {
        const w = writers.get(k)?.get(keyOf(vo[j]));
        if (w !== undefined && w.txn.type === 'ok') {
          addAnomaly(anomalies, 'dirty-update', {
            key: rawKey.get(k), values: vo.slice(i, j + 1), 'failed-op': opRef(f), op: opRef(w.txn),
            explanation: `key ${show(rawKey.get(k))}: T${w.txn.op.index} (process ${w.txn.process}, ok) appended ${show(vo[j])} on top of ${show(vo[i])}, which T${f.op.index} (process ${f.process}) appended in a transaction that failed`,
          });
          break;
        }
      }
      break;
    }
  }

  const edges = new EdgeList();
  const previous = (k: string, e: unknown): { has: boolean; prev: unknown } => {
    const vo = order.get(k);
    if (vo === undefined) return { has: false, prev: undefined };
    const i = position.get(k)!.get(keyOf(e));
    if (i === undefined) return vo.length > 0 ? { has: true, prev: vo[vo.length - 1] } : { has: false, prev: undefined };
    return i > 0 ? { has: true, prev: vo[i - 1] } : { has: false, prev: undefined };
  };
  for (const t of txns) {
    if (t.type === 'fail') continue;
    t.mops.forEach((m, i) => {
      const k = t.keys[i]!;
      if (m[0] === 'r') {
        if (t.type !== 'ok' || m[2] === null) return;
        const list = asList(m[2]);
        if (list.length === 0) return;
        const w = writers.get(k)?.get(keyOf(list[list.length - 1]));
        if (w !== undefined) edges.add(w.txn.id, t.id, WR);
        return;
      }
      const p = previous(k, m[2]);
      if (p.has) {
        const w = writers.get(k)?.get(keyOf(p.prev));
        if (w !== undefined) edges.add(w.txn.id, t.id, WW);
      }
      const rs = readers.get(k)?.get(p.has ? keyOf(p.prev) : EMPTY);
      if (rs !== undefined) for (const r of rs) edges.add(r.id, t.id, RW);
    });
  }

  for (const [k, byValue] of lostIndex) {
    for (const { value, txns: ts } of byValue.values()) {
      if (ts.length < 2) continue;
      addAnomaly(anomalies, 'lost-update', {
        key: rawKey.get(k), value, txns: ts.map(opRef),
        explanation: `${ts.map((x) => `T${x.op.index} (process ${x.process})`).join(', ')} all read key ${show(rawKey.get(k))} = ${show(value)} and then appended to it; each committed, so one update was made without seeing the other`,
      });
    }
  }

  return {
    txns,
    inGraph: (t) => t.type !== 'fail',
    edges,
    anomalies,
    explain(a, b, kind, aName, bName): Step {
      for (let i = 0; i < b.mops.length; i++) {
        const m = b.mops[i]!;
        const k = b.keys[i]!;
        if (kind === 'wr' && m[0] === 'r' && m[2] !== null) {
          const list = asList(m[2]);
          if (list.length === 0) continue;
          const last = list[list.length - 1];
          if (writers.get(k)?.get(keyOf(last))?.txn === a) {
            return { type: 'wr', key: m[1], value: last, explanation: `${bName} observed ${aName}'s append of ${show(last)} to key ${show(m[1])}` };
          }
        }
        if (m[0] !== 'append') continue;
        const p = previous(k, m[2]);
        if (kind === 'ww' && p.has && writers.get(k)?.get(keyOf(p.prev))?.txn === a) {
          return { type: 'ww', key: m[1], value: p.prev, "value'": m[2], explanation: `${bName} appended ${show(m[2])} after ${aName} appended ${show(p.prev)} to key ${show(m[1])}` };
        }
        if (kind === 'rw' && (readers.get(k)?.get(p.has ? keyOf(p.prev) : EMPTY) ?? []).includes(a)) {
          const seen = a.mops.find((x, j) => x[0] === 'r' && a.keys[j] === k && (p.has ? keyOf(asList(x[2]).at(-1)) === keyOf(p.prev) : x[2] !== null && asList(x[2]).length === 0));
          return {
            type: 'rw', key: m[1], value: p.has ? p.prev : null, "value'": m[2],
            explanation: `${bName} appended ${show(m[2])} after ${aName}'s read of key ${show(m[1])} (${show(seen === undefined ? null : seen[2])}) missed it`,
          };
        }
      }
      throw new Error(`no ${kind} dependency from op ${a.op.index} to op ${b.op.index}`);
    },
  };
}

function mapIn<K, V, W>(m: Map<K, Map<V, W>>, k: K): Map<V, W> {
  let x = m.get(k);
  if (x === undefined) m.set(k, (x = new Map()));
  return x;
}
