// The Gossip Glomers preset table: every row against the command its page
// publishes (written out literally below, as copied from fly.io/dist-sys),
// its targets, and its reference node; then the judgement on literal
// results maps, a pass and a fail for every kind of target.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { challenges, describeTarget, findChallenge, formatJudgement, judgeChallenge, judgeTarget, unknownChallengeSentence } from '../src/harness/challenges.js';
import { parseTestArgs } from '../src/cli/flags.js';
import { findWorkload } from '../src/harness/workloads/registry.js';

/** The evaluation command of each challenge page, verbatim (6c with its en dash; 6b: its second, partitioned command). */
// An array, not an object: JavaScript would list the keys 1, 2 and 4 before 3a.
const PUBLISHED: readonly (readonly [string, string])[] = [
  ['1', './maelstrom test -w echo --bin ~/go/bin/maelstrom-echo --node-count 1 --time-limit 10'],
  ['2', './maelstrom test -w unique-ids --bin ~/go/bin/maelstrom-unique-ids --time-limit 30 --rate 1000 --node-count 3 --availability total --nemesis partition'],
  ['3a', './maelstrom test -w broadcast --bin ~/go/bin/maelstrom-broadcast --node-count 1 --time-limit 20 --rate 10'],
  ['3b', './maelstrom test -w broadcast --bin ~/go/bin/maelstrom-broadcast --node-count 5 --time-limit 20 --rate 10'],
  ['3c', './maelstrom test -w broadcast --bin ~/go/bin/maelstrom-broadcast --node-count 5 --time-limit 20 --rate 10 --nemesis partition'],
  ['3d', './maelstrom test -w broadcast --bin ~/go/bin/maelstrom-broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100'],
  ['3e', './maelstrom test -w broadcast --bin ~/go/bin/maelstrom-broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100'],
  ['4', './maelstrom test -w g-counter --bin ~/go/bin/maelstrom-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition'],
  ['5a', './maelstrom test -w kafka --bin ~/go/bin/maelstrom-kafka --node-count 1 --concurrency 2n --time-limit 20 --rate 1000'],
  ['5b', './maelstrom test -w kafka --bin ~/go/bin/maelstrom-kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000'],
  ['5c', './maelstrom test -w kafka --bin ~/go/bin/maelstrom-kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000'],
  ['6a', './maelstrom test -w txn-rw-register --bin ~/go/bin/maelstrom-txn --node-count 1 --time-limit 20 --rate 1000 --concurrency 2n --consistency-models read-uncommitted --availability total'],
  ['6b', './maelstrom test -w txn-rw-register --bin ~/go/bin/maelstrom-txn --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-uncommitted --availability total --nemesis partition'],
  ['6c', './maelstrom test -w txn-rw-register --bin ~/go/bin/maelstrom-txn --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total \u2013-nemesis partition'],
];

/** The page's flags as eddy runs them: without `./maelstrom test` and `--bin X`, and 6c's en dash made the "-" it meant. */
function pageFlags(command: string): string[] {
  const words = command.split(' ');
  assert.deepEqual(words.slice(0, 2), ['./maelstrom', 'test']);
  const rest = words.slice(2);
  const bin = rest.indexOf('--bin');
  rest.splice(bin, 2);
  return rest.map((w) => w.replace(/^\u2013-/, '--'));
}

