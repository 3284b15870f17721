import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUniqueIds } from '../src/harness/checker/unique-ids.js';
import type { Op, OpType } from '../src/harness/types.js';

/** [process, type, value] -> generate ops in order. */
function history(rows: [number, OpType, unknown][]): Op[] {
  return rows.map(([process, type, value], index) => ({ index, time: index * 1e6, process, type, f: 'generate', value }));
}

test('an empty history is valid, with range [null, null]', () => {
  const r = checkUniqueIds([]);
  assert.deepEqual(r, { 'valid?': true, 'attempted-count': 0, 'acknowledged-count': 0, 'duplicated-count': 0, duplicated: {}, range: [null, null] });
});

test('distinct ids are valid; the range is the smallest and largest', () => {
  const r = checkUniqueIds(history([[0, 'invoke', null], [0, 'ok', 5], [1, 'invoke', null], [1, 'ok', 2], [0, 'invoke', null], [0, 'ok', 9]]));
  assert.equal(r['valid?'], true);
  assert.equal(r['attempted-count'], 3);
  assert.equal(r['acknowledged-count'], 3);
  assert.deepEqual(r.range, [2, 9]);
});

test('the same id twice is invalid and listed with its count', () => {
  const r = checkUniqueIds(history([[0, 'invoke', null], [0, 'ok', 'a'], [1, 'invoke', null], [1, 'ok', 'b'], [2, 'invoke', null], [2, 'ok', 'a']]));
  assert.equal(r['valid?'], false);
  assert.equal(r['duplicated-count'], 1);
  assert.deepEqual(r.duplicated, { '"a"': 2 });
});

test('failed and indeterminate generates count as attempts, not acknowledgements, and their ids are not judged', () => {
  const r = checkUniqueIds(history([[0, 'invoke', null], [0, 'info', null], [1, 'invoke', null], [1, 'fail', null], [2, 'invoke', null], [2, 'ok', 1]]));
  assert.equal(r['attempted-count'], 3);
  assert.equal(r['acknowledged-count'], 1);
  assert.equal(r['valid?'], true);
});

test('ids compare by JSON value: equal arrays are duplicates, 1 and "1" are not', () => {
  const r = checkUniqueIds(history([[0, 'invoke', null], [0, 'ok', [1, 2]], [1, 'invoke', null], [1, 'ok', [1, 2]], [2, 'invoke', null], [2, 'ok', 1]]));
  assert.equal(r['duplicated-count'], 1);
  assert.deepEqual(r.duplicated, { '[1,2]': 2 });
  const s = checkUniqueIds(history([[0, 'invoke', null], [0, 'ok', 1], [1, 'invoke', null], [1, 'ok', '1']]));
  assert.equal(s['valid?'], true);
});

test('ids of mixed types (where Maelstrom\'s checker crashes): duplicates still decided, no range, the types named', () => {
  const r = checkUniqueIds(history([[0, 'invoke', null], [0, 'ok', 'x'], [1, 'invoke', null], [1, 'ok', 3], [2, 'invoke', null], [2, 'ok', 'x']]));
  assert.equal(r['valid?'], false);
  assert.equal(r['duplicated-count'], 1);
  assert.equal(r.range, null);
  assert.deepEqual(r['mixed-types'], ['number', 'string']);
});

test('at most 48 duplicated ids are listed, the most frequent', () => {
  const rows: [number, OpType, unknown][] = [];
  for (let id = 0; id < 60; id++) for (let k = 0; k < (id === 59 ? 5 : 2); k++) rows.push([0, 'invoke', null], [0, 'ok', id]);
  const r = checkUniqueIds(history(rows));
  assert.equal(r['duplicated-count'], 60);
  assert.equal(Object.keys(r.duplicated).length, 48);
  assert.equal(r.duplicated['59'], 5);
});
