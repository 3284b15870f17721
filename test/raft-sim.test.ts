// eddy's Raft lin-kv node (bin/eddy-lin-kv) and two deliberately wrong
// variants of it, on virtual time. The reference node must stay valid at
// three and five nodes, with and without partitions, over several seeds;
// each broken variant must be found non-linearizable by the checker. Runs
// are short (a few seconds of main phase) so the whole file takes seconds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { summarise, sweep, type SeedFigures } from '../src/harness/sim.js';
import { linKv } from '../src/harness/workloads/lin-kv.js';
import * as raftNode from '../src/nodes/raft/index.js';
import { KvStore, parseOptions } from '../src/nodes/raft/index.js';

const module = fromExports('eddy-lin-kv', raftNode as unknown as Record<string, unknown>);

function options(over: Partial<TestOptions>): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    workload: 'lin-kv',
    bin: 'eddy-lin-kv',
    args: [],
    nodeCount: 3,
    concurrency: '2n',
    timeLimitS: 5,
    rateHz: 100,
    recoveryS: 1,
    quiet: true,
    seed: 1,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-sim-raft-')),
    ...over,
  } as TestOptions;
}

function failures(figures: readonly SeedFigures[]): string {
  return figures
    .filter((f) => f.exitCode !== 0)
    .map((f) => `seed ${f.seed}: exit ${f.exitCode}, valid ${String(f.valid)}${f.error ? `, ${f.error}` : ''} (${f.dir})`)
    .join('\n');
}

async function run(o: TestOptions, count: number): Promise<SeedFigures[]> {
  const figures = await sweep({ options: o, firstSeed: 1, count, module, keepValid: false, removeDir: (d) => fs.rmSync(d, { recursive: true, force: true }) });
  return figures;
}

async function allValid(o: TestOptions, count: number): Promise<SeedFigures[]> {
  const figures = await run(o, count);
  assert.equal(summarise(figures).valid, count, failures(figures));
  fs.rmSync(o.store, { recursive: true, force: true });
  return figures;
}

test('the Raft node is lin-kv\'s reference node', () => {
  assert.deepEqual(linKv.defaultNode, { module: 'raft/index.js', bin: 'eddy-lin-kv' });
});

test('flags: bad values are refused with one sentence naming the flag', () => {
  assert.deepEqual(parseOptions(['--heartbeat-ms', '20', '--election-ms', '200']), { heartbeatMs: 20, electionMs: 200 });
  assert.throws(() => parseOptions(['--election-ms', '0']), /--election-ms to be a whole number/);
  assert.throws(() => parseOptions(['--heartbeat-ms', '300', '--election-ms', '300']), /--heartbeat-ms \(300\) to be below --election-ms/);
  assert.throws(() => parseOptions(['--fault', 'nope']), /--fault to be stale-reads or early-ack/);
  assert.throws(() => parseOptions(['--bogus']), /Unknown flag "--bogus"/);
});

test('the state machine: Maelstrom\'s error codes 20 and 22', () => {
  const kv = new KvStore();
  const err = (o: ReturnType<KvStore['apply']>): number => ('err' in o ? o.err.code : -1);
  assert.equal(err(kv.read(1)), 20);
  assert.equal(err(kv.apply({ f: 'cas', key: 1, from: 0, to: 1 })), 20);
  assert.deepEqual(kv.apply({ f: 'write', key: 1, value: 3 }), { ok: { type: 'write_ok' } });
  assert.equal(err(kv.apply({ f: 'cas', key: 1, from: 0, to: 1 })), 22);
  assert.deepEqual(kv.apply({ f: 'cas', key: 1, from: 3, to: 4 }), { ok: { type: 'cas_ok' } });
  assert.deepEqual(kv.read(1), { ok: { type: 'read_ok', value: 4 } });
});

test('one node: valid, no messages between servers', async () => {
  const figures = await allValid(options({ nodeCount: 1 }), 3);
  for (const f of figures) assert.equal(f.serverMsgCount, 0, `seed ${f.seed}`);
});

test('three nodes, 2n, rate 100: 5 seeds valid, most operations answered', async () => {
  const figures = await allValid(options({}), 5);
  for (const f of figures) assert.ok((f.opCount ?? 0) > 300, `seed ${f.seed}: only ${String(f.opCount)} ops`);
});