describe('the preset table', () => {
  test('lists exactly the published challenges, in the pages\' order', () => {
    assert.deepEqual(challenges().map((c) => c.name), PUBLISHED.map(([n]) => n));
  });

  for (const [name, command] of PUBLISHED) {
    test(`challenge ${name} runs the flags its page publishes`, () => {
      const c = findChallenge(name)!;
      assert.deepEqual(c.flags, pageFlags(command));
      assert.equal(c.workload, c.flags[1]);
      assert.equal(c.page, `https://fly.io/dist-sys/${name}/`);
      // The flags parse, and mean what the page's command means to Maelstrom.
      const { options, warnings } = parseTestArgs([...c.flags, '--bin', 'x']);
      assert.deepEqual(warnings, []);
      assert.equal(options.workload, c.workload);
      // Its reference node is the registry's own node for the workload (eddy sim's default).
      assert.equal(c.node, findWorkload(c.workload)!.defaultNode!.bin);
      assert.equal(findWorkload(c.workload)!.challenge?.includes(name[0]!), true);
    });
  }

  test('6c partitions: the preset has a plain --nemesis where the page has an en dash', () => {
    assert.match(PUBLISHED.find(([n]) => n === '6c')![1], /\u2013-nemesis/);
    const { options } = parseTestArgs([...findChallenge('6c')!.flags, '--bin', 'x']);
    assert.deepEqual(options.nemesis, ['partition']);
    assert.deepEqual(options.consistencyModels, ['read-committed']);
    assert.equal(options.availability, 'total');
  });

  test('targets: 3d and 3e as their pages set them, availability where the flags ask, valid everywhere', () => {
    const targets = (n: string): string[] => findChallenge(n)!.targets.map(describeTarget);
    assert.deepEqual(targets('3d'), ['valid', 'msgs-per-op < 30', 'median stable latency < 400 ms', 'max stable latency < 600 ms']);
    assert.deepEqual(targets('3e'), ['valid', 'msgs-per-op < 20', 'median stable latency < 1000 ms', 'max stable latency < 2000 ms']);
    for (const c of challenges()) {
      assert.equal(c.targets[0]!.kind, 'valid', c.name);
      const asksAvailability = c.flags.includes('--availability');
      assert.equal(c.targets.some((t) => t.kind === 'availability'), asksAvailability, c.name);
      if (!['3d', '3e'].includes(c.name)) assert.equal(c.targets.every((t) => t.kind === 'valid' || t.kind === 'availability'), true, c.name);
    }
  });

  test('names: "3D" and "#3d" find 3d; an unknown name gets one sentence listing the valid ones', () => {
    assert.equal(findChallenge('3D')?.name, '3d');
    assert.equal(findChallenge('#3d')?.name, '3d');
    assert.equal(findChallenge('3f'), undefined);
    assert.equal(
      unknownChallengeSentence('3f'),
      'There is no Gossip Glomers challenge "3f"; the challenges are 1, 2, 3a, 3b, 3c, 3d, 3e, 4, 5a, 5b, 5c, 6a, 6b, 6c (eddy challenge --list shows them).',
    );
  });
});

/** A results map with the figures the checkers write, in their places. */
function results(o: { valid?: unknown; msgsPerOp?: number; p50?: number; max?: number; okFraction?: number; availabilityValid?: boolean }): Record<string, unknown> {
  const r: Record<string, unknown> = { 'valid?': o.valid ?? true, workload: { 'valid?': true }, net: { 'valid?': true, stats: { servers: {} } } };
  if (o.msgsPerOp !== undefined) r['net'] = { 'valid?': true, stats: { servers: { 'msg-count': 10, 'msgs-per-op': o.msgsPerOp } } };
  if (o.p50 !== undefined) r['workload'] = { 'valid?': true, 'stable-latencies': { 0: 0, 0.5: o.p50, 0.95: o.max, 0.99: o.max, 1: o.max } };
  if (o.okFraction !== undefined) r['availability'] = { 'valid?': o.availabilityValid ?? o.okFraction === 1, 'ok-fraction': o.okFraction };
  return r;
}

