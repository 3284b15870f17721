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