test('five nodes, 4n, partitions every second: 5 seeds valid', async () => {
  await allValid(options({ nodeCount: 5, concurrency: '4n', nemesis: ['partition'], nemesisIntervalS: 1 }), 5);
});

test('three nodes, partitions, latency 10 exponential: 5 seeds valid', async () => {
  await allValid(options({ nemesis: ['partition'], nemesisIntervalS: 1, latencyMs: 10, latencyDist: 'exponential' }), 5);
});

// The broken variants, each against the same flags the real node passes on the same seeds.
const brokenFlags: Partial<TestOptions> = { nodeCount: 5, timeLimitS: 10, nemesis: ['partition'], nemesisIntervalS: 1 };

test('reads served from local state without the log are found non-linearizable (stale reads)', async () => {
  const o = options({ ...brokenFlags, args: ['--fault', 'stale-reads'] });
  const figures = await run(o, 3);
  fs.rmSync(o.store, { recursive: true, force: true });
  assert.ok(figures.every((f) => f.exitCode === 1 && f.valid === false), figures.map((f) => `seed ${f.seed}: exit ${f.exitCode}`).join(', '));
});

test('writes acknowledged before they commit are found non-linearizable on some of 20 seeds; the real node is valid on them', async () => {
  const o = options({ ...brokenFlags, args: ['--fault', 'early-ack'] });
  const figures = await run(o, 20);
  fs.rmSync(o.store, { recursive: true, force: true });
  const bad = figures.filter((f) => f.exitCode === 1 && f.valid === false).map((f) => f.seed);
  assert.ok(bad.length >= 1, `expected early-ack to be caught on at least one of seeds 1..20, got ${figures.map((f) => `seed ${f.seed}: exit ${f.exitCode}`).join(', ')}`);
  await allValid(options({ ...brokenFlags }), 20);
});

const bin = fileURLToPath(new URL('../../bin/eddy-lin-kv', import.meta.url));

test('bin/eddy-lin-kv as a process: --help, a bad flag from EDDY_LIN_KV_ARGS named, and one node answering with 20 and 22', () => {
  const help = spawnSync(process.execPath, [bin, '--help'], { input: '', encoding: 'utf8', timeout: 10_000 });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: eddy-lin-kv \[--heartbeat-ms N\]/);
  const bad = spawnSync(process.execPath, [bin], { input: '', encoding: 'utf8', timeout: 10_000, env: { ...process.env, EDDY_LIN_KV_ARGS: '--election-ms soon' } });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--election-ms to be a whole number from 1 up, got "soon"/);
  const lines = [
    { src: 'c0', dest: 'n0', body: { type: 'init', msg_id: 1, node_id: 'n0', node_ids: ['n0'] } },
    { src: 'c1', dest: 'n0', body: { type: 'read', msg_id: 1, key: 5 } },
    { src: 'c1', dest: 'n0', body: { type: 'write', msg_id: 2, key: 5, value: 1 } },
    { src: 'c1', dest: 'n0', body: { type: 'cas', msg_id: 3, key: 5, from: 2, to: 3 } },
    { src: 'c1', dest: 'n0', body: { type: 'cas', msg_id: 4, key: 5, from: 1, to: 3 } },
    { src: 'c1', dest: 'n0', body: { type: 'read', msg_id: 5, key: 5 } },
  ];
  const r = spawnSync(process.execPath, [bin], { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.dest === 'c1');
  const to = (id: number) => replies.find((m) => m.body.in_reply_to === id)?.body;
  assert.equal(to(1).code, 20);
  assert.equal(to(2).type, 'write_ok');
  assert.equal(to(3).code, 22);
  assert.equal(to(4).type, 'cas_ok');
  assert.deepEqual(to(5), { type: 'read_ok', value: 3, in_reply_to: 5 });
});

test('five nodes under partition, kill and pause: 10 seeds valid (term, vote and log kept on env.disk across kills)', async () => {
  await allValid(options({ nodeCount: 5, timeLimitS: 10, nemesis: ['partition', 'kill', 'pause'], nemesisIntervalS: 1 }), 10);
});
