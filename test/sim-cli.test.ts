// `eddy sim` as a user drives it: a user's own node module via --node, a
// seed sweep that catches a node which never retries and prints the command
// that replays the failing seed (which does replay it), and one clear
// sentence for each way a module or flag can be wrong.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSimArgs, replayCommand, simCommand } from '../src/cli/sim.js';
import { loadNodeModule } from '../src/harness/hosts/inproc.js';
import { simulateInWorker } from '../src/harness/sim.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (name: string): string => path.join(repo, 'test', 'fixtures', 'sim', name);

async function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await simCommand.run(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const tmpStore = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-sim-cli-'));
const QUICK = ['--node-count', '5', '--time-limit', '5', '--rate', '20', '--latency', '30', '--recovery-wait', '5'];

test('a user node module via --node: runs in simulation, valid without faults, files in the store', async () => {
  const store = tmpStore();
  const r = await sim(['-w', 'broadcast', '--node', fixture('no-retry-gossip.mjs'), ...QUICK, '--seed', '3', '--store', store, '--quiet']);
  assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr.slice(-1500));
  assert.match(r.stdout, /Everything looks good/);
  assert.match(r.stdout, /seed 3 \(replay with --seed 3\)/);
  const latest = path.join(store, 'latest');
  for (const f of ['results.json', 'history.jsonl', 'journal.jsonl', 'test.json']) assert.ok(fs.existsSync(path.join(latest, f)), `${f} missing`);
  assert.equal(JSON.parse(fs.readFileSync(path.join(latest, 'test.json'), 'utf8')).seed, 3);
});

test('a node that never retries is caught by a partition seed, and the printed command replays it', async () => {
  const store = tmpStore();
  const args = ['-w', 'broadcast', '--node', fixture('no-retry-gossip.mjs'), ...QUICK, '--nemesis', 'partition', '--nemesis-interval', '1', '--store', store, '--seeds', '12'];
  const r = await sim(args);
  assert.equal(r.code, 1, r.stdout + r.stderr.slice(-2000));
  assert.match(r.stdout, /Summary of 12 seeds/);
  assert.equal([...r.stderr.matchAll(/^\[\d+\/12\] seed \d+: /gm)].length, 12, 'one progress line per seed');
  const failing = [...r.stdout.matchAll(/^ {2}seed (\d+) \(exit/gm)].map((m) => Number(m[1]));
  const latestSeed = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'test.json'), 'utf8')).seed;
  assert.ok(failing.includes(latestSeed), `STORE/latest points at a failing seed's run (got seed ${latestSeed})`);
  const replays = [...r.stdout.matchAll(/^ {4}(eddy sim .*)$/gm)].map((m) => m[1]!);
  assert.ok(replays.length > 0, r.stdout);
  const replayArgs = replays[0]!.split(' ').slice(2);
  assert.ok(!replayArgs.includes('--seeds'));
  const again = await sim([...replayArgs, '--quiet']);
  assert.equal(again.code, 1, 'the replayed seed is invalid again');
  const lost = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'results.json'), 'utf8')).workload['lost-count'];
  assert.ok(lost > 0);
});

test('eddy\'s own broadcast node is the default: a short sweep is valid, exit 0, with the summary table', async () => {
  const store = tmpStore();
  const r = await sim([...QUICK, '--nemesis', 'partition', '--store', store, '--seeds', '3', '--seed', '100']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /valid\s+3 of 3/);
  assert.match(r.stdout, /lost \(min \/ median \/ max\)\s+0 \/ 0 \/ 0/);
  assert.match(r.stdout, /msgs\/op \(min \/ median \/ max\)\s+\d/);
  assert.match(r.stderr, /seeds 100\.\.102/);
});

test('a sweep on worker threads gives each seed the same result as one thread does', async () => {
  const args = ['--node', fixture('no-retry-gossip.mjs'), ...QUICK, '--nemesis', 'partition', '--nemesis-interval', '1', '--seeds', '6', '--keep-all'];
  const one = await sim([...args, '--jobs', '1', '--store', tmpStore()]);
  const two = await sim([...args, '--jobs', '2', '--store', tmpStore()]);
  const table = (out: string): string => out.slice(out.indexOf('Summary'), out.indexOf('Failing')).replace(/\(.* s of wall time\)/, '');
  assert.equal(table(two.stdout), table(one.stdout));
  assert.equal(two.code, one.code);
  assert.match(two.stderr, /6 seeds|seeds 1\.\.6, 2 at a time/);
});

