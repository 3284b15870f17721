/**
 * The network's hold-back (src/harness/run/backpressure.ts): output is held
 * above the limit, released once the backlog has halved, and a host without
 * flow control is never held.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { VirtualClock } from '../src/node/clock.js';
import { BackPressure, HighWater, type OutputFlow } from '../src/harness/run/backpressure.js';

function setup(outputs: OutputFlow[]) {
  const clock = new VirtualClock();
  const net = { backlogMessages: 0, backlogChars: 0 };
  const warnings: [string, string][] = [];
  const bp = new BackPressure({ clock, net, outputs: () => outputs, warn: (k, s) => warnings.push([k, s]), max: { messages: 10, chars: 1000 } });
  return { clock, net, warnings, bp };
}

function flow() {
  const log: string[] = [];
  return { log, out: { pauseOutput: () => log.push('pause'), resumeOutput: () => log.push('resume') } };
}

test('a backlog over the message limit pauses every output and names the loudest nodes', () => {
  const a = flow();
  const b = flow();
  const { net, warnings, bp } = setup([a.out, b.out]);
  for (let i = 0; i < 5; i++) bp.countLine('n1');
  for (let i = 0; i < 3; i++) bp.countLine('n2');
  net.backlogMessages = 10;
  bp.afterSend();
  assert.deepEqual(a.log, [], 'at the limit is not over it');
  net.backlogMessages = 11;
  bp.afterSend();
  assert.deepEqual(a.log, ['pause']);
  assert.deepEqual(b.log, ['pause']);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]![0], 'backlog');
  assert.match(warnings[0]![1], /holds 11 undelivered messages.*Most lines came from n1 \(5\), n2 \(3\)\./);
  bp.afterSend();
  assert.deepEqual(a.log, ['pause'], 'held output is not paused twice');
});

test('held output is released once both messages and characters are at half the limit', () => {
  const a = flow();
  const { clock, net, bp } = setup([a.out]);
  net.backlogChars = 1001;
  bp.afterSend();
  assert.deepEqual(a.log, ['pause']);
  net.backlogChars = 501;
  clock.advance(100);
  assert.deepEqual(a.log, ['pause'], 'above half: still held');
  net.backlogChars = 500;
  net.backlogMessages = 6;
  clock.advance(100);
  assert.deepEqual(a.log, ['pause'], 'messages above half: still held');
  net.backlogMessages = 5;
  clock.advance(100);
  assert.deepEqual(a.log, ['pause', 'resume']);
  assert.equal(bp.figures().heldBackCount, 1);
  assert.equal(bp.figures().backlogPeak, 0);
});

test('stopping releases held output at once', () => {
  const a = flow();
  const { net, bp } = setup([a.out]);
  net.backlogMessages = 50;
  bp.afterSend();
  bp.stop();
  assert.deepEqual(a.log, ['pause', 'resume']);
  assert.equal(bp.figures().backlogPeak, 50);
});

test('a host without flow control is never held and no backlog warning is given', () => {
  const { net, warnings, bp } = setup([{}, {}]);
  net.backlogMessages = 1_000_000;
  bp.afterSend();
  bp.afterSend();
  assert.deepEqual(warnings, []);
  assert.equal(bp.figures().heldBackCount, 0);
  assert.equal(bp.figures().backlogPeak, 1_000_000);
});

test('HighWater: full above the mark, drained at half of it', () => {
  const w = new HighWater(8);
  assert.equal(w.full(8), false);
  assert.equal(w.full(9), true);
  assert.equal(w.drained(5), false);
  assert.equal(w.drained(4), true);
});
