// How `eddy test` reads its command line: Maelstrom's flags and defaults,
// and one sentence naming the flag, the value and what is allowed when
// something is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTestArgs } from '../src/cli/flags.js';
import { nodeIds, OptionError, TOPOLOGY_CHOICES, workerCount } from '../src/harness/options.js';
import { TOPOLOGY_NAMES } from '../src/harness/topology.js';

function optionError(argv: string[]): string {
  try {
    parseTestArgs(argv);
  } catch (e) {
    assert.ok(e instanceof OptionError, `expected an OptionError, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`expected ${argv.join(' ')} to be rejected`);
}

test('defaults are Maelstrom\'s', () => {
  const { options } = parseTestArgs(['--bin', 'node.js']);
  assert.equal(options.workload, 'broadcast');
  assert.equal(options.timeLimitS, 60);
  assert.equal(options.rateHz, 5);
  assert.equal(options.concurrency, '1n');
  assert.equal(options.latencyMs, 0);
  assert.equal(options.latencyDist, 'constant');
  assert.equal(options.topology, 'grid');
  assert.deepEqual(options.nemesis, []);
  assert.equal(options.nemesisIntervalS, 10);
  assert.equal(options.availability, null);
  assert.equal(options.recoveryS, 10);
  assert.equal(options.store, 'store');
  assert.deepEqual(nodeIds(options.nodeCount), ['n1', 'n2', 'n3', 'n4', 'n5']);
});

test('the Gossip Glomers 3d command line parses, with node args after --', () => {
  const { options } = parseTestArgs([
    '-w', 'broadcast', '--bin', 'bin/x', '--node-count', '25', '--time-limit', '20', '--rate', '100',
    '--latency', '100', '--nemesis', 'partition', '--concurrency', '2n', '--seed', '42', '--', '--fast', 'yes',
  ]);
  assert.deepEqual(nodeIds(options.nodeCount).slice(0, 3), ['n0', 'n1', 'n2']);
  assert.equal(nodeIds(options.nodeCount).length, 25);
  assert.equal(options.timeLimitS, 20);
  assert.equal(options.rateHz, 100);
  assert.equal(options.latencyMs, 100);
  assert.deepEqual(options.nemesis, ['partition']);
  assert.equal(workerCount(options.concurrency, 25), 50);
  assert.equal(options.seed, 42);
  assert.deepEqual(options.args, ['--fast', 'yes']);
});

test('concurrency K means K workers, Kn means K per node', () => {
  assert.equal(workerCount('3', 5), 3);
  assert.equal(workerCount('1n', 5), 5);
  assert.equal(workerCount('2n', 4), 8);
});

test('a bad value gets one sentence naming flag, value and what is allowed', () => {
  assert.equal(optionError(['--bin', 'x', '--rate', 'fast']), '--rate expects a non-negative number of operations per second, got "fast"');
  assert.equal(optionError(['--bin', 'x', '--topology', 'star']), '--topology expects one of grid, line, tree, tree2, tree3, tree4, total, got "star"');
  assert.equal(optionError(['--bin', 'x', '-w', 'raft']), '--workload expects one of broadcast, echo, unique-ids, g-set, g-counter, pn-counter, kafka, lin-kv, txn-list-append, txn-rw-register, got "raft"');
  assert.match(optionError(['--bin', 'x', '--concurrency', '2x']), /^--concurrency expects .* got "2x"$/);
  assert.match(optionError(['--bin', 'x', '--node-count', '0']), /^--node-count expects a positive whole number of nodes, got "0"$/);
  assert.match(optionError(['--bin', 'x', '--availability', '1.5']), /^--availability expects a number from 0 to 1 or "total", got "1.5"$/);
  assert.equal(optionError(['--bin', 'x', '--nemesis', 'partition,crash']), '--nemesis expects a comma-separated list of faults from partition, kill, pause, partition-one-way, got "partition,crash"');
  assert.match(optionError(['--bin', 'x', '--latency-dist', 'normal']), /^--latency-dist expects one of constant, uniform, exponential, got "normal"$/);
});

test('unknown flags, missing values and a missing --bin are named', () => {
  assert.match(optionError(['--bin', 'x', '--frobnicate']), /^Unknown flag --frobnicate/);
  assert.match(optionError(['--bin', 'x', '--rate']), /^--rate expects a value/);
  assert.match(optionError(['-w', 'echo']), /^--bin is required/);
  assert.match(optionError(['--bin', 'x', 'stray']), /Unexpected argument "stray"/);
});

test('the topology choices are exactly the ones topology.ts implements', () => {
  assert.deepEqual([...TOPOLOGY_CHOICES].sort(), [...TOPOLOGY_NAMES].sort());
});

test('availability accepts total and fractions; nemesis may be empty', () => {
  assert.equal(parseTestArgs(['--bin', 'x', '--availability', 'total']).options.availability, 'total');
  assert.equal(parseTestArgs(['--bin', 'x', '--availability', '0.9']).options.availability, 0.9);
  assert.deepEqual(parseTestArgs(['--bin', 'x', '--nemesis', '']).options.nemesis, []);
});

test('eddy-only switches: the idealised network says it is not Maelstrom, waits can be shortened', () => {
  const { options } = parseTestArgs(['--bin', 'x', '--ideal-network-unlike-maelstrom', '--recovery-wait', '0.5', '--init-timeout', '2', '--quiet', '--log-stderr']);
  assert.equal(options.idealNetworkUnlikeMaelstrom, true);
  assert.equal(options.recoveryS, 0.5);
  assert.equal(options.initTimeoutS, 2);
  assert.equal(options.quiet, true);
  assert.equal(options.logStderr, true);
  assert.equal(optionError(['--bin', 'x', '--quiet=yes']), '--quiet expects no value (it is a switch), got "yes"');
  // A negative number is a value (a bad one here), not a flag; a flag where a value should be is named as such.
  assert.equal(optionError(['--bin', 'x', '--rate', '-5']), '--rate expects a non-negative number of operations per second, got "-5"');
  assert.match(optionError(['--bin', 'x', '--rate', '--quiet']), /^--rate expects a value \(HZ\), but was followed by "--quiet", which looks like a flag/);
  assert.match(optionError(['--bin', 'x', '--rate=-5']), /^--rate expects a non-negative number of operations per second, got "-5"$/);
});

test('a flag pasted with a typographic dash is refused with the flag it should be, never passed to the node', () => {
  for (const argv of [
    ['--bin', 'n.js', '\u2013-nemesis', 'partition'],
    ['--bin', 'n.js', '\u2014nemesis', 'partition'],
    ['--bin', 'n.js', '--', '\u2014nemesis', 'partition'],
  ]) {
    assert.throws(() => parseTestArgs(argv), (e: unknown) => e instanceof OptionError && /did you mean `--nemesis`\?/.test(e.message), argv.join(' '));
  }
});

test('--consistency-models takes names split by commas or spaces; the workload judges whether they are known', () => {
  const { options } = parseTestArgs(['--bin', 'n.js', '--consistency-models', 'serializable,snapshot-isolation']);
  assert.deepEqual(options.consistencyModels, ['serializable', 'snapshot-isolation']);
  const spaced = parseTestArgs(['--bin', 'n.js', '--consistency-models', 'serializable , read-committed']);
  assert.deepEqual(spaced.options.consistencyModels, ['serializable', 'read-committed']);
});
