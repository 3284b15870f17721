import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetStats, countClientInvocations } from '../src/harness/checker/net.js';
import type { JournalEvent, Op } from '../src/harness/types.js';

function ev(type: 'send' | 'recv', id: number, src: string, dest: string, time = id * 10): JournalEvent {
  return { type, time, message: { id, src, dest, body: { type: 'x' } } };
}

const journal: JournalEvent[] = [
  ev('send', 0, 'c0', 'n1'),
  ev('recv', 0, 'c0', 'n1'),
  ev('send', 1, 'n1', 'c0'),
  ev('send', 2, 'n1', 'n2'),
  ev('recv', 1, 'n1', 'c0'),
  ev('recv', 2, 'n1', 'n2'),
  ev('send', 3, 'n2', 'n3'), // dropped by a partition: never received
  ev('send', 4, 'n1', 'n3'),
  ev('recv', 4, 'n1', 'n3'),
];

test('sends, receives and distinct messages for all, clients and servers; msgs-per-op for all and servers', () => {
  const stats = new NetStats();
  for (const e of journal) stats.add(e);
  assert.deepEqual(stats.result(2), {
    all: { 'send-count': 5, 'recv-count': 4, 'msg-count': 5, 'msgs-per-op': 2.5 },
    clients: { 'send-count': 2, 'recv-count': 2, 'msg-count': 2 },
    servers: { 'send-count': 3, 'recv-count': 2, 'msg-count': 3, 'msgs-per-op': 1.5 },
  });
});

test('with no operations there is no msgs-per-op', () => {
  const stats = new NetStats();
  for (const e of journal) stats.add(e);
  const r = stats.result(0);
  assert.equal('msgs-per-op' in r.all, false);
  assert.equal('msgs-per-op' in r.servers, false);
});

test('message ids are counted once however many events mention them, even far apart', () => {
  const stats = new NetStats();
  stats.add(ev('recv', 100_000, 'n1', 'n2'));
  stats.add(ev('send', 100_000, 'n1', 'n2'));
  stats.add(ev('send', 7, 'n1', 'n2'));
  assert.deepEqual(stats.result(1).servers, { 'send-count': 2, 'recv-count': 1, 'msg-count': 2, 'msgs-per-op': 2 });
  assert.throws(() => stats.add(ev('send', -1, 'n1', 'n2')), /-1/);
});

test('msgs-per-op divides by client invocations: final reads count, the nemesis does not', () => {
  const ops: Op[] = [
    { index: 0, time: 0, process: 0, type: 'invoke', f: 'broadcast', value: 0 },
    { index: 1, time: 1, process: 0, type: 'ok', f: 'broadcast', value: 0 },
    { index: 2, time: 2, process: 'nemesis', type: 'invoke', f: 'start-partition', value: 'one' },
    { index: 3, time: 3, process: 'nemesis', type: 'info', f: 'start-partition', value: null },
    { index: 4, time: 4, process: 1, type: 'invoke', f: 'read', value: null, final: true },
    { index: 5, time: 5, process: 1, type: 'ok', f: 'read', value: [0], final: true },
  ];
  assert.equal(countClientInvocations(ops), 2);
});