test('-w echo runs eddy\'s echo node by default', async () => {
  const store = tmpStore();
  const r = await sim(['-w', 'echo', '--time-limit', '3', '--rate', '20', '--seed', '1', '--store', store, '--quiet']);
  assert.equal(r.code, 0, r.stdout.slice(-1500));
  assert.equal(JSON.parse(fs.readFileSync(path.join(store, 'latest', 'test.json'), 'utf8')).bin, 'eddy-echo');
  assert.ok(fs.readFileSync(path.join(store, 'latest', 'history.jsonl'), 'utf8').includes('"f":"echo"'));
});

test('a TypeScript module runs uncompiled, its .js imports finding .ts sources, on one thread and on workers alike', async () => {
  const node = path.join(repo, 'test', 'fixtures', 'sim', 'ts', 'readme-node.ts');
  const args = ['-w', 'broadcast', '--node', node, ...QUICK, '--nemesis', 'partition', '--seeds', '4'];
  const one = await sim([...args, '--jobs', '1', '--store', tmpStore()]);
  assert.equal(one.code, 0, one.stdout.slice(-1500) + one.stderr.slice(-1500));
  assert.match(one.stdout, /valid\s+4 of 4/);
  const two = await sim([...args, '--jobs', '2', '--store', tmpStore()]);
  const table = (out: string): string => out.slice(out.indexOf('Summary'), out.indexOf('Every seed')).replace(/\(.* s of wall time\)/, '');
  assert.equal(table(two.stdout), table(one.stdout));
});

test('a TypeScript syntax error names the file and line; CommonJS TypeScript is refused with what to do', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-sim-ts-'));
  const bad = path.join(dir, 'bad-node.ts');
  fs.writeFileSync(bad, '// broken\nexport function createNode(env: unknown) {\n  return env +;\n}\n');
  const a = await sim(['--node', bad, '--store', tmpStore()]);
  assert.equal(a.code, 3);
  assert.match(a.stderr, /--node .*bad-node\.ts could not be loaded: .*bad-node\.ts:3: Expression expected/);
  const b = await sim(['--node', 'my-node.cts', '--store', tmpStore()]);
  assert.equal(b.code, 3);
  assert.match(b.stderr, /--node my-node\.cts is CommonJS TypeScript \(\.cts\).*use \.ts or \.mts/);
});

test('a module without createNode, or a missing file, is named in one sentence', async () => {
  const a = await sim(['--node', fixture('no-create-node.mjs'), '--store', tmpStore()]);
  assert.equal(a.code, 3);
  assert.match(a.stderr, /no-create-node\.mjs does not export a createNode function \(it exports makeNode\)/);
  const b = await sim(['--node', 'no/such/module.mjs', '--store', tmpStore()]);
  assert.equal(b.code, 3);
  assert.match(b.stderr, /--node no\/such\/module\.mjs: no such module/);
});

test('a factory that throws stops the run with exit 3, naming the module and the node', async () => {
  const r = await sim(['--node', fixture('throwing-factory.mjs'), ...QUICK, '--seed', '1', '--store', tmpStore(), '--quiet', '--', '--bogus']);
  assert.equal(r.code, 3, r.stdout);
  assert.match(r.stdout, /createNode of .*throwing-factory\.mjs threw for node n0: unknown argument "--bogus"/);
});