describe('judging a run', () => {
  test('valid: true passes; false and unknown fail', () => {
    assert.deepEqual(judgeTarget({ kind: 'valid' }, results({})), { target: 'valid?', value: true, measured: 'true', bound: 'true', pass: true });
    assert.equal(judgeTarget({ kind: 'valid' }, results({ valid: false })).pass, false);
    const unknown = judgeTarget({ kind: 'valid' }, results({ valid: 'unknown' }));
    assert.equal(unknown.pass, false);
    assert.equal(unknown.measured, 'unknown');
  });

  test('msgs-per-op: 29.99 passes < 30, 30 fails, none fails', () => {
    assert.deepEqual(judgeTarget({ kind: 'msgs-per-op', below: 30 }, results({ msgsPerOp: 29.99 })), {
      target: 'msgs-per-op (servers)',
      value: 29.99,
      measured: '29.99',
      bound: '< 30',
      pass: true,
    });
    assert.equal(judgeTarget({ kind: 'msgs-per-op', below: 30 }, results({ msgsPerOp: 30 })).pass, false);
    const none = judgeTarget({ kind: 'msgs-per-op', below: 30 }, results({}));
    assert.equal(none.pass, false);
    assert.equal(none.measured, 'none');
  });

  test('stable latency: median 399 passes < 400 ms, 401 fails; max 600 fails < 600 ms, 599 passes', () => {
    const med = { kind: 'stable-latency-median', belowMs: 400 } as const;
    const max = { kind: 'stable-latency-max', belowMs: 600 } as const;
    assert.deepEqual(judgeTarget(med, results({ p50: 399, max: 599 })), {
      target: 'stable latency, median',
      value: 399,
      measured: '399 ms',
      bound: '< 400 ms',
      pass: true,
    });
    assert.equal(judgeTarget(med, results({ p50: 401, max: 599 })).pass, false);
    assert.equal(judgeTarget(max, results({ p50: 399, max: 599 })).pass, true);
    assert.equal(judgeTarget(max, results({ p50: 399, max: 600 })).pass, false);
    // No stable element at all: no latency, no pass.
    assert.equal(judgeTarget(med, results({})).pass, false);
  });

  test('availability: the availability checker decides; the ok fraction is shown against total', () => {
    assert.deepEqual(judgeTarget({ kind: 'availability' }, results({ okFraction: 1 }), 'total'), {
      target: 'availability (ok fraction)',
      value: 1,
      measured: '1.0000',
      bound: '= 1 (total)',
      pass: true,
    });
    const short = judgeTarget({ kind: 'availability' }, results({ okFraction: 0.9987 }), 'total');
    assert.equal(short.pass, false);
    assert.equal(short.measured, '0.9987');
    // --availability overridden away: nothing was asked, so the challenge's target is not met.
    assert.equal(judgeTarget({ kind: 'availability' }, results({ okFraction: 1, availabilityValid: true }), null).pass, false);
    assert.equal(judgeTarget({ kind: 'availability' }, results({ okFraction: 0.95, availabilityValid: true }), 0.9).bound, '>= 0.9');
  });

  test('3d: passed only when every target is met; the lines say which one failed', () => {
    const c = findChallenge('3d')!;
    const good = judgeChallenge(c, results({ msgsPerOp: 11.88, p50: 76, max: 99 }));
    assert.equal(good.passed, true);
    assert.deepEqual(formatJudgement(good), [
      'Challenge 3d (Efficient Broadcast, Part I) passed: 4 of 4 targets met.',
      '  valid?                   true  true      pass',
      '  msgs-per-op (servers)   11.88  < 30      pass',
      '  stable latency, median  76 ms  < 400 ms  pass',
      '  stable latency, max     99 ms  < 600 ms  pass',
    ]);
    const slow = judgeChallenge(c, results({ msgsPerOp: 0.63, p50: 684, max: 1426 }), { overrides: ['--rate', '50'] });
    assert.equal(slow.passed, false);
    const lines = formatJudgement(slow);
    assert.equal(lines[0], "Challenge 3d (Efficient Broadcast, Part I) not passed with flags that are not the challenge's (--rate 50): 2 of 4 targets met.");
    assert.match(lines[3]!, /^ {2}stable latency, median +684 ms +< 400 ms +FAIL$/);
    assert.match(lines[4]!, /^ {2}stable latency, max +1426 ms +< 600 ms +FAIL$/);
    // The same figures meet all four of 3e's looser bounds.
    const e = judgeChallenge(findChallenge('3e')!, results({ msgsPerOp: 0.63, p50: 684, max: 1426 }));
    assert.deepEqual(e.targets.map((t) => t.pass), [true, true, true, true]);
  });
});
