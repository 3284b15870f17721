import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRwRegister, type ElleResult } from '../src/harness/checker/elle/index.js';
import type { Op, OpType } from '../src/harness/types.js';

type Row = [number, OpType, unknown[]];
function history(rows: Row[]): Op[] {
  return rows.map(([process, type, value], index) => ({ index, time: index * 1e6, process, type, f: 'txn', value }));
}
function serial(...txns: [number, OpType, unknown[]][]): Op[] {
  const rows: Row[] = [];
  for (const [p, type, done] of txns) {
    rows.push([p, 'invoke', done.map((m) => ((m as unknown[])[0] === 'r' ? ['r', (m as unknown[])[1], null] : m))]);
    rows.push([p, type, done]);
  }
  return history(rows);
}
const check = (h: Op[], models = ['strict-serializable'], strict = false): ElleResult => checkRwRegister(h, { consistencyModels: models, strict }).workload as ElleResult;

test('a serial register history is valid, with Maelstrom\'s empty anomaly-types', () => {
  const r = check(serial([0, 'ok', [['w', 1, 1]]], [1, 'ok', [['r', 1, 1], ['w', 1, 2]]], [0, 'ok', [['r', 1, 2]]]));
  assert.equal(r['valid?'], true);
  assert.deepEqual(r['anomaly-types'], []);
  assert.equal(r.anomalies, null);
});

test('internal: a read disagreeing with the txn\'s own write', () => {
  const r = check(serial([0, 'ok', [['w', 1, 1], ['r', 1, 2]]], [1, 'ok', [['w', 1, 2]]]), ['read-atomic']);
  assert.ok(r['anomaly-types']!.includes('internal'));
  assert.equal(check(serial([0, 'ok', [['w', 1, 1], ['r', 1, 1]]], [1, 'ok', [['w', 1, 2]]], [2, 'ok', [['r', 1, 2]]]), ['read-atomic'])['valid?'], true);
});

test('G1a: reading a failed write', () => {
  const r = check(serial([0, 'fail', [['w', 1, 1]]], [1, 'ok', [['r', 1, 1]]]), ['read-committed']);
  assert.ok(r['anomaly-types']!.includes('G1a'));
  assert.equal(check(serial([0, 'fail', [['w', 1, 1]]], [1, 'ok', [['r', 1, null]]], [2, 'ok', [['w', 3, 1]]], [3, 'ok', [['r', 3, 1]]]), ['read-uncommitted'])['valid?'], true);
  // [quirk] Without that last pair the graph is empty, which Maelstrom's wrapper makes invalid.
  assert.deepEqual(check(serial([0, 'fail', [['w', 1, 1]]], [1, 'ok', [['r', 1, null]]]), ['read-uncommitted'])['anomaly-types'], ['empty-transaction-graph']);
});

test('G1b: reading an intermediate write', () => {
  const r = check(serial([0, 'ok', [['w', 1, 1], ['w', 1, 2]]], [1, 'ok', [['r', 1, 1]]]), ['read-committed']);
  assert.ok(r['anomaly-types']!.includes('G1b'));
  assert.equal(check(serial([0, 'ok', [['w', 1, 1], ['w', 1, 2]]], [1, 'ok', [['r', 1, 2]]]), ['read-committed'])['valid?'], true);
});