test('bad flags: one sentence, exit 4', async () => {
  for (const [args, pattern] of [
    [['--seeds', '0'], /--seeds expects a whole number of seeds from 1/],
    [['--bin', 'x'], /eddy sim builds nodes in-process from a module: use --node MODULE/],
    [['--rate', 'fast'], /--rate expects a non-negative number/],
    [['--node'], /--node expects a value/],
  ] as const) {
    const r = await sim([...args]);
    assert.equal(r.code, 4, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

test('the replay command keeps every flag and node argument, swapping --seeds for --seed', () => {
  const argv = ['-w', 'broadcast', '--seeds', '50', '--seed', '7', '--jobs', '2', '--rate', '10', '--keep-all', '--', '--profile', 'fast'];
  assert.equal(replayCommand(argv, 23), 'eddy sim -w broadcast --rate 10 --seed 23 -- --profile fast');
  assert.equal(parseSimArgs(argv).seeds, 50);
  assert.equal(parseSimArgs(argv).jobs, 2);
  assert.deepEqual(parseSimArgs(argv).options.args, ['--profile', 'fast']);
});

test('a node that never returns cannot freeze eddy sim: the run stops with exit 3, naming the node and where it is stuck', async () => {
  const before = process.env['EDDY_SIM_STALL_S'];
  process.env['EDDY_SIM_STALL_S'] = '1';
  try {
    const store = tmpStore();
    const args = ['-w', 'broadcast', '--node', fixture('spins.mjs'), '--node-count', '3', '--time-limit', '5', '--rate', '20', '--store', store, '--quiet'];
    const handler = await sim([...args, '--seed', '1', '--', 'handler']);
    assert.equal(handler.code, 3, handler.stdout + handler.stderr);
    assert.match(handler.stdout, /n1 \(.*spins\.mjs\) has not returned from a message handler, entered at virtual time \d+\.\d+ s, for 1 s of wall time; eddy stopped the simulation\. Simulated nodes share one thread/);
    // What the run recorded before it stopped is on disk, and results.json says why it stopped.
    const dir = fs.realpathSync(path.join(store, 'latest'));
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'))['valid?'], 'unknown');
    assert.match(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'), /has not returned from a message handler/);
    assert.ok(fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').includes('"f":"broadcast"'));
    assert.ok(fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').includes('"type":"broadcast"'));

    const timer = await sim([...args, '--seed', '1', '--', 'timer']);
    assert.equal(timer.code, 3);
    assert.match(timer.stdout, /n1 .* has not returned from a timer callback/);
    const later = await sim([...args, '--seed', '1', '--', 'async']);
    assert.equal(later.code, 3);
    assert.match(later.stdout, /no progress for 1 s of wall time; the last node code to run was n1 .*perhaps in an async continuation/);

    // A sweep goes on with a fresh worker after each stuck seed.
    const sweep = await sim([...args, '--seeds', '3', '--jobs', '1']);
    assert.equal(sweep.code, 3);
    assert.match(sweep.stdout, /seeds run\s+3/);
    assert.equal((sweep.stdout.match(/exit 3/g) ?? []).length, 3);
  } finally {
    if (before === undefined) delete process.env['EDDY_SIM_STALL_S'];
    else process.env['EDDY_SIM_STALL_S'] = before;
  }
});

test('an interrupted run whose node never returns is stopped a few seconds after the interrupt', async () => {
  const module = await loadNodeModule(fixture('spins.mjs'));
  const interrupt = new AbortController();
  const options = { ...parseSimArgs(['--node-count', '3', '--time-limit', '5', '--rate', '20', '--store', tmpStore(), '--quiet', '--', 'handler']).options, seed: 1 };
  setTimeout(() => interrupt.abort(), 300);
  const t0 = performance.now();
  const run = await simulateInWorker(options, { ...module, url: module.url! }, { signal: interrupt.signal });
  const s = (performance.now() - t0) / 1000;
  assert.equal(run.figures.exitCode, 3);
  assert.match(run.figures.error ?? '', /interrupted and did not stop within 3 s/);
  assert.ok(s < 6, `took ${s.toFixed(1)} s (the stall limit is 10 s)`);
});

test('node code that exits the thread or throws where nothing catches it ends the run with exit 3, not eddy', async () => {
  const args = ['-w', 'broadcast', '--node', fixture('escapes.mjs'), '--node-count', '3', '--time-limit', '5', '--rate', '20', '--seed', '1', '--quiet'];
  const exited = await sim([...args, '--store', tmpStore(), '--', 'exit']);
  assert.equal(exited.code, 3, exited.stdout + exited.stderr);
  assert.match(exited.stdout, /thread ended in the middle of the run with exit code 1 \(process\.exit in node code\?\); the last node code to run was n1 \(.*escapes\.mjs\), in a message handler/);
  // As a process that dies of an uncaught exception: the node ends with code 1 and its stack on stderr.
  const threw = await sim([...args, '--store', tmpStore(), '--', 'throw']);
  assert.equal(threw.code, 3, threw.stdout + threw.stderr);
  assert.match(threw.stdout, /Node n1 exited with code 1 during the main phase\. Its last stderr lines:\n\s+node n1 crashed: Error: boom in a raw timer/);
  // A sweep reports each such seed and goes on.
  const sweep = await sim(['-w', 'broadcast', '--node', fixture('escapes.mjs'), '--node-count', '3', '--time-limit', '5', '--rate', '20', '--seeds', '2', '--jobs', '1', '--store', tmpStore(), '--', 'exit']);
  assert.equal(sweep.code, 3);
  assert.match(sweep.stdout, /seeds run\s+2/);
});
