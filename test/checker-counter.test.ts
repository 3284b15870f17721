import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCounter, shiftUnion, strictCounterReads } from '../src/harness/checker/counter.js';
import type { Op, OpType } from '../src/harness/types.js';

/** [process, type, f, value, final?] -> ops in order. */
function history(rows: [number, OpType, string, unknown, boolean?][]): Op[] {
  return rows.map(([process, type, f, value, final], index) => ({ index, time: index * 1e6, process, type, f, value, ...(final ? { final: true } : {}) }));
}

test('Maelstrom\'s case: an empty history accepts only 0', () => {
  assert.deepEqual(checkCounter([]), { 'valid?': true, errors: null, 'final-reads': [], acceptable: [[0, 0]] });
});

test('Maelstrom\'s case: ok +10 with indeterminate +5, -1, -1 accepts [8, 10] and [13, 15]', () => {
  const r = checkCounter(history([
    [0, 'invoke', 'add', 10], [0, 'ok', 'add', 10],
    [1, 'invoke', 'add', 5], [1, 'info', 'add', 5],
    [2, 'invoke', 'add', -1], [2, 'info', 'add', -1],
    [3, 'invoke', 'add', -1], [3, 'info', 'add', -1],
  ]));
  assert.deepEqual(r.acceptable, [[8, 10], [13, 15]]);
});

test('a final read of the acknowledged total is valid', () => {
  const r = checkCounter(history([[0, 'invoke', 'add', 3], [0, 'ok', 'add', 3], [1, 'invoke', 'read', null, true], [1, 'ok', 'read', 3, true]]));
  assert.equal(r['valid?'], true);
  assert.deepEqual(r['final-reads'], [3]);
});

test('a final read missing an acknowledged add is invalid and listed', () => {
  const r = checkCounter(history([[0, 'invoke', 'add', 3], [0, 'ok', 'add', 3], [1, 'invoke', 'read', null, true], [1, 'ok', 'read', 0, true]]));
  assert.equal(r['valid?'], false);
  assert.equal(r.errors?.length, 1);
  assert.equal(r.errors?.[0]?.value, 0);
});

test('reads during the run are not judged by Maelstrom\'s checker', () => {
  const r = checkCounter(history([[0, 'invoke', 'add', 3], [0, 'ok', 'add', 3], [1, 'invoke', 'read', null], [1, 'ok', 'read', 99]]));
  assert.equal(r['valid?'], true);
  assert.deepEqual(r['final-reads'], []);
});

test('shiftUnion merges runs that touch', () => {
  assert.deepEqual(shiftUnion([[0, 0]], 1), [[0, 1]]);
  assert.deepEqual(shiftUnion([[0, 1]], 5), [[0, 1], [5, 6]]);
  assert.deepEqual(shiftUnion([[0, 1], [5, 6]], -4), [[-4, -3], [0, 2], [5, 6]]);
});

test('strict: a stale read (missing an acknowledged add) is a subset sum, so it passes', () => {
  const r = strictCounterReads(history([[0, 'invoke', 'add', 3], [0, 'ok', 'add', 3], [0, 'invoke', 'add', 4], [0, 'ok', 'add', 4], [1, 'invoke', 'read', null], [1, 'ok', 'read', 4]]));
  assert.equal(r['valid?'], true);
  assert.equal(r['reads-checked'], 1);
});

test('strict: a read above every add invoked before it completed is flagged with a sentence', () => {
  const r = strictCounterReads(history([[0, 'invoke', 'add', 3], [0, 'ok', 'add', 3], [1, 'invoke', 'read', null], [1, 'ok', 'read', 6]]));
  assert.equal(r['valid?'], false);
  assert.match(r.findings[0]!, /Read 6 \(op 3, process 1\) is no sum of the adds invoked before it completed/);
});

test('strict: an add invoked while the read was in flight may be counted', () => {
  const r = strictCounterReads(history([[1, 'invoke', 'read', null], [0, 'invoke', 'add', 2], [1, 'ok', 'read', 2], [0, 'ok', 'add', 2]]));
  assert.equal(r['valid?'], true);
});

test('strict: a failed add cannot be counted', () => {
  const r = strictCounterReads(history([[0, 'invoke', 'add', 2], [0, 'fail', 'add', 2], [1, 'invoke', 'read', null], [1, 'ok', 'read', 2]]));
  assert.equal(r['valid?'], false);
});

test('strict: with pn deltas, only sums of some subset pass (3 and -1 give -1, 0, 2, 3; not 1)', () => {
  const rows: [number, OpType, string, unknown][] = [[0, 'invoke', 'add', 3], [0, 'ok', 'add', 3], [0, 'invoke', 'add', -1], [0, 'ok', 'add', -1]];
  for (const v of [-1, 0, 2, 3]) assert.equal(strictCounterReads(history([...rows, [1, 'invoke', 'read', null], [1, 'ok', 'read', v]]))['valid?'], true, String(v));
  assert.equal(strictCounterReads(history([...rows, [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]]))['valid?'], false);
});
