// `eddy challenge` and `eddy sim --challenge`: the preset's flags with the
// user's laid over them (and said to be not the challenge's), the
// judgement printed last and recorded in results.json, the exit codes, and
// the judgement on eddy serve's list and run pages. Runs are on virtual
// time (a 3a run takes well under a second of wall time).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { challengeArgv } from '../src/cli/challenge.js';
import { main } from '../src/cli/main.js';
import { findChallenge } from '../src/harness/challenges.js';
import { OptionError } from '../src/harness/options.js';
import { listPage, runPage } from '../src/serve/pages.js';
import { summariseRun } from '../src/serve/runs.js';

function buffers(): { io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (t: string) => ((out += t), true) }, stderr: { write: (t: string) => ((err += t), true) } },
    out: () => out,
    err: () => err,
  };
}

function tempStore(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-challenge-'));
}

describe('laying flags over a challenge', () => {
  const c3d = findChallenge('3d')!;

  test('the page\'s flags come first, so the user\'s win; only differing flags are not the challenge\'s', () => {
    const built = challengeArgv(c3d, ['--bin', 'my-node', '--rate', '50', '--latency=100', '--nemesis', 'partition', '--strict', '--seed', '7', '--', '--profile', 'fast']);
    assert.deepEqual(built.argv, [
      ...c3d.flags,
      '--bin', 'my-node', '--rate', '50', '--latency=100', '--nemesis', 'partition', '--strict', '--seed', '7',
      '--', '--profile', 'fast',
    ]);
    // --latency=100 is the page's own value; --bin, --seed and the node's arguments change nothing judged.
    assert.deepEqual(built.overrides, ['--rate 50', '--nemesis partition', '--strict']);
    assert.deepEqual(built.notices, [
      "--rate 50: not the challenge's flags (challenge 3d has --rate 100).",
      "--nemesis partition: not the challenge's flags (challenge 3d has no --nemesis).",
      "--strict: not the challenge's flags (challenge 3d has no --strict).",
    ]);
  });

  test('-w naming another workload is refused in one sentence; its own workload is fine', () => {
    assert.throws(() => challengeArgv(c3d, ['-w', 'kafka']), (e: unknown) => {
      assert.ok(e instanceof OptionError);
      assert.equal(e.message, 'Challenge 3d is the broadcast workload, so -w kafka cannot replace it (for another workload use eddy test -w kafka)');
      return true;
    });
    assert.deepEqual(challengeArgv(c3d, ['-w', 'broadcast']).overrides, []);
  });
});

