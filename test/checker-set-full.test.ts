import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSetFull, quantiles, setFullElements } from '../src/harness/checker/set-full.js';
import type { Op, OpType } from '../src/harness/types.js';

/** [process, type, f, value, time in ms] -> Ops indexed in order, times in ns. */
type Row = [number | 'nemesis', OpType, string, unknown, number];
function history(rows: Row[]): Op[] {
  return rows.map(([process, type, f, value, ms], index) => ({ index, time: Math.round(ms * 1e6), process, type, f, value }));
}

const MS = 1e6;

test('a broadcast acknowledged and then read is stable with latency 0', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'ok', 'broadcast', 0, 1],
    [1, 'invoke', 'read', null, 2],
    [1, 'ok', 'read', [0], 3],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], true);
  assert.equal(r['attempt-count'], 1);
  assert.equal(r['stable-count'], 1);
  assert.equal(r['stale-count'], 0);
  assert.deepEqual(r['stable-latencies'], { '0': 0, '0.5': 0, '0.95': 0, '0.99': 0, '1': 0 });
  assert.equal(r['lost-latencies'], undefined);
  assert.deepEqual(r['worst-stale'], []);
});

test('a value missing from a read that began after it was acknowledged is stale, latency from that read', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 7, 0],
    [0, 'ok', 'broadcast', 7, 10],
    [1, 'invoke', 'read', null, 257.3],
    [1, 'ok', 'read', [], 258],
    [1, 'invoke', 'read', null, 600],
    [1, 'ok', 'read', [7], 601],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], true);
  assert.equal(r['stale-count'], 1);
  assert.deepEqual(r.stale, [7]);
  // (257.3 ms + 1 ns) - 10 ms, truncated to whole ms.
  assert.deepEqual(r['stable-latencies'], { '0': 247, '0.5': 247, '0.95': 247, '0.99': 247, '1': 247 });
  assert.deepEqual(r['worst-stale'], [
    {
      element: 7,
      outcome: 'stable',
      'stable-latency': 247,
      'lost-latency': null,
      known: h[1],
      'last-absent': h[2],
    },
  ]);
});

test('a value seen and then missing from a later read is lost; the lost latency runs to just after the last read that saw it', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'ok', 'broadcast', 0, 1],
    [1, 'invoke', 'read', null, 5],
    [1, 'ok', 'read', [0], 6],
    [1, 'invoke', 'read', null, 100],
    [1, 'ok', 'read', [], 101],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], false);
  assert.equal(r['lost-count'], 1);
  assert.deepEqual(r.lost, [0]);
  assert.equal(r['stable-count'], 0);
  assert.deepEqual(r['lost-latencies'], { '0': 4, '0.5': 4, '0.95': 4, '0.99': 4, '1': 4 });
  assert.equal(r['stable-latencies'], undefined);
});

test('acknowledged but never read afterwards: never-read, and with nothing stable the verdict is unknown', () => {
  const h = history([
    [1, 'invoke', 'read', null, 0],
    [0, 'invoke', 'broadcast', 0, 1],
    [0, 'ok', 'broadcast', 0, 2],
    // This read began before the broadcast was acknowledged, so missing it proves nothing.
    [1, 'ok', 'read', [], 3],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], 'unknown');
  assert.equal(r['lost-count'], 0);
  assert.equal(r['never-read-count'], 1);
  assert.deepEqual(r['never-read'], [0]);
});

test('a read concurrent with the broadcast that sees it makes it known at once', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [1, 'invoke', 'read', null, 1],
    [1, 'ok', 'read', [0], 2],
    [0, 'ok', 'broadcast', 0, 30],
    [1, 'invoke', 'read', null, 31],
    [1, 'ok', 'read', [0], 32],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], true);
  assert.equal(r['stable-count'], 1);
  assert.deepEqual(r['stable-latencies']!['1'], 0);
});

test('a read that only began before the broadcast completed does not make a missing value stale', () => {
  // The absent read is invoked before the ack, the present one after: stable time 1 ns after the absent
  // read began, which is before the ack, so latency 0 and not stale.
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [1, 'invoke', 'read', null, 1],
    [0, 'ok', 'broadcast', 0, 5],
    [1, 'ok', 'read', [], 6],
    [1, 'invoke', 'read', null, 7],
    [1, 'ok', 'read', [0], 8],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['stale-count'], 0);
  assert.equal(r['stable-count'], 1);
});

