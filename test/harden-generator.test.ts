// The operation schedule must not stretch when the caller polls late, as a
// real clock's timers do on a busy machine: Jepsen's stagger counts each
// delay from the previous operation's due time (the JVM wakes on time), so
// `eddy test` must issue --rate ops per second even when every wake-up is a
// few milliseconds late. Only a worker that is busy at the due time pushes
// the schedule back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { broadcastMix, OpGenerator } from '../src/harness/generator.js';
import { Rng } from '../src/harness/rng.js';
import { plainGenerator } from '../src/harness/workloads/workload.js';

/** Polls as the runner does, but every timed wake-up comes `lateMs` late; ops take `opMs`. Returns the ops issued. */
function countOps(lateMs: number, opMs: number, workerCount: number): number {
  const gen = new OpGenerator({ rateHz: 100, workerCount, rng: new Rng(7), timeLimitMs: 20_000, startMs: 0, generator: plainGenerator(broadcastMix()) });
  const busyUntil = new Array<number>(workerCount).fill(0);
  let now = 0;
  let ops = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const p = gen.poll(now, (w) => busyUntil[w]! <= now);
    if (p.kind === 'done') return ops;
    if (p.kind === 'op') {
      ops++;
      busyUntil[p.worker] = now + opMs;
      continue;
    }
    if (p.kind !== 'wait') continue;
    const freeAt = Math.min(...busyUntil.filter((t) => t > now));
    now = p.untilMs === null ? freeAt : Math.min(p.untilMs + lateMs, Number.isFinite(freeAt) ? freeAt : Infinity);
  }
  throw new Error('generator never finished');
}

test('rate 100 for 20 s: about 2000 operations whether wake-ups are on time or 3 ms late', () => {
  const onTime = countOps(0, 1, 25);
  const late = countOps(3, 1, 25);
  assert.ok(Math.abs(onTime - 2000) < 150, `on time: ${onTime}`);
  assert.ok(Math.abs(late - onTime) / onTime < 0.03, `3 ms late: ${late} vs ${onTime} on time`);
});

test('a single busy worker still pushes the schedule back: 50 ms operations cap the rate at 20/s', () => {
  const ops = countOps(0, 50, 1);
  assert.ok(ops <= 20 * 20 + 1 && ops > 350, `ops: ${ops}`);
});
