import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKey, checkLinearizable, nullReadsOfWrittenKeys, opsByKey } from '../src/harness/checker/linearizable.js';
import type { Op, OpType } from '../src/harness/types.js';

/** [process, type, f, value, time ms] -> ops; values are lin-kv's [key, v] pairs. */
function history(rows: [number, OpType, string, unknown, number][]): Op[] {
  return rows.map(([process, type, f, value, ms], index) => ({ index, time: ms * 1e6, process, type, f, value }));
}

test('a write then a read of it, one after the other: linearizable', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 3], 0], [0, 'ok', 'write', [1, 3], 1],
    [1, 'invoke', 'read', [1, null], 2], [1, 'ok', 'read', [1, 3], 3],
  ]));
  assert.equal(r['valid?'], true);
  assert.deepEqual(r.failures, []);
});

test('a read that returns an older value after a newer write completed: not linearizable, explained', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 3], 0], [0, 'ok', 'write', [1, 3], 1],
    [0, 'invoke', 'write', [1, 4], 2], [0, 'ok', 'write', [1, 4], 3],
    [1, 'invoke', 'read', [1, null], 4], [1, 'ok', 'read', [1, 3], 5],
  ]));
  assert.equal(r['valid?'], false);
  assert.deepEqual(r.failures, ['1']);
  const k = r.results['1']!;
  assert.equal(k.op?.f, 'read');
  assert.equal(k['longest-prefix-length'], 2);
  assert.deepEqual(k['possible-values'], [4]);
  assert.match(k.explanation!, /the read of 3 by process 1 \(op 4\.\.5\) cannot take effect/);
});

test('concurrent write and read: the read may see either value', () => {
  for (const seen of [0, 5]) {
    const r = checkLinearizable(history([
      [0, 'invoke', 'write', [1, 0], 0], [0, 'ok', 'write', [1, 0], 1],
      [0, 'invoke', 'write', [1, 5], 2], [1, 'invoke', 'read', [1, null], 3],
      [1, 'ok', 'read', [1, seen], 4], [0, 'ok', 'write', [1, 5], 5],
    ]));
    assert.equal(r['valid?'], true, `read ${seen}`);
  }
});

test('an indeterminate write may take effect later, even after other ops completed', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 7], 0], [0, 'info', 'write', [1, 7], 1],
    [1, 'invoke', 'read', [1, null], 2], [1, 'ok', 'read', [1, null], 3],
    [1, 'invoke', 'read', [1, null], 10], [1, 'ok', 'read', [1, 7], 11],
  ]));
  assert.equal(r['valid?'], true);
});

test('an indeterminate cas may never take effect', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 1], 0], [0, 'ok', 'write', [1, 1], 1],
    [2, 'invoke', 'cas', [1, [1, 2]], 2], [2, 'info', 'cas', [1, [1, 2]], 3],
    [1, 'invoke', 'read', [1, null], 4], [1, 'ok', 'read', [1, 1], 5],
  ]));
  assert.equal(r['valid?'], true);
});

test('failed ops are dropped: a failed write is never seen, and a read of it is not linearizable', () => {
  const ok = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 9], 0], [0, 'fail', 'write', [1, 9], 1],
    [1, 'invoke', 'read', [1, null], 2], [1, 'ok', 'read', [1, null], 3],
  ]));
  assert.equal(ok['valid?'], true);
  const bad = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 9], 0], [0, 'fail', 'write', [1, 9], 1],
    [1, 'invoke', 'read', [1, null], 2], [1, 'ok', 'read', [1, 9], 3],
  ]));
  assert.equal(bad['valid?'], false);
});

test('a read of a never-written key returning a value is not linearizable; returning null is (Maelstrom\'s model)', () => {
  assert.equal(checkLinearizable(history([[1, 'invoke', 'read', [4, null], 0], [1, 'ok', 'read', [4, 2], 1]]))['valid?'], false);
  assert.equal(checkLinearizable(history([[1, 'invoke', 'read', [4, null], 0], [1, 'ok', 'read', [4, null], 1]]))['valid?'], true);
});

test('Maelstrom\'s quirk: a null read after a write is accepted; --strict\'s check names it', () => {
  const h = history([
    [0, 'invoke', 'write', [1, 3], 0], [0, 'ok', 'write', [1, 3], 1],
    [1, 'invoke', 'read', [1, null], 2], [1, 'ok', 'read', [1, null], 3],
  ]);
  assert.equal(checkLinearizable(h)['valid?'], true);
  assert.deepEqual(nullReadsOfWrittenKeys(h), [{ index: 3, key: 1, process: 1 }]);
});

test('a cas chain: write 0, cas 0->1, cas 1->2, read 2 is linearizable; reading 1 afterwards is not', () => {
  const chain: [number, OpType, string, unknown, number][] = [
    [0, 'invoke', 'write', [1, 0], 0], [0, 'ok', 'write', [1, 0], 1],
    [0, 'invoke', 'cas', [1, [0, 1]], 2], [0, 'ok', 'cas', [1, [0, 1]], 3],
    [1, 'invoke', 'cas', [1, [1, 2]], 4], [1, 'ok', 'cas', [1, [1, 2]], 5],
  ];
  assert.equal(checkLinearizable(history([...chain, [2, 'invoke', 'read', [1, null], 6], [2, 'ok', 'read', [1, 2], 7]]))['valid?'], true);
  assert.equal(checkLinearizable(history([...chain, [2, 'invoke', 'read', [1, null], 6], [2, 'ok', 'read', [1, 1], 7]]))['valid?'], false);
});

test('a cas that succeeded against a value the register never held is not linearizable', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 0], 0], [0, 'ok', 'write', [1, 0], 1],
    [1, 'invoke', 'cas', [1, [3, 4]], 2], [1, 'ok', 'cas', [1, [3, 4]], 3],
  ]));
  assert.equal(r['valid?'], false);
  assert.equal(r.results['1']?.op?.f, 'cas');
});

test('keys are independent: a bad key is listed, a good one is not', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 3], 0], [0, 'ok', 'write', [1, 3], 1],
    [1, 'invoke', 'read', [2, null], 2], [1, 'ok', 'read', [2, 3], 3],
  ]));
  assert.deepEqual(r.failures, ['2']);
  assert.equal(r.results['1']?.['valid?'], true);
});

test('a search over its budget is unknown with a sentence, not an exhausted heap', () => {
  // Many concurrent indeterminate writes of distinct values and reads that pin nothing down.
  const rows: [number, OpType, string, unknown, number][] = [];
  for (let p = 0; p < 40; p++) rows.push([p, 'invoke', 'write', [1, p], 0]);
  for (let p = 0; p < 40; p++) rows.push([p, 'info', 'write', [1, p], 1]);
  rows.push([99, 'invoke', 'read', [1, null], 2], [99, 'ok', 'read', [1, 1000], 3]);
  const ops = opsByKey(history(rows)).get('1')!.ops;
  const r = checkKey(ops, { maxSteps: 5000 });
  assert.equal(r['valid?'], 'unknown');
  assert.match(r.error!, /gave up after \d+ steps/);
});

test('an empty history is valid with no keys', () => {
  assert.deepEqual(checkLinearizable([]), { 'valid?': true, results: {}, failures: [] });
});

test('an op that completes in the same instant it was invoked (zero latency) is checked like any other', () => {
  const r = checkLinearizable(history([
    [0, 'invoke', 'write', [1, 3], 0], [0, 'ok', 'write', [1, 3], 0],
    [1, 'invoke', 'read', [1, null], 0], [1, 'ok', 'read', [1, 3], 0],
  ]));
  assert.equal(r['valid?'], true);
});
