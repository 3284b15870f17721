// A simulated run is a pure function of its flags and seed: the same seed
// twice gives byte-identical history.jsonl, journal.jsonl and results.json
// (and node logs); another seed gives another history.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fromExports, InProcHost } from '../src/harness/hosts/inproc.js';
import { VirtualClock } from '../src/node/clock.js';
import { Node, type NodeEnv } from '../src/node/index.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate } from '../src/harness/sim.js';
import * as broadcast from '../src/nodes/broadcast/index.js';

const module = fromExports('eddy-broadcast', broadcast as unknown as Record<string, unknown>);

function options(seed: number): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    bin: 'eddy-broadcast',
    args: ['--profile', 'fast'],
    nemesis: ['partition'],
    nemesisIntervalS: 1,
    nodeCount: 7,
    timeLimitS: 5,
    rateHz: 30,
    latencyMs: 40,
    latencyDist: 'exponential',
    recoveryS: 5,
    quiet: true,
    seed,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-sim-det-')),
  } as TestOptions;
}

const FILES = ['history.jsonl', 'journal.jsonl', 'results.json', 'node-logs/n0.log', 'node-logs/n6.log'];

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

test('the same seed twice: byte-identical history, journal, results and node logs', async () => {
  const a = await simulate(options(42), { module, startedAt: new Date(0) });
  const b = await simulate(options(42), { module, startedAt: new Date(1) });
  assert.equal(a.error, null);
  assert.ok(read(a.dir, 'journal.jsonl').split('\n').length > 500, 'a run with real traffic');
  assert.ok(read(a.dir, 'history.jsonl').includes('start-partition'), 'partitions happened');
  for (const f of FILES) {
    const x = read(a.dir, f);
    const y = read(b.dir, f);
    assert.ok(x === y, `${f} differs between two runs of seed 42 (${a.dir} vs ${b.dir})`);
  }
  // test.json differs only in where the run was stored.
  const testJson = (dir: string): unknown => ({ ...JSON.parse(read(dir, 'test.json')), store: null });
  assert.deepEqual(testJson(a.dir), testJson(b.dir));
});

test('different seeds: different histories and journals', async () => {
  const a = await simulate(options(1), { module });
  const b = await simulate(options(2), { module });
  assert.notEqual(read(a.dir, 'history.jsonl'), read(b.dir, 'history.jsonl'));
  assert.notEqual(read(a.dir, 'journal.jsonl'), read(b.dir, 'journal.jsonl'));
});

test('each node gets its own random stream, fixed by the seed and the node id', () => {
  const firstDraws = (seed: number): Record<string, number[]> => {
    const drawn: Record<string, number[]> = {};
    let current = '';
    const recorder = fromExports('recorder', {
      createNode: (env: NodeEnv) => {
        drawn[current] = [env.random!(), env.random!()];
        return new Node({ transport: env.transport, clock: env.clock, random: env.random });
      },
    });
    const host = new InProcHost({ module: recorder, clock: new VirtualClock(), seed });
    const handlers = { onLine: () => {}, onStderr: () => {}, onExit: () => {} };
    for (const id of ['n1', 'n2']) {
      current = id;
      host.start(id, handlers);
    }
    return drawn;
  };
  const a = firstDraws(5);
  assert.deepEqual(firstDraws(5), a, 'same seed, same draws');
  assert.notDeepEqual(a['n1'], a['n2'], 'two nodes share a stream');
  assert.notDeepEqual(firstDraws(6)['n1'], a['n1'], 'the seed does not reach the nodes');
});

/**
 * A careless node: it times its gossip with Date.now() and performance.now(),
 * jitters it with Math.random(), and writes all three into its messages.
 */
const careless = fromExports('careless', {
  createNode: (env: NodeEnv) => {
    const node = new Node({ transport: env.transport, clock: env.clock });
    const seen = new Set<unknown>();
    let peers: string[] = [];
    let lastGossip = Date.now();
    node.on('topology', (req) => {
      peers = req.body.topology[node.nodeId] ?? [];
      return { type: 'topology_ok' };
    });
    node.on('broadcast', (req) => {
      seen.add(req.body.message);
      return { type: 'broadcast_ok' };
    });
    node.on('read', () => ({ type: 'read_ok', messages: [...seen] }));
    node.on('gossip', (req) => {
      for (const m of req.body.messages as unknown[]) seen.add(m);
    });
    node.every(50, () => {
      if (Date.now() - lastGossip < 200 + Math.random() * 100) return;
      lastGossip = Date.now();
      for (const peer of peers) node.send(peer, { type: 'gossip', messages: [...seen], at: Date.now(), mono: performance.now(), jitter: Math.random() });
    });
    return node;
  },
});

test('a node that reads Date.now, performance.now and Math.random is still replayable: they answer from the seed and virtual time', async () => {
  const realRandom = Math.random;
  const realDateNow = Date.now;
  const a = await simulate({ ...options(5), args: [] }, { module: careless, startedAt: new Date(0) });
  const b = await simulate({ ...options(5), args: [] }, { module: careless, startedAt: new Date(1) });
  assert.equal(a.error, null);
  assert.equal(read(a.dir, 'journal.jsonl'), read(b.dir, 'journal.jsonl'));
  assert.equal(read(a.dir, 'history.jsonl'), read(b.dir, 'history.jsonl'));
  // Gossip carried virtual time: Date.now() starts at 2000-01-01 and moves with the virtual clock.
  const gossip = read(a.dir, 'journal.jsonl').split('\n').filter((l) => l.includes('"gossip"')).map((l) => JSON.parse(l).message.body);
  assert.ok(gossip.length > 50, 'the node gossiped');
  const epoch = Date.UTC(2000, 0, 1);
  for (const body of gossip) {
    assert.ok(body.at >= epoch && body.at < epoch + 60_000, `Date.now() ${body.at} is virtual`);
    assert.ok(Math.abs(body.at - epoch - body.mono) < 1, 'Date.now and performance.now agree');
    assert.ok(body.jitter >= 0 && body.jitter < 1);
  }
  // Every 200-300 ms per node in virtual time: a 15 s run has about 15 / 0.25 rounds, not thousands.
  const rounds = new Set(gossip.map((g) => g.at)).size;
  assert.ok(rounds < 7 * 80, `${rounds} gossip rounds`);
  assert.equal(read(a.dir, 'results.json').includes('"valid?": true'), true);
  // And everything is put back afterwards.
  assert.equal(Math.random, realRandom);
  assert.equal(Date.now, realDateNow);
  assert.ok(performance.now() > 0 && Date.now() > Date.UTC(2026, 0, 1));
});

test('two simulations at once in one thread are refused, naming both', async () => {
  const first = simulate(options(8), { module });
  await assert.rejects(simulate(options(9), { module }), /cannot simulate seed 9 of eddy-broadcast while seed 8 of eddy-broadcast is being simulated in the same thread/);
  assert.equal((await first).error, null);
});
