// Deliberately broken nodes (test/fixtures/broken/ and a few older fixtures)
// run through `bin/eddy test` on real processes. For each: the exit code a
// user would act on, one sentence naming the node and the problem, a
// complete run directory with the harness's own figures, and bounded wall
// time and memory. Runs are short (1-2 s, recovery wait 0) and run four at
// a time, to keep npm test fast.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../src/node/clock.js';
import { ProcessHost } from '../src/harness/hosts/process.js';
import { parseTestArgs } from '../src/cli/flags.js';
import { runTest } from '../src/harness/runner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EDDY = path.join(ROOT, 'bin', 'eddy');
const BROKEN = path.join(ROOT, 'test', 'fixtures', 'broken');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** Maelstrom's client RPC timeout: an operation on a silent node ends this late. */
const RPC_TIMEOUT_S = 5;
/** Start-up, stopping the nodes and writing the files, on a loaded 2-core machine. */
const SLACK_S = 8;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  wallS: number;
  dir: string;
  results: Record<string, unknown>;
  harness: Record<string, number>;
}

async function eddy(bin: string, flags: string[], binArgs: string[] = []): Promise<Run> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-harden-'));
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(EDDY, ['test', '--bin', bin, '--store', store, '--quiet', ...flags, '--', ...binArgs], { cwd: ROOT, timeout: 90_000, maxBuffer: 64 << 20 }, (err, out, errText) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout: out, stderr: errText });
    });
  });
  const wallS = (performance.now() - t0) / 1000;
  const dir = fs.realpathSync(path.join(store, 'latest'));
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
  return { code, stdout, stderr, wallS, dir, results, harness: results['harness'] as Record<string, number> };
}

/** What every run must leave and respect, whatever the node did. */
function assertWellBehaved(r: Run, o: { timeLimitS: number; recoveryS?: number }): void {
  for (const f of ['test.json', 'history.jsonl', 'journal.jsonl', 'results.json', 'harness.json']) {
    assert.ok(fs.existsSync(path.join(r.dir, f)), `${f} missing from ${r.dir}`);
  }
  assert.ok(fs.readdirSync(path.join(r.dir, 'node-logs')).length > 0, 'node logs written');
  assert.equal(typeof r.harness['peak-rss-mb'], 'number', 'results.json has the harness figures');
  assert.ok(r.harness['peak-rss-mb'] < 1024, `harness peak memory ${r.harness['peak-rss-mb']} MiB`);
  // Outstanding operations end within one RPC timeout after the time limit,
  // the final reads within another after the recovery wait.
  const boundS = o.timeLimitS + (o.recoveryS ?? 0) + 2 * RPC_TIMEOUT_S + SLACK_S;
  assert.ok(r.wallS < boundS, `took ${r.wallS.toFixed(1)} s, bound ${boundS} s`);
  assert.ok(r.harness['overrun-s'] < 2 * RPC_TIMEOUT_S + SLACK_S, `overrun ${r.harness['overrun-s']} s`);
}

