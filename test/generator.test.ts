import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/harness/rng.js';
import { broadcastMix, echoMix, NemesisSchedule, OpGenerator, type OpGeneratorOptions } from '../src/harness/generator.js';
import { plainGenerator } from '../src/harness/workloads/workload.js';

interface Issued {
  atMs: number;
  worker: number | 'nemesis';
  f: string;
  value: unknown;
}

/**
 * Runs a generator in virtual time. Each client op keeps its worker busy for
 * `opMs(i)` (the i-th op), nemesis ops take no time. Returns what was issued
 * and when the generator said done.
 */
function drive(
  gen: OpGenerator,
  workerCount: number,
  opMs: (i: number) => number = () => 0,
  startMs = 0,
): { issued: Issued[]; doneAtMs: number } {
  const busyUntil = new Array<number>(workerCount).fill(-Infinity);
  const issued: Issued[] = [];
  let now = startMs;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const r = gen.poll(now, (w) => busyUntil[w]! <= now);
    if (r.kind === 'done') return { issued, doneAtMs: now };
    if (r.kind === 'op') {
      assert.ok(busyUntil[r.worker]! <= now, 'ops only go to free workers');
      busyUntil[r.worker] = now + opMs(issued.length);
      issued.push({ atMs: now, worker: r.worker, f: r.f, value: r.value });
    } else if (r.kind === 'nemesis') {
      issued.push({ atMs: now, worker: 'nemesis', f: r.f, value: r.value });
    } else {
      const frees = busyUntil.filter((t) => t > now);
      const next = Math.min(r.untilMs ?? Infinity, ...frees);
      assert.ok(Number.isFinite(next), 'a wait with nothing to wait for');
      assert.ok(next > now, `wait must move time forward (now ${now}, next ${next})`);
      now = next;
    }
  }
  throw new Error('generator did not finish');
}

function options(over: Partial<OpGeneratorOptions> = {}): OpGeneratorOptions {
  return {
    rateHz: 10,
    workerCount: 5,
    rng: new Rng(1),
    timeLimitMs: 100_000,
    startMs: 0,
    generator: plainGenerator(broadcastMix()),
    ...over,
  };
}

test('ops come at the requested rate: 10 Hz for 100 s gives about 1000 ops', () => {
  const { issued } = drive(new OpGenerator(options()), 5);
  assert.ok(issued.length > 950 && issued.length < 1050, `got ${issued.length}`);
});

test('the first op goes at once, then each gap is in [0, 2/rate) s', () => {
  const { issued } = drive(new OpGenerator(options({ rateHz: 4, startMs: 1000 })), 5, () => 0, 1000);
  assert.equal(issued[0]!.atMs, 1000);
  let sum = 0;
  for (let i = 1; i < issued.length; i++) {
    const gap = issued[i]!.atMs - issued[i - 1]!.atMs;
    assert.ok(gap >= 0 && gap < 500, `gap ${gap}`);
    sum += gap;
  }
  const meanGap = sum / (issued.length - 1);
  assert.ok(Math.abs(meanGap - 250) < 15, `mean gap ${meanGap}`);
});

test('round-robin: the index also counts the nemesis slot, so worker 0 gets two turns per lap', () => {
  const { issued } = drive(new OpGenerator(options({ timeLimitMs: 60_000 })), 5);
  assert.deepEqual(
    issued.slice(0, 13).map((o) => o.worker),
    [0, 1, 2, 3, 4, 0, 0, 1, 2, 3, 4, 0, 0],
  );
  const counts = [0, 0, 0, 0, 0];
  for (const o of issued) counts[o.worker as number]!++;
  const lap = issued.length / 6;
  assert.ok(Math.abs(counts[0]! - 2 * lap) <= 2, `worker 0: ${counts[0]}`);
  for (let w = 1; w < 5; w++) assert.ok(Math.abs(counts[w]! - lap) <= 1, `worker ${w}: ${counts[w]}`);
});

test('busy workers are skipped: the op goes to the first free worker at or after the index', () => {
  const gen = new OpGenerator(options());
  const busy = new Set([1, 2]);
  const workers: number[] = [];
  let now = 0;
  while (workers.length < 12) {
    const r = gen.poll(now, (w) => !busy.has(w));
    if (r.kind === 'op') workers.push(r.worker);
    else if (r.kind === 'wait') now = r.untilMs!;
    else assert.fail(`unexpected ${r.kind}`);
  }
  assert.deepEqual(workers, [0, 3, 3, 3, 4, 0, 0, 3, 3, 3, 4, 0]);
});

