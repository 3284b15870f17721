// Every flag of eddy test, eddy sim and eddy serve rejects a bad value with
// one sentence naming the flag and the value, and exit code 4; an unknown
// subcommand is named. (test/cli-flags.test.ts holds what is true of the
// flags table as a whole, for every command.) Table-driven, in-process through the CLI's main().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { flagsOf } from '../src/cli/flags.js';

/** The value a case gives its flag: the last argument, or what follows '='. */
function badValue(args: string[]): string {
  const last = args[args.length - 1]!;
  if (args.length === 1) return last.includes('=') ? last.slice(last.indexOf('=') + 1) : '';
  return last;
}

async function eddy(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** [flag, bad arguments, what the sentence must say is allowed]; the sentence must also name the flag and quote the value. */
const TEST_CASES: [string, string[], RegExp][] = [
  ['--workload', ['-w', 'raft'], /broadcast, echo, unique-ids/],
  ['--workload', ['--workload', 'raft'], /broadcast, echo, unique-ids/],
  ['--bin', ['--bin', ''], /required|path/],
  ['--node-count', ['--node-count', '0'], /positive whole number/],
  ['--node-count', ['--node-count', '2.5'], /"2\.5"/],
  ['--node-count', ['--node-count', 'five'], /"five"/],
  ['--time-limit', ['--time-limit', '-3'], /"-3"|-3/],
  ['--time-limit', ['--time-limit', 'soon'], /positive number of seconds/],
  ['--rate', ['--rate', 'fast'], /non-negative number/],
  ['--rate', ['--rate', 'Infinity'], /"Infinity"/],
  ['--concurrency', ['--concurrency', '0n'], /"0n"/],
  ['--concurrency', ['--concurrency', 'n'], /"n"/],
  ['--latency', ['--latency', '-1'], /-1/],
  ['--latency', ['--latency', '100ms'], /milliseconds/],
  ['--latency-dist', ['--latency-dist', 'normal'], /constant, uniform, exponential/],
  ['--topology', ['--topology', 'ring'], /grid, line, tree/],
  ['--nemesis', ['--nemesis', 'crash'], /comma-separated list of faults from partition, kill, pause, partition-one-way, got "crash"/],
  ['--nemesis-interval', ['--nemesis-interval', '0'], /positive number/],
  ['--availability', ['--availability', '2'], /0 to 1.*total/],
  ['--availability', ['--availability', 'most'], /"most"/],
  ['--key-count', ['--key-count', '0'], /positive whole number of keys.*"0"/],
  ['--max-txn-length', ['--max-txn-length', 'x'], /positive whole number.*"x"/],
  ['--max-writes-per-key', ['--max-writes-per-key', '-1'], /"-1"|expects a value/],
  ['--consistency-models', ['--consistency-models', ' , '], /model names/],
  ['--test-count', ['--test-count', '1.5'], /positive whole number of runs.*"1\.5"/],
  ['--strict', ['--strict=yes'], /switch.*"yes"/],
  ['--log-stderr', ['--log-stderr=yes'], /switch.*"yes"/],
  ['--log-net-send', ['--log-net-send=1'], /switch.*"1"/],
  ['--log-net-recv', ['--log-net-recv=true'], /switch.*"true"/],
  ['--seed', ['--seed', 'abc'], /non-negative whole number/],
  ['--seed', ['--seed', '1.5'], /"1\.5"/],
  ['--seed', ['--seed', '99999999999999999999'], /"99999999999999999999"/],
  ['--store', ['--store', ''], /""/],
  ['--quiet', ['--quiet=no'], /switch.*"no"/],
  ['--ideal-network-unlike-maelstrom', ['--ideal-network-unlike-maelstrom=1'], /switch.*"1"/],
  ['--recovery-wait', ['--recovery-wait', '-10'], /-10/],
  ['--recovery-wait', ['--recovery-wait', 'ten'], /"ten"/],
  ['--init-timeout', ['--init-timeout', '0'], /positive number/],
  ['--lateness', ['--lateness', 'slow'], /strength from 0 to 10.*"slow"/],
  ['--lateness', ['--lateness', '11'], /strength from 0 to 10.*"11"/],
  ['--ideal-rate', ['--ideal-rate=1'], /switch.*"1"/],
  ['--ideal-rate', ['--ideal-rate', '--lateness', '2'], /--ideal-rate and --lateness 2 contradict/],
  ['--help', ['--help=please'], /switch.*"please"/],
];

test('eddy test: every flag has a bad-value case in this table', () => {
  const covered = new Set(TEST_CASES.map(([flag]) => flag));
  for (const f of flagsOf('test')) assert.ok(covered.has(`--${f.flag}`), `--${f.flag} has no bad-value case`);
});

for (const [flag, args, expected] of TEST_CASES) {
  test(`eddy test ${args.join(' ')}: exit 4, one sentence naming ${flag}`, async () => {
    const argv = flag === '--bin' ? ['test', ...args] : ['test', '--bin', 'bin/eddy-echo', ...args];
    const r = await eddy(argv);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(flag), `${JSON.stringify(r.stderr)} does not name ${flag}`);
    assert.ok(r.stderr.includes(badValue(args)), `${JSON.stringify(r.stderr)} does not quote the value`);
    assert.match(r.stderr, expected);
  });
}

