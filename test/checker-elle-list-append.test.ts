import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkListAppend, elleArtifacts, type ElleResult } from '../src/harness/checker/elle/index.js';
import type { Op, OpType } from '../src/harness/types.js';

/** [process, type, mops]: ops indexed in order; times follow the index. */
type Row = [number, OpType, unknown[]];
function history(rows: Row[]): Op[] {
  return rows.map(([process, type, value], index) => ({ index, time: index * 1e6, process, type, f: 'txn', value }));
}
/** A transaction invoked and completed before the next one starts. */
function serial(...txns: [number, OpType, unknown[], unknown[]?][]): Op[] {
  const rows: Row[] = [];
  for (const [p, type, done, inv] of txns) {
    rows.push([p, 'invoke', inv ?? done.map((m) => ((m as unknown[])[0] === 'r' ? ['r', (m as unknown[])[1], null] : m))]);
    rows.push([p, type, done]);
  }
  return history(rows);
}
const check = (h: Op[], models = ['strict-serializable'], strict = false): ElleResult => checkListAppend(h, { consistencyModels: models, strict }).workload as ElleResult;

test('a serial history of appends and reads is valid', () => {
  const r = check(serial([0, 'ok', [['append', 1, 1]]], [1, 'ok', [['r', 1, [1]], ['append', 1, 2]]], [0, 'ok', [['r', 1, [1, 2]]]]), ['strict-serializable']);
  assert.deepEqual(r['valid?'], true);
  assert.equal(r['anomaly-types'], undefined);
});

test('internal: a read that forgets the txn\'s own append', () => {
  const r = check(serial([0, 'ok', [['append', 1, 1], ['r', 1, []]]], [1, 'ok', [['append', 9, 1]]]));
  assert.equal(r['valid?'], false);
  assert.deepEqual(r['anomaly-types'], ['internal']);
  const a = (r.anomalies!['internal']![0]) as Record<string, unknown>;
  assert.deepEqual(a['expected'], ['...', 1]);
  assert.match(String(a['explanation']), /T1 \(process 0\) read key 1 = \[\]/);
  assert.deepEqual(r.not, ['read-atomic']);
  // Negative: reading its own append back is fine.
  assert.equal(check(serial([0, 'ok', [['append', 1, 1], ['r', 1, [1]]]], [1, 'ok', [['append', 9, 1]]]))['valid?'], true);
});

test('future-read: a read that contains what the txn appends later', () => {
  const r = check(serial([0, 'ok', [['r', 1, [1]], ['append', 1, 1]]], [1, 'ok', [['append', 9, 1]]]));
  assert.ok(r['anomaly-types']!.includes('future-read'));
  assert.equal(check(serial([0, 'ok', [['r', 1, []], ['append', 1, 1]]], [1, 'ok', [['append', 9, 1]]]))['valid?'], true);
});

test('G1a: reading an element a failed transaction appended', () => {
  const r = check(serial([0, 'fail', [['append', 1, 1]]], [1, 'ok', [['r', 1, [1]]]]));
  assert.ok(r['anomaly-types']!.includes('G1a'));
  assert.match(String((r.anomalies!['G1a']![0] as Record<string, unknown>)['explanation']), /T1 \(process 0\), a transaction that failed/);
  assert.equal(check(serial([0, 'fail', [['append', 1, 1]]], [1, 'ok', [['r', 1, []]]], [2, 'ok', [['append', 9, 1]]]))['valid?'], true);
});

test('G1b: reading an intermediate state of another transaction', () => {
  const r = check(serial([0, 'ok', [['append', 1, 1], ['append', 1, 2]]], [1, 'ok', [['r', 1, [1]]]]));
  assert.ok(r['anomaly-types']!.includes('G1b'));
  assert.equal(check(serial([0, 'ok', [['append', 1, 1], ['append', 1, 2]]], [1, 'ok', [['r', 1, [1, 2]]]]))['valid?'], true);
});

test('dirty-update: a committed append on top of a failed one', () => {
  const r = check(serial([0, 'fail', [['append', 1, 1]]], [1, 'ok', [['append', 1, 2]]], [2, 'ok', [['r', 1, [1, 2]]]]));
  assert.ok(r['anomaly-types']!.includes('dirty-update'));
  assert.ok(r['anomaly-types']!.includes('G1a'));
});

test('duplicate-elements: a read with an element twice', () => {
  const r = check(serial([0, 'ok', [['append', 1, 1]]], [1, 'ok', [['r', 1, [1, 1]]]]), ['read-uncommitted']);
  assert.deepEqual(r['anomaly-types'], ['duplicate-elements']);
  assert.deepEqual((r.anomalies!['duplicate-elements']![0] as Record<string, unknown>)['dups'], { '1': 2 });
});