describe('eddy sim --challenge', () => {
  test('3a with eddy\'s broadcast node: passed, judgement last, recorded in results.json, exit 0', async () => {
    const store = tempStore();
    const b = buffers();
    const code = await main(['sim', '--challenge', '3a', '--seed', '3', '--store', store, '--quiet'], b.io);
    assert.equal(code, 0, b.err());
    const lines = b.out().trimEnd().split('\n');
    assert.deepEqual(lines.slice(-2), ['Challenge 3a (Single-Node Broadcast) passed: 1 of 1 targets met.', '  valid?  true  true  pass']);
    assert.match(b.err(), /^Challenge 3a \(Single-Node Broadcast\): -w broadcast --node-count 1 --time-limit 20 --rate 10$/m);
    const results = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'results.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(results['challenge'], {
      name: '3a',
      title: 'Single-Node Broadcast',
      page: 'https://fly.io/dist-sys/3a/',
      passed: true,
      targets: [{ target: 'valid?', value: true, measured: 'true', bound: 'true', pass: true }],
      overrides: [],
    });
    const test = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'test.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(test['nodeCount'], 1);
    assert.equal(test['timeLimitS'], 20);
    assert.equal(test['rateHz'], 10);

    // eddy serve: the list and the run page show the challenge and its lines.
    const id = path.relative(store, fs.realpathSync(path.join(store, 'latest'))).split(path.sep).join('/');
    const summary = await summariseRun(store, id);
    assert.equal(summary.challenge?.name, '3a');
    const list = listPage([summary], 'store');
    assert.match(list, /<div class="challenge" data-challenge="3a"><b>3a<\/b> <span class="pass">passed<\/span>/);
    assert.match(list, /<span class="pass">pass<\/span> valid\? true true/);
    const page = runPage({ run: summary, pictures: [], nodeLogs: [], historyHead: '', historyTruncated: false, files: [], pictureNote: null });
    assert.match(page, /<section class="challenge" id="challenge"><h2>Challenge 3a: <a href="https:\/\/fly.io\/dist-sys\/3a\/">Single-Node Broadcast<\/a> <span class="pass">passed<\/span>/);
    assert.match(page, /<tr><th>valid\?<\/th><td class="num">true<\/td><td>true<\/td><td class="pass">pass<\/td><\/tr>/);
  });

  test('3d with the frugal profile: valid, but its latency misses the bounds: exit 5, the lines say which', async () => {
    const store = tempStore();
    const b = buffers();
    const code = await main(['sim', '--challenge', '3d', '--seed', '1', '--store', store, '--quiet', '--', '--profile', 'frugal'], b.io);
    assert.equal(code, 5, b.err());
    const lines = b.out().trimEnd().split('\n').slice(-5);
    assert.equal(lines[0], 'Challenge 3d (Efficient Broadcast, Part I) not passed: 2 of 4 targets met.');
    assert.match(lines[1]!, /^ {2}valid\? +true +true +pass$/);
    assert.match(lines[2]!, /^ {2}msgs-per-op \(servers\) +0\.\d\d +< 30 +pass$/);
    assert.match(lines[3]!, /^ {2}stable latency, median +\d{3,} ms +< 400 ms +FAIL$/);
    assert.match(lines[4]!, /^ {2}stable latency, max +\d{3,} ms +< 600 ms +FAIL$/);
    // The run page and list say so too.
    const id = path.relative(store, fs.realpathSync(path.join(store, 'latest'))).split(path.sep).join('/');
    const summary = await summariseRun(store, id);
    assert.match(listPage([summary], 'store'), /<b>3d<\/b> <span class="fail">not passed<\/span>/);
    // eddy check on the run judges it again, from the results it recomputes.
    const c = buffers();
    const out = path.join(store, 'rechecked.json');
    assert.equal(await main(['check', path.join(store, 'latest'), '--quiet', '--out', out], c.io), 0, c.err());
    assert.match(c.out(), /^Challenge 3d \(Efficient Broadcast, Part I\) not passed: 2 of 4 targets met\.$/m);
    const rechecked = JSON.parse(fs.readFileSync(out, 'utf8')) as { challenge: { passed: boolean; targets: { pass: boolean }[] } };
    assert.deepEqual(rechecked.challenge.targets.map((t) => t.pass), [true, true, false, false]);
  });

  test('a flag given over the preset is printed as not the challenge\'s, on the console and in the judgement', async () => {
    const store = tempStore();
    const b = buffers();
    const code = await main(['sim', '--challenge', '3a', '--seed', '3', '--store', store, '--quiet', '--time-limit', '5'], b.io);
    assert.equal(code, 0, b.err());
    assert.match(b.err(), /^Note: --time-limit 5: not the challenge's flags \(challenge 3a has --time-limit 20\)\.$/m);
    assert.match(b.out(), /^Challenge 3a \(Single-Node Broadcast\) passed with flags that are not the challenge's \(--time-limit 5\): 1 of 1 targets met\.$/m);
    const results = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'results.json'), 'utf8')) as { challenge: { overrides: string[] } };
    assert.deepEqual(results.challenge.overrides, ['--time-limit 5']);
  });

  test('an unknown challenge: one sentence listing the valid ones, exit 4', async () => {
    for (const argv of [['sim', '--challenge', '7a'], ['challenge', '7a', '--bin', 'x']]) {
      const b = buffers();
      assert.equal(await main(argv, b.io), 4);
      assert.equal(b.err(), 'There is no Gossip Glomers challenge "7a"; the challenges are 1, 2, 3a, 3b, 3c, 3d, 3e, 4, 5a, 5b, 5c, 6a, 6b, 6c (eddy challenge --list shows them).\n');
    }
  });
});

describe('eddy challenge', () => {
  test('challenge 1 on real processes (bin/eddy-echo, shortened to 1 s): passed, the shortening said, exit 0', async () => {
    const store = tempStore();
    const b = buffers();
    const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'eddy-echo');
    const code = await main(['challenge', '1', '--bin', bin, '--time-limit', '1', '--store', store, '--quiet'], b.io);
    assert.equal(code, 0, b.err());
    assert.match(b.err(), /^Note: --time-limit 1: not the challenge's flags \(challenge 1 has --time-limit 10\)\.$/m);
    assert.deepEqual(b.out().trimEnd().split('\n').slice(-2), [
      "Challenge 1 (Echo) passed with flags that are not the challenge's (--time-limit 1): 1 of 1 targets met.",
      '  valid?  true  true  pass',
    ]);
    const test = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'test.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([test['workload'], test['nodeCount'], test['timeLimitS']], ['echo', 1, 1]);
  });

  test('--list prints every challenge with its flags, targets and reference node', async () => {
    const b = buffers();
    assert.equal(await main(['challenge', '--list'], b.io), 0);
    const text = b.out();
    assert.match(text, /^3d  Efficient Broadcast, Part I \(https:\/\/fly\.io\/dist-sys\/3d\/\)$/m);
    assert.match(text, /^ {4}flags: {3}-w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100$/m);
    assert.match(text, /^ {4}targets: valid, msgs-per-op < 30, median stable latency < 400 ms, max stable latency < 600 ms$/m);
    assert.match(text, /^ {4}flags: {3}-w txn-rw-register --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total --nemesis partition$/m);
    assert.match(text, /^ {4}solved by eddy's eddy-txn-rw-register/m);
    for (const name of ['1', '2', '3a', '3b', '3c', '3d', '3e', '4', '5a', '5b', '5c', '6a', '6b', '6c']) assert.match(text, new RegExp(`^${name} +\\S`, 'm'));
  });

  test('no --bin: one sentence naming eddy\'s own node for the challenge', async () => {
    const b = buffers();
    assert.equal(await main(['challenge', '5b'], b.io), 4);
    assert.equal(b.err(), "--bin is required: expected the path of the node program to test, e.g. --bin bin/eddy-kafka (eddy's own for challenge 5b; eddy sim --challenge 5b runs it in-process).\n");
  });
});
