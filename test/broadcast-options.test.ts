// The broadcast node's command line: profiles, explicit knobs, and the
// errors a user sees for a bad flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionsError, parseOptions, profileOptions } from '../src/nodes/broadcast/options.js';

test('no arguments means the balanced profile: a batching star', () => {
  const o = parseOptions([]);
  assert.equal(o.profile, 'balanced');
  assert.equal(o.overlay, 'star');
  assert.deepEqual(o, profileOptions('balanced'));
});

test('each profile picks its overlay and batching', () => {
  assert.equal(parseOptions(['--profile', 'fast']).overlay, 'direct');
  const frugal = parseOptions(['--profile=frugal']);
  assert.equal(frugal.overlay, 'star');
  assert.ok(frugal.leafBatchMs > 0 && frugal.hubBatchMs > profileOptions('balanced').hubBatchMs);
});

test('a leading "--" is skipped and explicit knobs override the profile wherever it appears', () => {
  const o = parseOptions(['--', '--hub-batch-ms', '400', '--profile', 'frugal', '--hubs=3']);
  assert.equal(o.profile, 'frugal');
  assert.equal(o.hubBatchMs, 400);
  assert.equal(o.hubCount, 3);
  // The fail-over deadline follows the hub's batch interval unless given.
  assert.equal(o.failoverMs, 2 * 400 + 500);
  assert.equal(parseOptions(['--hub-batch-ms', '400', '--failover-ms', '900']).failoverMs, 900);
});

test('bad flags are rejected with a message naming the flag, the value and what was expected', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--profile', 'turbo'], /--profile.*fast, balanced, frugal.*"turbo"/],
    [['--hub-batch-ms', '0'], /--hub-batch-ms.*integer from 1 and up.*"0"/],
    [['--leaf-batch-ms', '-5'], /--leaf-batch-ms.*integer from 0 and up.*"-5"/],
    [['--hubs', '1.5'], /--hubs.*"1.5"/],
    [['--overlay', 'ring'], /--overlay.*direct, star.*"ring"/],
    [['--batch', '10'], /Unknown flag --batch/],
    [['--retry-ms'], /Expected a value after --retry-ms/],
    [['fast'], /Unexpected argument "fast"/],
    [['--retry-ms', '5000', '--retry-max-ms', '1000'], /--retry-max-ms \(1000\).*--retry-ms \(5000\)/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseOptions(args), (err: unknown) => err instanceof OptionsError && message.test(err.message), args.join(' '));
  }
});
