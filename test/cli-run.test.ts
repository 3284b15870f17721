// `bin/eddy test` end to end, on real processes: the real nodes pass, and
// nodes that misbehave on purpose get the right exit code, one clear
// sentence naming the node, and a complete run directory. Runs are short
// (2-3 s, few nodes) to keep npm test fast.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EDDY = path.join(ROOT, 'bin', 'eddy');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  store: string;
}

function eddy(args: string[]): Promise<Result> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-cli-'));
  return new Promise((resolve) => {
    execFile(EDDY, withStore(args, store), { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr, store });
    });
  });
}

/** The args with `--store` before any `--` (what follows `--` goes to the node, not to eddy). */
function withStore(args: string[], store: string): string[] {
  const dash = args.indexOf('--');
  return dash === -1 ? [...args, '--store', store] : [...args.slice(0, dash), '--store', store, ...args.slice(dash)];
}

function latestFiles(store: string): string[] {
  const dir = fs.realpathSync(path.join(store, 'latest'));
  return ['results.json', 'history.jsonl', 'journal.jsonl', 'test.json'].filter((f) => fs.existsSync(path.join(dir, f)));
}

function latestResults(store: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(store, 'latest', 'results.json'), 'utf8'));
}

const FAST = ['--time-limit', '2', '--rate', '10', '--recovery-wait', '1', '--quiet'];

describe('eddy test on real processes', { concurrency: 4 }, () => {
  test('bin/eddy-echo passes the echo workload: exit 0 and Maelstrom\'s happy verdict', async () => {
    const r = await eddy(['test', '-w', 'echo', '--bin', 'bin/eddy-echo', '--node-count', '2', ...FAST]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Everything looks good! ヽ\(‘ー`\)ノ/);
    assert.match(r.stdout, /Results are in .*echo/);
    assert.deepEqual(latestFiles(r.store), ['results.json', 'history.jsonl', 'journal.jsonl', 'test.json']);
  });

  test('bin/eddy-broadcast passes the broadcast workload: exit 0, nothing lost', async () => {
    const r = await eddy(['test', '-w', 'broadcast', '--bin', 'bin/eddy-broadcast', '--node-count', '3', ...FAST, '--time-limit', '3']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const results = latestResults(r.store);
    assert.equal(results['valid?'], true);
    assert.equal((results['workload'] as Record<string, unknown>)['lost-count'], 0);
    // History time 0 is when the last node answered init, as Jepsen's relative time starts after setup;
    // test.json says where that falls on the journal's clock, which starts with the harness.
    const dir = path.join(r.store, 'latest');
    const originNs = JSON.parse(fs.readFileSync(path.join(dir, 'test.json'), 'utf8'))['history-origin-journal-ns'];
    const journal = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const lastInitOk = Math.max(...journal.filter((e) => e.type === 'recv' && e.message.body.type === 'init_ok').map((e) => e.time));
    const firstTopology = Math.min(...journal.filter((e) => e.message.body.type === 'topology').map((e) => e.time));
    assert.ok(originNs >= lastInitOk && originNs <= firstTopology, `origin ${originNs} ns, last init_ok ${lastInitOk}, first topology ${firstTopology}`);
    const first = JSON.parse(fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').split('\n')[0]!);
    assert.ok(first.time < 1e9, `first operation at ${first.time} ns of test time`);
  });

  test('a node that forgets what it acknowledged: exit 1 and "Analysis invalid!"', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'forgetful-broadcast.mjs'), '--node-count', '2', ...FAST]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Analysis invalid! \(ﾉಥ益ಥ）ﾉ ┻━┻/);
    assert.ok(((latestResults(r.store)['workload'] as Record<string, number>)['lost-count'] ?? 0) > 0);
  });

  test('--test-count 3 stops at the first run that is not valid', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'forgetful-broadcast.mjs'), '--node-count', '2', ...FAST, '--test-count', '3']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /=== Test 1 of 3 ===/);
    assert.doesNotMatch(r.stdout, /Test 2 of 3/);
    assert.match(r.stdout, /Stopped after test 1 of 3: it was not valid\./);
    assert.equal(fs.readdirSync(path.join(r.store, 'broadcast')).length, 1);
  });

  test('--test-count 2 of a valid node runs twice, and a workload flag echo does not read is warned about', async () => {
    const r = await eddy(['test', '-w', 'echo', '--bin', 'bin/eddy-echo', '--node-count', '1', ...FAST, '--time-limit', '1', '--test-count', '2', '--key-count', '3']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /=== Test 2 of 2 ===/);
    assert.equal(fs.readdirSync(path.join(r.store, 'echo')).length, 2);
    assert.match(r.stderr, /Warning: -w echo does not use --key-count; it is ignored\./);
  });

  test('a node that prints a non-JSON line: exit 3, the node named and the line quoted, files written', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'prints-garbage.mjs'), '--node-count', '2', ...FAST]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /The run could not be carried out: .*n[01].*this is not JSON/s);
    assert.deepEqual(latestFiles(r.store), ['results.json', 'history.jsonl', 'journal.jsonl', 'test.json']);
    assert.match(String(latestResults(r.store)['error']), /not JSON|JSON/);
  });

  test('a node that crashes after init: exit 3 with its exit code and last stderr line', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'exits-after-init.mjs'), '--node-count', '2', ...FAST]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /Node n[01] exited with code 7 during the main phase\..*panic: cannot handle/s);
    const dir = fs.realpathSync(path.join(r.store, 'latest'));
    const logs = fs.readdirSync(path.join(dir, 'node-logs'));
    assert.ok(logs.some((f) => fs.readFileSync(path.join(dir, 'node-logs', f), 'utf8').includes('panic: cannot handle')));
  });

  test('a node that never answers init: exit 3, "did not respond to init"', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'never-inits.mjs'), '--node-count', '1', '--init-timeout', '5', ...FAST]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /Node n0 did not respond to init within 5 s\./);
    assert.match(r.stdout, /I will not answer/, 'quotes the last stderr lines');
  });

  test('a node that stops reading its stdin: no hang; its operations time out and the verdict is invalid', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'stops-reading.mjs'), '--node-count', '2', ...FAST]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const stats = latestResults(r.store)['stats'] as Record<string, Record<string, Record<string, number>>>;
    assert.equal(stats['by-f']!['read']!['ok-count'], 0);
  });

  test('replies of several megabytes pass through intact', async () => {
    const r = await eddy(['test', '--bin', path.join(FIXTURES, 'huge-reply.mjs'), '--node-count', '1', ...FAST, '--', '3000000']);
    assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  });

  test('a bad flag: exit 4 and one sentence naming flag and value', async () => {
    const r = await eddy(['test', '--bin', 'bin/eddy-echo', '--rate', 'fast']);
    assert.equal(r.code, 4);
    assert.equal(r.stderr, '--rate expects a non-negative number of operations per second, got "fast".\n');
  });

  test('a binary that does not exist: exit 3, named', async () => {
    const r = await eddy(['test', '--bin', 'no/such/node']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no\/such\/node/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('eddy --help and eddy test --help list the commands and the flags', async () => {
    const top = await eddy(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /test\s+Test a node program/);
    const sub = await eddy(['test', '--help']);
    assert.equal(sub.code, 0);
    for (const flag of ['--node-count', '--time-limit', '--rate', '--concurrency', '--latency', '--latency-dist', '--topology', '--nemesis', '--nemesis-interval', '--availability', '--log-stderr', '--seed', '--store']) {
      assert.ok(sub.stdout.includes(flag), `${flag} missing from eddy test --help`);
    }
  });
});
