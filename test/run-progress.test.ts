// The progress line a user watches during a run: a plain line every 5 s in
// logs, one live line rewritten every second on a terminal, nothing after stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../src/node/clock.js';
import { Progress, type ProgressSnapshot } from '../src/harness/progress.js';

function setup(isTTY: boolean) {
  const clock = new VirtualClock();
  const written: string[] = [];
  const snap: ProgressSnapshot = { phase: 'main', elapsedS: 0, limitS: 20, ok: 0, fail: 0, info: 0, messages: 0, partitioned: false };
  const progress = new Progress(clock, { write: (t: string) => written.push(t), isTTY }, () => ({ ...snap, elapsedS: clock.now() / 1000 }));
  return { clock, written, snap, progress };
}

test('in a log: one plain line every 5 s with ops by outcome, messages/s and the partition state', () => {
  const { clock, written, snap, progress } = setup(false);
  progress.start();
  snap.ok = 40;
  snap.fail = 2;
  snap.info = 1;
  snap.messages = 500;
  snap.partitioned = true;
  clock.advance(4999);
  assert.equal(written.length, 0);
  clock.advance(1);
  assert.deepEqual(written, ['[main] 5/20 s  ops ok 40 fail 2 info 1  100 msgs/s  partition on\n']);
  progress.stop();
  clock.advance(20_000);
  assert.equal(written.length, 1, 'nothing after stop');
});

test('on a terminal: the line is rewritten in place every second and cleared at the end', () => {
  const { clock, written, progress } = setup(true);
  progress.start();
  clock.advance(3000);
  assert.equal(written.length, 3);
  assert.ok(written.every((w) => w.startsWith('\r\x1b[2K[main]') && !w.endsWith('\n')));
  progress.stop();
  assert.equal(written.at(-1), '\r\x1b[2K');
});