test('with no worker free at the due time the op waits for one, and the next delay counts from then', () => {
  const gen = new OpGenerator(options({ workerCount: 1 }));
  const first = gen.poll(0, () => true);
  assert.equal(first.kind, 'op');
  const atDue = gen.poll(0, () => false);
  assert.deepEqual(atDue, { kind: 'wait', untilMs: null });
  assert.deepEqual(gen.poll(5000, () => false), { kind: 'wait', untilMs: null });
  const late = gen.poll(5000, () => true);
  assert.equal(late.kind, 'op');
  const after = gen.poll(5000, () => true);
  assert.equal(after.kind, 'wait');
  const untilMs = (after as { untilMs: number }).untilMs;
  assert.ok(untilMs >= 5000 && untilMs < 5200, `next due ${untilMs}`);
});

test('slow ops with one worker: the rate drops to what the worker can do', () => {
  // Each op takes 300 ms, far longer than the 100 ms mean gap.
  const { issued } = drive(new OpGenerator(options({ workerCount: 1, timeLimitMs: 30_000 })), 1, () => 300);
  assert.ok(issued.length >= 95 && issued.length <= 101, `got ${issued.length}`);
});

test('the time limit counts from the first op; nothing is issued at or after the cutoff', () => {
  const gen = new OpGenerator(options({ timeLimitMs: 20_000, startMs: 500 }));
  const { issued, doneAtMs } = drive(gen, 5, () => 0, 500);
  assert.equal(gen.cutoffMs, 20_500);
  assert.ok(issued.every((o) => o.atMs < 20_500));
  assert.ok(issued.at(-1)!.atMs > 20_000, 'ops run until close to the cutoff');
  // Done is decided when the next op would be due past the cutoff, so no later than the last op.
  assert.ok(doneAtMs <= 20_500);
  assert.deepEqual(gen.poll(30_000, () => true), { kind: 'done' });
});

test('broadcast mix: about half broadcasts numbered 0, 1, 2, ..., the rest reads of null', () => {
  const { issued } = drive(new OpGenerator(options()), 5);
  const broadcasts = issued.filter((o) => o.f === 'broadcast');
  const reads = issued.filter((o) => o.f === 'read');
  assert.equal(broadcasts.length + reads.length, issued.length);
  assert.deepEqual(broadcasts.map((o) => o.value), broadcasts.map((_, i) => i));
  assert.ok(reads.every((o) => o.value === null));
  assert.ok(Math.abs(broadcasts.length / issued.length - 0.5) < 0.05);
});

test('echo: "Please echo N" with N in 0..127, spread uniformly over free workers', () => {
  const gen = new OpGenerator(options({ generator: plainGenerator(echoMix()), workerChoice: 'uniform' }));
  const { issued } = drive(gen, 5);
  const counts = [0, 0, 0, 0, 0];
  for (const o of issued) {
    assert.match(o.value as string, /^Please echo (\d|[1-9]\d|1[01]\d|12[0-7])$/);
    counts[o.worker as number]!++;
  }
  for (const c of counts) assert.ok(Math.abs(c - issued.length / 5) < issued.length / 20, `counts ${counts}`);
});

test('the same seed gives the same schedule', () => {
  const a = drive(new OpGenerator(options({ rng: new Rng(9), generator: plainGenerator(broadcastMix()) })), 5, (i) => (i % 7) * 50);
  const b = drive(new OpGenerator(options({ rng: new Rng(9), generator: plainGenerator(broadcastMix()) })), 5, (i) => (i % 7) * 50);
  assert.deepEqual(a, b);
  const c = drive(new OpGenerator(options({ rng: new Rng(10), generator: plainGenerator(broadcastMix()) })), 5, (i) => (i % 7) * 50);
  assert.notDeepEqual(a.issued.slice(0, 20), c.issued.slice(0, 20));
});