test('indeterminate broadcasts count as attempts; one later seen is stable, one never seen is never-read', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'info', 'broadcast', 0, 5000],
    [1, 'invoke', 'broadcast', 1, 1],
    [1, 'info', 'broadcast', 1, 5001],
    [2, 'invoke', 'broadcast', 2, 2],
    [2, 'fail', 'broadcast', 2, 3],
    [3, 'invoke', 'read', null, 6000],
    [3, 'ok', 'read', [0], 6001],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], true);
  assert.equal(r['attempt-count'], 3);
  assert.equal(r['stable-count'], 1);
  assert.equal(r['lost-count'], 0);
  assert.deepEqual(r['never-read'], [1, 2]);
});

test('an indeterminate broadcast seen once and then missing is lost, timed from the read that saw it', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 3, 0],
    [0, 'info', 'broadcast', 3, 5000],
    [1, 'invoke', 'read', null, 10],
    [1, 'ok', 'read', [3], 12],
    [1, 'invoke', 'read', null, 20],
    [1, 'ok', 'read', [], 21],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], false);
  assert.deepEqual(r.lost, [3]);
  // Known at the first read's completion (12 ms); lost time is 10 ms + 1 ns: clamped to 0.
  assert.deepEqual(r['lost-latencies'], { '0': 0, '0.5': 0, '0.95': 0, '0.99': 0, '1': 0 });
});

test('absent, present, absent again: lost, with the latest present read deciding', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'ok', 'broadcast', 0, 1],
    [1, 'invoke', 'read', null, 2],
    [1, 'ok', 'read', [], 3],
    [1, 'invoke', 'read', null, 40],
    [1, 'ok', 'read', [0], 41],
    [2, 'invoke', 'read', null, 90],
    [2, 'ok', 'read', [], 91],
  ]);
  const r = checkSetFull(h);
  assert.deepEqual(r.lost, [0]);
  assert.deepEqual(r['lost-latencies']!['0.5'], 39);
});

test('a value twice in one read is a duplicate and makes the result invalid', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'ok', 'broadcast', 0, 1],
    [0, 'invoke', 'broadcast', 1, 2],
    [0, 'ok', 'broadcast', 1, 3],
    [1, 'invoke', 'read', null, 4],
    [1, 'ok', 'read', [1, 0, 1, 0, 1], 5],
    [1, 'invoke', 'read', null, 6],
    [1, 'ok', 'read', [0, 0, 1], 7],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['stable-count'], 2);
  assert.equal(r['valid?'], false);
  assert.equal(r['duplicated-count'], 2);
  assert.deepEqual(r.duplicated, { '0': 2, '1': 3 });
});

test('a value never broadcast but twice in one read is a duplicate too; once is not', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'ok', 'broadcast', 0, 1],
    [1, 'invoke', 'read', null, 2],
    [1, 'ok', 'read', [0, 7, 'x', 7, 7], 3],
  ]);
  const r = checkSetFull(h);
  assert.equal(r['valid?'], false);
  assert.deepEqual(r.duplicated, { '7': 3 });
  assert.equal(r['attempt-count'], 1);
});

test('an ok read with no invocation: the checker throws, the lenient walk (for pictures) takes the read as its own invocation', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0, 0],
    [0, 'ok', 'broadcast', 0, 1],
    [1, 'ok', 'read', [0], 3],
  ]);
  assert.throws(() => checkSetFull(h), /history index 2: ok read by process 1 has no invocation/);
  const { elements } = setFullElements(h, { lenient: true });
  assert.deepEqual(elements.map((e) => [e.element, e.outcome, e['stable-latency']]), [[0, 'stable', 0]]);
});

