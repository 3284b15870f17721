import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAvailability,
  checkBroadcast,
  checkEcho,
  checkEchoPairs,
  mergeValid,
  NetStats,
  verdictExitCode,
  type NetResult,
} from '../src/harness/checker/index.js';
import type { Op, OpType } from '../src/harness/types.js';

type Row = [number | 'nemesis', OpType, string, unknown];
const history = (rows: Row[]): Op[] =>
  rows.map(([process, type, f, value], index) => ({ index, time: index * 1_000_000, process, type, f, value }));

const net: NetResult = new NetStats().result(0);

const good = history([
  [0, 'invoke', 'broadcast', 0],
  [0, 'ok', 'broadcast', 0],
  [1, 'invoke', 'read', null],
  [1, 'ok', 'read', [0]],
]);

test('a clean run: every part valid, and the layout of Maelstrom\'s results', () => {
  const r = checkBroadcast(good, net);
  assert.equal(r['valid?'], true);
  assert.deepEqual(Object.keys(r).sort(), ['availability', 'exceptions', 'net', 'perf', 'stats', 'timeline', 'valid?', 'workload']);
  assert.deepEqual(r.net, { 'valid?': true, stats: net });
  assert.deepEqual(r.availability, { 'valid?': true, 'ok-fraction': 1 });
  assert.deepEqual(r.exceptions, { 'valid?': true });
  assert.equal((r.workload as { 'stable-count': number })['stable-count'], 1);
  assert.equal(verdictExitCode(r['valid?']), 0);
});

test('reads that never succeed make stats invalid, and so the whole run', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0],
    [0, 'ok', 'broadcast', 0],
    [1, 'invoke', 'read', null],
    [1, 'fail', 'read', null],
  ]);
  const r = checkBroadcast(h, net);
  assert.equal(r.stats['valid?'], false);
  assert.equal(r.workload['valid?'], 'unknown');
  assert.equal(r['valid?'], false);
  assert.equal(verdictExitCode(r['valid?']), 1);
});

test('a lost value makes the run invalid (exit 1); nothing stable at all makes it unknown (exit 2)', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0],
    [0, 'ok', 'broadcast', 0],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', []],
    [1, 'invoke', 'broadcast', 1],
    [1, 'ok', 'broadcast', 1],
  ]);
  // In `h`, 0 is absent from a read that began after its ack: lost. In `concurrent` the read began first: never-read.
  const concurrent: Op[] = history([
    [1, 'invoke', 'read', null],
    [0, 'invoke', 'broadcast', 0],
    [0, 'ok', 'broadcast', 0],
    [1, 'ok', 'read', []],
  ]);
  assert.equal(checkBroadcast(h, net)['valid?'], false);
  const r = checkBroadcast(concurrent, net);
  assert.equal(r['valid?'], 'unknown');
  assert.equal(verdictExitCode(r['valid?']), 2);
});

test('a malformed history makes the workload unknown instead of crashing the run (Jepsen\'s check-safe)', () => {
  const h = history([[1, 'ok', 'read', [0]]]);
  const r = checkBroadcast(h, net);
  assert.equal(r.workload['valid?'], 'unknown');
  assert.match((r.workload as { error: string }).error, /no invocation/);
  assert.equal(r['valid?'], 'unknown');
});

test('availability: fraction of client invocations that completed ok, against --availability', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0],
    [0, 'ok', 'broadcast', 0],
    [1, 'invoke', 'read', null],
    [1, 'fail', 'read', null],
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', [0]],
    [3, 'invoke', 'read', null],
    [3, 'ok', 'read', [0]],
    ['nemesis', 'invoke', 'start-partition', 'one'],
    ['nemesis', 'ok', 'start-partition', null],
  ]);
  assert.deepEqual(checkAvailability(h, null), { 'valid?': true, 'ok-fraction': 0.75 });
  assert.deepEqual(checkAvailability(h, 'total'), { 'valid?': false, 'ok-fraction': 0.75 });
  assert.equal(checkAvailability(h, 0.75)['valid?'], true);
  assert.equal(checkAvailability(h, 0.8)['valid?'], false);
  assert.deepEqual(checkAvailability([], 'total'), { 'valid?': true, 'ok-fraction': 1 });
  assert.equal(checkBroadcast(h, net, { availability: 0.9 }).availability['valid?'], false);
  assert.throws(() => checkBroadcast(h, net, { availability: 1.5 }), /availability.*1\.5/);
});

test('merge-valid: false beats unknown beats true', () => {
  assert.equal(mergeValid([]), true);
  assert.equal(mergeValid([true, 'unknown', true]), 'unknown');
  assert.equal(mergeValid(['unknown', false, true]), false);
  assert.throws(() => mergeValid([true, 'maybe']), /"maybe"/);
});

test('echo: each reply must echo what was sent; failures and missing replies are errors', () => {
  const h = history([
    [0, 'invoke', 'echo', 'Please echo 1'],
    [0, 'ok', 'echo', { type: 'echo_ok', echo: 'Please echo 1', in_reply_to: 1, msg_id: 1 }],
    [1, 'invoke', 'echo', 'Please echo 2'],
    [1, 'ok', 'echo', { type: 'echo_ok', echo: 'Please echo 3' }],
    [2, 'invoke', 'echo', 'Please echo 4'],
    [2, 'info', 'echo', 'Please echo 4'],
    [0, 'invoke', 'echo', 'Please echo 5'],
  ]);
  assert.deepEqual(checkEchoPairs(h), {
    'valid?': false,
    errors: [
      ['Expected a message with :echo', 'Please echo 2', 'But received', { type: 'echo_ok', echo: 'Please echo 3' }],
      ['Expected a message with :echo', 'Please echo 4', 'But received', 'Please echo 4'],
      ['Expected a message with :echo', 'Please echo 5', 'But received', null],
    ],
  });
  const ok = checkEcho(h.slice(0, 2), net);
  assert.equal(ok['valid?'], true);
  assert.deepEqual(ok.workload, { 'valid?': true, errors: [] });
});

test('exceptions on indeterminate operations are reported, most frequent first, without affecting validity', () => {
  const h = history([
    [0, 'invoke', 'broadcast', 0],
    [0, 'ok', 'broadcast', 0],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', [0]],
  ]);
  const withEx = [
    ...h,
    { index: 4, time: 4, process: 2, type: 'invoke' as const, f: 'broadcast', value: 1 },
    { index: 5, time: 5, process: 2, type: 'info' as const, f: 'broadcast', value: 1, exception: { class: 'SchemaError' } },
    { index: 6, time: 6, process: 3, type: 'invoke' as const, f: 'broadcast', value: 2 },
    { index: 7, time: 7, process: 3, type: 'info' as const, f: 'broadcast', value: 2, exception: { class: 'IOError' } },
    { index: 8, time: 8, process: 4, type: 'invoke' as const, f: 'broadcast', value: 3 },
    { index: 9, time: 9, process: 4, type: 'info' as const, f: 'broadcast', value: 3, exception: { class: 'IOError' } },
  ];
  const r = checkBroadcast(withEx, net);
  assert.equal(r.exceptions['valid?'], true);
  assert.deepEqual(
    (r.exceptions as { exceptions: { class: string; count: number }[] }).exceptions.map((e) => [e.class, e.count]),
    [['IOError', 2], ['SchemaError', 1]],
  );
});
