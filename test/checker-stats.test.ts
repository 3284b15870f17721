import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStats } from '../src/harness/checker/stats.js';
import type { Op, OpType } from '../src/harness/types.js';

type Row = [number | 'nemesis', OpType, string];
const history = (rows: Row[]): Op[] =>
  rows.map(([process, type, f], index) => ({ index, time: index * 1000, process, type, f, value: null }));

test('completions are counted overall and by f; invocations and the nemesis are not', () => {
  const r = checkStats(
    history([
      [0, 'invoke', 'broadcast'],
      [0, 'ok', 'broadcast'],
      [1, 'invoke', 'read'],
      [1, 'fail', 'read'],
      [2, 'invoke', 'broadcast'],
      [2, 'info', 'broadcast'],
      [1, 'invoke', 'read'],
      [1, 'ok', 'read'],
      ['nemesis', 'info', 'start-partition'],
      ['nemesis', 'info', 'start-partition'],
    ]),
  );
  assert.deepEqual(r, {
    'valid?': true,
    count: 4,
    'ok-count': 2,
    'fail-count': 1,
    'info-count': 1,
    'by-f': {
      broadcast: { 'valid?': true, count: 2, 'ok-count': 1, 'fail-count': 0, 'info-count': 1 },
      read: { 'valid?': true, count: 2, 'ok-count': 1, 'fail-count': 1, 'info-count': 0 },
    },
  });
});

test('an f that never completed ok makes the stats invalid', () => {
  const r = checkStats(
    history([
      [0, 'invoke', 'broadcast'],
      [0, 'ok', 'broadcast'],
      [1, 'invoke', 'read'],
      [1, 'fail', 'read'],
      [1, 'invoke', 'read'],
      [1, 'info', 'read'],
    ]),
  );
  assert.equal(r['valid?'], false);
  assert.equal(r['by-f']['read']!['valid?'], false);
  assert.equal(r['by-f']['broadcast']!['valid?'], true);
});

test('by-f lists operation names in order; an empty history is valid with zero counts', () => {
  const r = checkStats(history([[0, 'invoke', 'zeta'], [0, 'ok', 'zeta'], [1, 'invoke', 'alpha'], [1, 'ok', 'alpha']]));
  assert.deepEqual(Object.keys(r['by-f']), ['alpha', 'zeta']);
  assert.deepEqual(checkStats([]), { 'valid?': true, count: 0, 'ok-count': 0, 'fail-count': 0, 'info-count': 0, 'by-f': {} });
});

test('an unknown completion type is a programmer error', () => {
  assert.throws(() => checkStats(history([[0, 'weird' as OpType, 'read']])), /"weird"/);
});