test('incompatible-order: two reads that are not prefixes of each other', () => {
  const r = check(serial([0, 'ok', [['append', 1, 1]]], [1, 'ok', [['append', 1, 2]]], [2, 'ok', [['r', 1, [1, 2]]]], [3, 'ok', [['r', 1, [2, 1]]]]), ['serializable']);
  assert.ok(r['anomaly-types']!.includes('incompatible-order'));
  assert.deepEqual((r.anomalies!['incompatible-order']![0] as Record<string, unknown>)['values'], [[1, 2], [2, 1]]);
  assert.deepEqual(r.not, ['read-committed']);
});

test('lost-update: two committed txns read the same state and both append', () => {
  const h = history([
    [0, 'invoke', [['r', 1, null], ['append', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['append', 1, 2]]],
    [0, 'ok', [['r', 1, []], ['append', 1, 1]]],
    [1, 'ok', [['r', 1, []], ['append', 1, 2]]],
  ]);
  const r = check(h);
  assert.ok(r['anomaly-types']!.includes('lost-update'));
  // Read committed allows it.
  assert.equal(check(h, ['read-committed'])['valid?'], true);
});

test('G0: two txns append to two keys in opposite orders', () => {
  const h = serial(
    [0, 'ok', [['append', 1, 1], ['append', 2, 1]]],
    [1, 'ok', [['append', 1, 2], ['append', 2, 2]]],
    [2, 'ok', [['r', 1, [1, 2]], ['r', 2, [2, 1]]]],
  );
  const r = check(h, ['read-uncommitted']);
  assert.deepEqual(r['anomaly-types'], ['G0']);
  const c = r.anomalies!['G0']![0] as { steps: { type: string }[]; explanation: string };
  assert.deepEqual(c.steps.map((s) => s.type), ['ww', 'ww']);
  assert.match(c.explanation, /appended 2 after T\d appended 1 to key 1/);
  assert.match(c.explanation, /a contradiction!/);
});

test('G1c: each txn observes the other\'s append', () => {
  const h = history([
    [0, 'invoke', [['append', 1, 1], ['r', 2, null]]],
    [1, 'invoke', [['append', 2, 1], ['r', 1, null]]],
    [0, 'ok', [['append', 1, 1], ['r', 2, [1]]]],
    [1, 'ok', [['append', 2, 1], ['r', 1, [1]]]],
  ]);
  const r = check(h, ['read-committed']);
  assert.deepEqual(r['anomaly-types'], ['G1c']);
  assert.match((r.anomalies!['G1c']![0] as { explanation: string }).explanation, /T2 observed T1's append of 1 to key 1|T1 observed T2's append of 1 to key 2/);
  assert.deepEqual(r.not, ['read-committed']);
});

test('G-single-item: one read misses an append the other side observed', () => {
  // T1 appends 1 to x and 1 to y; T2 reads x = [] (misses T1) and y = [1] (sees T1).
  const h = history([
    [0, 'invoke', [['append', 1, 1], ['append', 2, 1]]],
    [1, 'invoke', [['r', 1, null], ['r', 2, null]]],
    [0, 'ok', [['append', 1, 1], ['append', 2, 1]]],
    [1, 'ok', [['r', 1, []], ['r', 2, [1]]]],
  ]);
  const r = check(h);
  assert.ok(r['anomaly-types']!.includes('G-single-item'));
  assert.equal(check(h, ['read-committed'])['valid?'], true, 'read committed allows read skew');
});

test('G2-item: write skew between two keys', () => {
  const h = history([
    [0, 'invoke', [['r', 2, null], ['append', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['append', 2, 1]]],
    [0, 'ok', [['r', 2, []], ['append', 1, 1]]],
    [1, 'ok', [['r', 1, []], ['append', 2, 1]]],
  ]);
  const r = check(h);
  assert.deepEqual(r['anomaly-types'], ['G2-item']);
  assert.deepEqual(r.not, ['repeatable-read']);
  assert.equal(check(h, ['snapshot-isolation'])['valid?'], true, 'snapshot isolation allows write skew');
});

test('G-nonadjacent-item: two rw edges separated by wr edges', () => {
  // T1 -rw-> T2 -wr-> T3 -rw-> T4 -wr-> T1
  const h = history([
    [0, 'invoke', [['r', 1, null], ['r', 4, null]]],
    [1, 'invoke', [['append', 1, 1], ['append', 2, 1]]],
    [2, 'invoke', [['r', 2, null], ['r', 3, null]]],
    [3, 'invoke', [['append', 3, 1], ['append', 4, 1]]],
    [0, 'ok', [['r', 1, []], ['r', 4, [1]]]],
    [1, 'ok', [['append', 1, 1], ['append', 2, 1]]],
    [2, 'ok', [['r', 2, [1]], ['r', 3, []]]],
    [3, 'ok', [['append', 3, 1], ['append', 4, 1]]],
  ]);
  const r = check(h);
  assert.deepEqual(r['anomaly-types'], ['G-nonadjacent-item']);
  const c = r.anomalies!['G-nonadjacent-item']![0] as { steps: { type: string }[] };
  assert.equal(c.steps.filter((s) => s.type === 'rw').length, 2);
  assert.equal(check(h, ['repeatable-read'])['valid?'], false);
  assert.equal(check(h, ['read-committed'])['valid?'], true);
});

test('G-single-item-realtime: a stale read after the write completed, only under strict-serializable', () => {
  const h = serial([0, 'ok', [['append', 1, 1]]], [1, 'ok', [['r', 1, []]]]);
  const r = check(h, ['strict-serializable']);
  assert.deepEqual(r['anomaly-types'], ['G-single-item-realtime']);
  const c = r.anomalies!['G-single-item-realtime']![0] as { steps: { type: string; explanation: string }[] };
  assert.deepEqual(c.steps.map((s) => s.type).sort(), ['realtime', 'rw']);
  assert.deepEqual(r.not, ['strong-snapshot-isolation']);
  assert.equal(check(h, ['serializable'])['valid?'], true);
});

test('G0-process under strong-session-serializable: one process contradicts its own order', () => {
  const h = serial(
    [0, 'ok', [['append', 1, 2]]],
    [0, 'ok', [['append', 1, 1]]],
    [1, 'ok', [['r', 1, [2, 1]]]],
  );
  // Process 0 ran append 2 then append 1; the version order agrees: valid. Swap the order read:
  assert.equal(check(h, ['strong-session-serializable'])['valid?'], true);
  const bad = serial([0, 'ok', [['append', 1, 2]]], [0, 'ok', [['append', 1, 1]]], [1, 'ok', [['r', 1, [1, 2]]]]);
  const r = check(bad, ['strong-session-serializable']);
  assert.deepEqual(r['anomaly-types'], ['G0-process']);
});

test('[quirk] with a non-realtime model and no dependencies, the empty transaction graph makes the result unknown', () => {
  const h = serial([0, 'ok', [['append', 1, 1]]], [1, 'ok', [['append', 2, 1]]]);
  const r = check(h, ['serializable']);
  assert.equal(r['valid?'], 'unknown');
  assert.deepEqual(r['anomaly-types'], ['empty-transaction-graph']);
  assert.equal(r.anomalies!['empty-transaction-graph'], true);
  assert.equal(check(h, ['strict-serializable'])['valid?'], true, 'realtime edges make the graph non-empty');
});

test('malformed micro-operations and duplicate appends make the result unknown with a sentence', () => {
  const r = check(serial([0, 'ok', [['cas', 1, 2]]]));
  assert.equal(r['valid?'], 'unknown');
  assert.match(String(r.error), /unexpected-txn-micro-op-types/);
  const d = check(serial([0, 'ok', [['append', 1, 1]]], [1, 'ok', [['append', 1, 1]]]));
  assert.equal(d['valid?'], 'unknown');
  assert.match(String(d.error), /duplicate-appends: value 1 appended to key 1 twice/);
});

test('a budget too small for the search is cycle-search-timeout: unknown, with strict findings', () => {
  const h = history([
    [0, 'invoke', [['r', 2, null], ['append', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['append', 2, 1]]],
    [0, 'ok', [['r', 2, []], ['append', 1, 1]]],
    [1, 'ok', [['r', 1, []], ['append', 2, 1]]],
  ]);
  const out = checkListAppend(h, { consistencyModels: ['repeatable-read'], strict: true, budgetMs: 0 });
  const r = out.workload as ElleResult;
  assert.ok(r['anomaly-types']!.includes('cycle-search-timeout'));
  assert.equal(r['valid?'], false, 'the fallback cycle is still a prohibited G2-item');
  assert.ok(out.strict!.findings.some((f) => f.startsWith('cycle-search-timeout:')));
});

test('artifacts: one text file per anomaly type and an SVG per cycle', () => {
  const h = history([
    [0, 'invoke', [['r', 2, null], ['append', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['append', 2, 1]]],
    [0, 'ok', [['r', 2, []], ['append', 1, 1]]],
    [1, 'ok', [['r', 1, []], ['append', 2, 1]]],
  ]);
  const files = elleArtifacts(check(h) as Record<string, unknown>);
  assert.deepEqual(files.map((f) => f.file), ['elle/G2-item.txt', 'elle/G2-item-0.svg']);
  assert.match(files[0]!.text, /T1 = op 2 \(process 0, ok\)/);
  assert.match(files[1]!.text, /^<svg/);
  assert.match(files[1]!.text, /rw 2: \[\] → 1|rw 1: \[\] → 1|rw 2: null → 1|rw 1: null → 1/);
});