test('eddy test: a flag without its value, and an unknown flag, are named', async () => {
  for (const [argv, pattern] of [
    [['test', '--bin', 'bin/eddy-echo', '--rate'], /^--rate expects a value \(HZ\), but none was given\.$/],
    [['test', '--bin', 'bin/eddy-echo', '--rate', '--quiet'], /^--rate expects a value \(HZ\), but was followed by "--quiet", which looks like a flag/],
    [['test', '--bin', 'bin/eddy-echo', '--speed', '3'], /^Unknown flag --speed; see eddy test --help/],
    [['test', '--bin', 'bin/eddy-echo', 'extra'], /^Unexpected argument "extra": arguments for the node program go after --/],
  ] as [string[], RegExp][]) {
    const r = await eddy(argv);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr.trim(), pattern);
  }
});

/** eddy sim's own flags, and eddy test's flags as eddy sim takes them. */
const SIM_CASES: [string, string[], RegExp][] = [
  ['--node', ['--node', ''], /""/],
  ['--node', ['--node'], /expects a value/],
  ['--seeds', ['--seeds', '0'], /1 to/],
  ['--seeds', ['--seeds', 'many'], /"many"/],
  ['--jobs', ['--jobs', '0'], /1 to/],
  ['--jobs', ['--jobs', '65'], /"65"/],
  ['--bin', ['--bin', 'bin/eddy-echo'], /--node MODULE/],
  ['--rate', ['--rate', 'fast'], /"fast"/],
  ['--seed', ['--seed', '-4'], /-4/],
  ['--topology', ['--topology', 'star'], /"star"/],
];

for (const [flag, args, expected] of SIM_CASES) {
  test(`eddy sim ${args.join(' ')}: exit 4, one sentence naming ${flag}`, async () => {
    const r = await eddy(['sim', ...args]);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(flag), `${JSON.stringify(r.stderr)} does not name ${flag}`);
    // --bin is refused whatever its value: the sentence says what to use instead.
    if (flag !== '--bin') assert.ok(r.stderr.includes(badValue(args)), `${JSON.stringify(r.stderr)} does not quote the value`);
    assert.match(r.stderr, expected);
  });
}

const SERVE_CASES: [string, string[], RegExp][] = [
  ['--port', ['--port', '70000'], /0 to 65535/],
  ['--port', ['--port', 'http'], /"http"/],
  ['--port', ['--port'], /^--port expects a value \(PORT\), but none was given\.\n$/],
  ['--host', ['--host', ''], /""/],
  ['--host', ['--host', 'my host'], /"my host"/],
  ['--store', ['--store', ''], /""/],
  ['--store', ['--store', '/no/such/store/dir'], /"\/no\/such\/store\/dir".*not a directory/],
  ['--verbose', ['--verbose'], /^Unknown flag --verbose; see eddy serve --help/],
];

for (const [flag, args, expected] of SERVE_CASES) {
  test(`eddy serve ${args.join(' ')}: exit 4, one sentence naming ${flag}`, async () => {
    const r = await eddy(['serve', ...args]);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(flag), `${JSON.stringify(r.stderr)} does not name ${flag}`);
    assert.ok(r.stderr.includes(badValue(args)), `${JSON.stringify(r.stderr)} does not quote the value`);
    assert.match(r.stderr, expected);
  });
}

test('an unknown subcommand is named, with the ones that exist; no subcommand prints the usage', async () => {
  const r = await eddy(['tset', '--bin', 'x']);
  assert.equal(r.code, 4);
  assert.equal(r.stderr, 'Unknown command "tset"; eddy knows test, challenge, sim, check, serve (see eddy --help).\n');
  const none = await eddy([]);
  assert.equal(none.code, 4);
  assert.match(none.stdout, /^Usage: eddy COMMAND/);
});
