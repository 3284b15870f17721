import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock, VirtualClock } from '../src/node/clock.js';

test('virtual clock runs events in time order, ties in scheduling order', () => {
  const clock = new VirtualClock();
  const seen: string[] = [];
  clock.setTimer(20, () => seen.push('b@20'));
  clock.setTimer(10, () => seen.push('a@10'));
  clock.setTimer(20, () => seen.push('c@20'));
  const cancelled = clock.setTimer(15, () => seen.push('never'));
  cancelled.cancel();
  assert.equal(clock.pending, 3);
  clock.advance(25);
  assert.deepEqual(seen, ['a@10', 'b@20', 'c@20']);
  assert.equal(clock.now(), 25);
  assert.equal(clock.pending, 0);
});

test('virtual clock run() lets promise continuations finish at the instant they started', async () => {
  const clock = new VirtualClock();
  const times: number[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));
  const task = (async () => {
    await sleep(5);
    times.push(clock.now());
    await sleep(7);
    times.push(clock.now());
  })();
  clock.setTimer(100, () => times.push(clock.now()));
  await clock.run();
  await task;
  assert.deepEqual(times, [5, 12, 100]);
});

test('real clock: an infinite delay never fires and a huge one does not fire at once', async () => {
  const clock = new RealClock();
  let fired = 0;
  const a = clock.setTimer(Infinity, () => fired++);
  const b = clock.setTimer(2 ** 40, () => fired++);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fired, 0);
  a.cancel();
  b.cancel();
});

test('real clock: a zero delay runs in the next check phase, not after a timer clamp', async () => {
  // setImmediate callbacks run first-in-first-out, so a zero-delay clock timer
  // scheduled before a native setImmediate must run before it; with
  // setTimeout's ~1 ms clamp it would run after. No wall-time race involved.
  const clock = new RealClock();
  const order: string[] = [];
  clock.setTimer(0, () => order.push('clock'));
  const cancelled = clock.setTimer(0, () => order.push('cancelled'));
  cancelled.cancel();
  await new Promise<void>((r) => setImmediate(() => { order.push('immediate'); r(); }));
  assert.deepEqual(order, ['clock', 'immediate']);
});