test('lost-update: two txns read the same value and both write', () => {
  const h = history([
    [0, 'invoke', [['r', 1, null], ['w', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['w', 1, 2]]],
    [0, 'ok', [['r', 1, null], ['w', 1, 1]]],
    [1, 'ok', [['r', 1, null], ['w', 1, 2]]],
  ]);
  assert.ok(check(h, ['repeatable-read'])['anomaly-types']!.includes('lost-update'));
  assert.equal(check(h, ['read-committed'])['valid?'], true);
});

test('G1c: circular information flow through two keys', () => {
  const h = history([
    [0, 'invoke', [['w', 1, 1], ['r', 2, null]]],
    [1, 'invoke', [['w', 2, 1], ['r', 1, null]]],
    [0, 'ok', [['w', 1, 1], ['r', 2, 1]]],
    [1, 'ok', [['w', 2, 1], ['r', 1, 1]]],
  ]);
  const r = check(h, ['read-committed']);
  assert.deepEqual(r['anomaly-types'], ['G1c']);
  assert.match((r.anomalies!['G1c']![0] as { explanation: string }).explanation, /wrote key \d = 1, which was read by T\d/);
  assert.equal(check(h, ['read-uncommitted'])['valid?'], true);
});

test('G-single-item: read skew (reads nil of one key, the new value of another)', () => {
  const h = history([
    [0, 'invoke', [['w', 1, 1], ['w', 2, 1]]],
    [1, 'invoke', [['r', 1, null], ['r', 2, null]]],
    [0, 'ok', [['w', 1, 1], ['w', 2, 1]]],
    [1, 'ok', [['r', 1, null], ['r', 2, 1]]],
  ]);
  const r = check(h, ['serializable']);
  assert.deepEqual(r['anomaly-types'], ['G-single-item']);
  assert.match((r.anomalies!['G-single-item']![0] as { explanation: string }).explanation, /read key 1 = null, and T\d set it to 1, which came later in the version order/);
  assert.equal(check(h, ['read-committed'])['valid?'], true);
});

test('G2-item: write skew', () => {
  const h = history([
    [0, 'invoke', [['r', 2, null], ['w', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['w', 2, 1]]],
    [0, 'ok', [['r', 2, null], ['w', 1, 1]]],
    [1, 'ok', [['r', 1, null], ['w', 2, 1]]],
  ]);
  assert.deepEqual(check(h, ['serializable'])['anomaly-types'], ['G2-item']);
  assert.equal(check(h, ['snapshot-isolation'])['valid?'], true);
});

test('G0 needs a version order between writes: writes-follow-reads gives it', () => {
  // T3 read x=1 then wrote x=2 and read y=... ; T1 wrote x=1,y=2 ; T2 wrote y=1 after reading y=2, and x=3 after reading x=2.
  const h = serial(
    [0, 'ok', [['w', 1, 1], ['w', 2, 2]]],
    [1, 'ok', [['r', 1, 1], ['w', 1, 2]]],
    [2, 'ok', [['r', 2, 2], ['w', 2, 1]]],
  );
  assert.equal(check(h, ['read-uncommitted'])['valid?'], true);
});

test('cyclic-versions: writes-follow-reads in both directions', () => {
  const h = history([
    [0, 'invoke', [['r', 1, null], ['w', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['w', 1, 2]]],
    [0, 'ok', [['r', 1, 2], ['w', 1, 1]]],
    [1, 'ok', [['r', 1, 1], ['w', 1, 2]]],
  ]);
  const r = check(h, ['read-uncommitted']);
  assert.ok(r['anomaly-types']!.includes('cyclic-versions'));
});

test('--strict with strict-serializable infers versions from real time: a stale read is G-single-item-realtime', () => {
  // w1 completes, then w2 (blind) completes, then a read sees 1. Faithful: only nil < 1, nil < 2; no cycle.
  const h = serial([0, 'ok', [['w', 1, 1]]], [1, 'ok', [['w', 1, 2]]], [2, 'ok', [['r', 1, 1]]]);
  assert.equal(check(h, ['strict-serializable'], false)['valid?'], true);
  const r = check(h, ['strict-serializable'], true);
  assert.equal(r['valid?'], false);
  assert.ok(r['anomaly-types']!.some((t) => t.startsWith('G-single-item')), String(r['anomaly-types']));
});

test('[quirk] faithful rw-register drops a search timeout and stays valid; --strict makes it unknown', () => {
  const h = history([
    [0, 'invoke', [['r', 2, null], ['w', 1, 1]]],
    [1, 'invoke', [['r', 1, null], ['w', 2, 1]]],
    [0, 'ok', [['r', 2, null], ['w', 1, 1]]],
    [1, 'ok', [['r', 1, null], ['w', 2, 1]]],
  ]);
  const faithful = checkRwRegister(h, { consistencyModels: ['snapshot-isolation'], strict: false, budgetMs: 0 }).workload as ElleResult;
  assert.equal(faithful['valid?'], true);
  const strict = checkRwRegister(h, { consistencyModels: ['snapshot-isolation'], strict: true, budgetMs: 0 }).workload as ElleResult;
  assert.equal(strict['valid?'], 'unknown');
  assert.ok(strict['anomaly-types']!.includes('cycle-search-timeout'));
});

test('a value written by two committed txns makes the result unknown', () => {
  const r = check(serial([0, 'ok', [['w', 1, 1]]], [1, 'ok', [['w', 1, 1]]]));
  assert.equal(r['valid?'], 'unknown');
  assert.match(String(r.error), /written by more than one op/);
});