/** The one-sentence reason printed for a run that could not be carried out. */
function reason(r: Run): string {
  const m = /^The run could not be carried out: (.*)$/m.exec(r.stdout);
  assert.ok(m !== null, `no reason printed:\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
  return m[1]!;
}

function warnings(r: Run): string[] {
  return (r.results['warnings'] as string[] | undefined) ?? [];
}

const QUICK = ['--time-limit', '2', '--rate', '10', '--recovery-wait', '0'];

describe('broken nodes under eddy test', { concurrency: 4 }, () => {
  test('a non-JSON stdout line: exit 3, the node named, the line quoted', async () => {
    const r = await eddy(path.join(FIXTURES, 'prints-garbage.mjs'), ['--node-count', '1', ...QUICK]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(reason(r), /^node n0 wrote a line that is not JSON: "debug: got (read|broadcast) and this is not JSON" \(.*\); log lines belong on stderr$/);
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('JSON without src, dest and body: exit 3, says which field is missing', async () => {
    const r = await eddy(path.join(BROKEN, 'no-envelope.mjs'), ['--node-count', '1', ...QUICK]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(reason(r), /^node n0 wrote a message whose src is not a string \(got nothing\): "\{\\"type\\":\\"(read|broadcast)_ok\\"/);
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('a wrong src that is another node: delivered as Maelstrom does, with a warning; the run goes on and is valid', async () => {
    const r = await eddy(path.join(BROKEN, 'wrong-src.mjs'), ['--node-count', '2', ...QUICK], ['other']);
    assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr);
    assert.ok(warnings(r).some((w) => /^node n0 wrote a message with src "n1" instead of its own id; it is delivered as from n1/.test(w)), warnings(r).join('\n'));
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('a wrong src that is no node: the message cannot be routed, a warning, then the node is reported silent', async () => {
    const r = await eddy(path.join(BROKEN, 'wrong-src.mjs'), ['--node-count', '1', ...QUICK], ['unknown']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(reason(r), /^Node n0 did not answer the topology message within 5 s\./);
    assert.ok(warnings(r).some((w) => /^Node n0 sent a message from n99 to c\d+, but n99 is not in the network \(nodes are n0\)/.test(w)), warnings(r).join('\n'));
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('exits before init_ok with a status: exit 3, its status and last stderr line', async () => {
    const r = await eddy(path.join(BROKEN, 'exits-at-start.mjs'), ['--node-count', '2', ...QUICK]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /The run could not be carried out: Node n[01] exited with code 2 before the test started\. Its last stderr lines:\n {2}fatal: missing configuration file eddy\.toml/);
    assertWellBehaved(r, { timeLimitS: 0 });
  });

  test('killed by a signal before init_ok: exit 3, the signal named', async () => {
    const r = await eddy(path.join(BROKEN, 'exits-at-start.mjs'), ['--node-count', '2', ...QUICK], ['signal']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(reason(r), /^Node n[01] was killed by signal SIGKILL before the test started\. Its last stderr lines:$/);
    assertWellBehaved(r, { timeLimitS: 0 });
  });

  test('never answers init: exit 3 after the init timeout, its stderr quoted', async () => {
    const r = await eddy(path.join(FIXTURES, 'never-inits.mjs'), ['--node-count', '1', '--init-timeout', '5', ...QUICK]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /Node n0 did not respond to init within 5 s\. Its last stderr lines:\n {2}starting, but I will not answer/);
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  for (const how of ['status', 'signal'] as const) {
    test(`dies mid-test (${how}): exit 3, how it ended, in which phase, its last stderr line; history kept`, async () => {
      const r = await eddy(path.join(BROKEN, 'dies-mid-test.mjs'), ['--node-count', '2', ...QUICK], [how]);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const ended = how === 'status' ? 'exited with code 5' : 'was killed by signal SIGKILL';
      assert.match(r.stdout, new RegExp(`Node n[01] ${ended} during the main phase\\. Its last stderr lines:\\n {2}assertion failed: ops=3`));
      const history = fs.readFileSync(path.join(r.dir, 'history.jsonl'), 'utf8').trim().split('\n');
      assert.ok(history.length >= 3, 'the operations before the crash are recorded');
      assertWellBehaved(r, { timeLimitS: 2 });
    });
  }

  test('stops reading stdin: no hang; only its operations time out', async () => {
    const r = await eddy(path.join(FIXTURES, 'stops-reading.mjs'), ['--node-count', '1', ...QUICK]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const stats = r.results['stats'] as Record<string, Record<string, Record<string, number>>>;
    assert.equal(stats['by-f']!['read']!['ok-count'], 0);
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('closes stdout early: a warning naming it; its operations time out; the run ends on time', async () => {
    const r = await eddy(path.join(BROKEN, 'closes-stdout.mjs'), ['--node-count', '1', '--time-limit', '1', '--rate', '10', '--recovery-wait', '0']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(warnings(r).some((w) => /^node n0 closed its stdout but is still running; nothing it sends can arrive/.test(w)), warnings(r).join('\n'));
    assertWellBehaved(r, { timeLimitS: 1 });
  });

  test('sends to a node that does not exist: a warning naming both, the run goes on and is valid', async () => {
    const r = await eddy(path.join(BROKEN, 'unknown-dest.mjs'), ['--node-count', '1', ...QUICK]);
    assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr);
    assert.ok(warnings(r).some((w) => /^Node n0 sent a message from n0 to n42, but n42 is not in the network \(nodes are n0\); the message was dropped: \{"src":"n0","dest":"n42"/.test(w)), warnings(r).join('\n'));
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('floods stderr: every line reaches its log, the run is valid and ends on time', async () => {
    const r = await eddy(path.join(BROKEN, 'stderr-flood.mjs'), ['--node-count', '1', ...QUICK]);
    assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr.slice(-1500));
    const log = path.join(r.dir, 'node-logs', 'n0.log');
    assert.ok(fs.statSync(log).size > 1 << 20, 'megabytes of log');
    assertWellBehaved(r, { timeLimitS: 2 });
  });

  test('a 50 MB message passes through, in bounded memory and time', async () => {
    // Through runTest rather than the CLI: the CLI then draws pictures, which
    // re-reads the journal and is slow on a 50 MB line (src/viz, reported).
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-harden-'));
    const { options } = parseTestArgs(['--bin', path.join(BROKEN, 'huge-message.mjs'), '--node-count', '1', ...QUICK, '--quiet', '--store', store]);
    const outcome = await runTest(options, { clock: new RealClock(), host: new ProcessHost(options.bin, options.args), render: false });
    // Valid, or unknown or invalid when the slow 50 MB read leaves too few operations on a loaded machine; never a failed run.
    assert.equal(outcome.error, null);
    assert.notEqual(outcome.exitCode, 3);
    assert.ok(fs.statSync(path.join(outcome.dir, 'journal.jsonl')).size > 50_000_000, 'the message is in the journal');
    const harness = outcome.results['harness'] as Record<string, number>;
    assert.ok(harness['peak-rss-mb'] < 1024, `peak memory ${harness['peak-rss-mb']} MiB`);
    assert.ok(harness['wall-s'] < 2 + 2 * RPC_TIMEOUT_S + SLACK_S, `took ${harness['wall-s']} s`);
  });

  test('a wrong in_reply_to: replies nobody waits for are warnings, the broadcasts time out as indeterminate', async () => {
    // Seeded: with four operations or so, an unseeded run lists no broadcast at all one time in sixteen (all reads: unknown, exit 2).
    const r = await eddy(path.join(BROKEN, 'wrong-in-reply-to.mjs'), ['--node-count', '1', '--time-limit', '1', '--rate', '5', '--recovery-wait', '0', '--seed', '1']);
    // Not a single broadcast is acknowledged, so the stats checker says invalid.
    assert.equal(r.code, 1, r.stdout.slice(-1500) + r.stderr);
    assert.ok(warnings(r).some((w) => /^Client c\d+ got a message nobody waits for from n0 \(a late or unexpected reply\), ignored: \{"type":"broadcast_ok","in_reply_to":\d+\}/.test(w)), warnings(r).join('\n'));
    const byF = (r.results['stats'] as Record<string, Record<string, Record<string, number>>>)['by-f']!;
    assert.ok(byF['broadcast']!['info-count']! > 0);
    assertWellBehaved(r, { timeLimitS: 1 });
  });

  test('duplicate values in read_ok: invalid, exit 1, the duplicates listed', async () => {
    const r = await eddy(path.join(BROKEN, 'duplicate-read.mjs'), ['--node-count', '1', ...QUICK]);
    assert.equal(r.code, 1, r.stdout.slice(-1500) + r.stderr);
    const workload = r.results['workload'] as Record<string, unknown>;
    assert.ok((workload['duplicated-count'] as number) > 0, JSON.stringify(workload));
    assertWellBehaved(r, { timeLimitS: 2 });
  });
});