test('nemesis: starts at once, then stop/start alternate with gaps in [0, 2*interval), under the same limit', () => {
  const nemesis = new NemesisSchedule(new Rng(5), 2);
  const gen = new OpGenerator(options({ timeLimitMs: 200_000, nemesis }));
  const { issued } = drive(gen, 5);
  const nem = issued.filter((o) => o.worker === 'nemesis');
  assert.equal(nem[0]!.atMs, 0);
  nem.forEach((o, i) => assert.equal(o.f, i % 2 === 0 ? 'start-partition' : 'stop-partition'));
  const gaps = nem.slice(1).map((o, i) => o.atMs - nem[i]!.atMs);
  assert.ok(gaps.every((g) => g >= 0 && g < 4000));
  const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
  assert.ok(Math.abs(mean - 2000) < 200, `mean nemesis gap ${mean}`);
  assert.ok(issued.every((o) => o.atMs < 200_000));
  assert.ok(nem.every((o) => o.value === null));
});

test('a nemesis op moves the worker index on, as it does in Jepsen', () => {
  const nemesis = new NemesisSchedule(new Rng(1), 10);
  const gen = new OpGenerator(options({ nemesis }));
  const seen: (number | string)[] = [];
  let now = 0;
  while (seen.length < 4) {
    const r = gen.poll(now, () => true, true);
    if (r.kind === 'op') seen.push(r.worker);
    else if (r.kind === 'nemesis') seen.push(r.f);
    else if (r.kind === 'wait') now = r.untilMs!;
  }
  // Both are due at 0; whichever goes first, the second client op lands one slot further on.
  if (seen[0] === 'start-partition') assert.deepEqual(seen.slice(0, 2), ['start-partition', 1]);
  else assert.deepEqual(seen.slice(0, 2), [0, 'start-partition']);
  assert.equal(seen[2], 2);
});

test('every worker busy and the nemesis next due past the cutoff: the phase ends there (Jepsen\'s any + time-limit)', () => {
  const nemesis = new NemesisSchedule(new Rng(1), 100); // next nemesis op lands far beyond a 1 s limit, almost surely
  const gen = new OpGenerator(options({ workerCount: 1, timeLimitMs: 1000, nemesis }));
  let sawNemesis = false;
  let sawOp = false;
  for (let i = 0; i < 2; i++) {
    const r = gen.poll(0, () => true);
    if (r.kind === 'nemesis') sawNemesis = true;
    if (r.kind === 'op') sawOp = true;
  }
  assert.ok(sawNemesis && sawOp);
  assert.ok(nemesis.dueMs(0) > 1000, 'test premise: next nemesis op past the cutoff');
  assert.deepEqual(gen.poll(10, () => false), { kind: 'done' });
});

test('rate 0 issues nothing and lets the time limit pass', () => {
  const gen = new OpGenerator(options({ rateHz: 0, timeLimitMs: 5000, startMs: 100 }));
  assert.deepEqual(gen.poll(100, () => true), { kind: 'wait', untilMs: 5100 });
  assert.deepEqual(gen.poll(5100, () => true), { kind: 'done' });
});

test('bad options are rejected with the field and value in the message', () => {
  assert.throws(() => new OpGenerator(options({ rateHz: -1 })), /rateHz.*-1/);
  assert.throws(() => new OpGenerator(options({ workerCount: 0 })), /workerCount.*0/);
  assert.throws(() => new OpGenerator(options({ timeLimitMs: 0 })), /timeLimitMs.*0/);
  assert.throws(() => new NemesisSchedule(new Rng(1), 0), /interval.*0/);
});

test('every worker busy: the generator still offers the nemesis operation at its due time', () => {
  const nemesis = new NemesisSchedule(new Rng(2), 1);
  const gen = new OpGenerator(options({ workerCount: 1, timeLimitMs: 60_000, nemesis }));
  const kinds = [gen.poll(0, () => true).kind, gen.poll(0, () => true).kind].sort();
  assert.deepEqual(kinds, ['nemesis', 'op']);
  const due = nemesis.dueMs(0);
  assert.ok(due > 0 && due < 2000);
  assert.equal(nemesis.nextF, 'stop-partition');
  assert.deepEqual(gen.poll(0, () => false), { kind: 'wait', untilMs: due });
  assert.deepEqual(gen.poll(due, () => false), { kind: 'nemesis', f: 'stop-partition', value: null });
  // The nemesis itself busy too: nothing to offer until someone frees up.
  assert.deepEqual(gen.poll(due, () => false, false), { kind: 'wait', untilMs: null });
});