test('worst-stale keeps the 8 slowest, highest first; equal latencies put the larger element first', () => {
  const rows: Row[] = [];
  const latencies = [5, 50, 20, 20, 70, 10, 30, 60, 40, 20];
  latencies.forEach((_, v) => {
    rows.push([0, 'invoke', 'broadcast', v, v * 1000]);
    rows.push([0, 'ok', 'broadcast', v, v * 1000]);
  });
  // For each value, one read missing it, started `latency` ms after its ack, then a read seeing everything.
  latencies.forEach((lat, v) => {
    rows.push([1, 'invoke', 'read', null, v * 1000 + lat]);
    rows.push([1, 'ok', 'read', latencies.map((_, u) => u).filter((u) => u < v), v * 1000 + lat + 0.5]);
  });
  rows.push([2, 'invoke', 'read', null, 100_000]);
  rows.push([2, 'ok', 'read', latencies.map((_, u) => u), 100_001]);
  const r = checkSetFull(history(rows));
  assert.equal(r['stale-count'], 10);
  assert.deepEqual(
    r['worst-stale'].map((e) => [e.element, e['stable-latency']]),
    [[4, 70], [7, 60], [1, 50], [8, 40], [6, 30], [9, 20], [3, 20], [2, 20]],
  );
  // Sorted latencies 5 10 20 20 20 30 40 50 60 70: median is element floor(10*0.5) = 5 -> 30.
  assert.deepEqual(r['stable-latencies'], { '0': 5, '0.5': 30, '0.95': 70, '0.99': 70, '1': 70 });
});

test('nemesis operations are ignored and an empty history is unknown', () => {
  const empty = checkSetFull([]);
  assert.equal(empty['valid?'], 'unknown');
  assert.equal(empty['attempt-count'], 0);
  assert.equal('stable-latencies' in empty, false);
  assert.deepEqual(empty.duplicated, {});
  const h = history([
    ['nemesis', 'info', 'start-partition', 'majority', 0],
    ['nemesis', 'info', 'start-partition', ['isolated', {}], 1],
    [0, 'invoke', 'broadcast', 0, 2],
    [0, 'ok', 'broadcast', 0, 3],
    [0, 'invoke', 'read', null, 4],
    [0, 'ok', 'read', [0], 5],
  ]);
  assert.equal(checkSetFull(h)['valid?'], true);
});

test('results list elements in sorted order, numerically', () => {
  const rows: Row[] = [];
  for (const v of [10, 2, 33, 1]) {
    rows.push([0, 'invoke', 'broadcast', v, 0]);
    rows.push([0, 'ok', 'broadcast', v, 0]);
  }
  assert.deepEqual(checkSetFull(history(rows))['never-read'], [1, 2, 10, 33]);
});

test('quantiles take element floor(n*q), capped at n-1, of the sorted values', () => {
  assert.deepEqual(quantiles([5, 1, 3]), { '0': 1, '0.5': 3, '0.95': 5, '0.99': 5, '1': 5 });
  assert.deepEqual(quantiles([4, 8]), { '0': 4, '0.5': 8, '0.95': 8, '0.99': 8, '1': 8 });
  const hundred = Array.from({ length: 100 }, (_, i) => 99 - i);
  assert.deepEqual(quantiles(hundred), { '0': 0, '0.5': 50, '0.95': 95, '0.99': 99, '1': 99 });
  assert.equal(quantiles([]), null);
});

test('times are nanoseconds: a 999,999 ns staleness rounds down to 0 ms and is not stale', () => {
  const h: Op[] = [
    { index: 0, time: 0, process: 0, type: 'invoke', f: 'broadcast', value: 0 },
    { index: 1, time: 1 * MS, process: 0, type: 'ok', f: 'broadcast', value: 0 },
    { index: 2, time: 1 * MS + 999_998, process: 1, type: 'invoke', f: 'read', value: null },
    { index: 3, time: 3 * MS, process: 1, type: 'ok', f: 'read', value: [] },
    { index: 4, time: 4 * MS, process: 1, type: 'invoke', f: 'read', value: null },
    { index: 5, time: 5 * MS, process: 1, type: 'ok', f: 'read', value: [0] },
  ];
  const r = checkSetFull(h);
  assert.equal(r['stale-count'], 0);
  assert.equal(r['stable-latencies']!['1'], 0);
  h[2]!.time = 1 * MS + 999_999; // now exactly 1 ms after the ack, counting the +1 ns
  assert.equal(checkSetFull(h)['stale-count'], 1);
});
