// eddy's kafka node and three deliberately wrong variants of it, on virtual
// time. The reference node must stay valid at one and at two nodes, with and
// without partitions, over many seeds; each broken variant must be found
// invalid with its anomaly named. Runs are short (a few seconds of main
// phase) so the whole file takes seconds.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate, summarise, sweep, type SeedFigures } from '../src/harness/sim.js';
import * as kafkaNode from '../src/nodes/kafka/index.js';
import { kafka } from '../src/harness/workloads/kafka.js';

const module = fromExports('eddy-kafka', kafkaNode as unknown as Record<string, unknown>);

function options(over: Partial<TestOptions>): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    workload: 'kafka',
    bin: 'eddy-kafka',
    args: [],
    nodeCount: 2,
    concurrency: '2n',
    timeLimitS: 4,
    rateHz: 300,
    recoveryS: 2,
    quiet: true,
    seed: 1,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-sim-kafka-')),
    ...over,
  } as TestOptions;
}

function failures(figures: readonly SeedFigures[]): string {
  return figures
    .filter((f) => f.exitCode !== 0)
    .map((f) => `seed ${f.seed}: exit ${f.exitCode}, valid ${String(f.valid)}${f.error ? `, ${f.error}` : ''} (${f.dir})`)
    .join('\n');
}

async function seeds(o: TestOptions, count: number): Promise<void> {
  const figures = await sweep({ options: o, firstSeed: 1, count, module, keepValid: false, removeDir: (d) => fs.rmSync(d, { recursive: true, force: true }) });
  const s = summarise(figures);
  assert.equal(s.valid, count, failures(figures));
  fs.rmSync(o.store, { recursive: true, force: true });
}

test('the workload is registered with its flags and reference node', () => {
  assert.equal(kafka.name, 'kafka');
  assert.deepEqual(kafka.flags, ['key-count', 'max-writes-per-key']);
  assert.deepEqual(kafka.defaultNode, { module: 'kafka/index.js', bin: 'eddy-kafka' });
});

test('5a: one node, 20 seeds, valid, nothing between servers', async () => {
  await seeds(options({ nodeCount: 1 }), 20);
});

test('5b/5c: two nodes, 20 seeds, valid', async () => {
  await seeds(options({}), 20);
});

test('5b/5c under partitions every second or so: 20 seeds, valid (availability may drop, validity may not)', async () => {
  await seeds(options({ nemesis: ['partition'], nemesisIntervalS: 1 }), 20);
});

async function broken(fault: string, over: Partial<TestOptions> = {}): Promise<Record<string, unknown>> {
  const o = options({ args: ['--fault', fault], ...over });
  const outcome = await simulate(o, { module, render: false });
  fs.rmSync(o.store, { recursive: true, force: true });
  assert.equal(outcome.exitCode, 1, `expected the ${fault} node to be found invalid`);
  return outcome.results['workload'] as Record<string, unknown>;
}

test('a node giving each node its own offset counter is invalid: inconsistent-offsets', async () => {
  const w = await broken('own-offsets');
  assert.equal(w['valid?'], false);
  assert.ok((w['bad-error-types'] as string[]).includes('inconsistent-offsets'), JSON.stringify(w['error-types']));
});

test('a node that drops a message now and then is invalid: lost-write and unseen', async () => {
  const w = await broken('drop');
  const bad = w['bad-error-types'] as string[];
  assert.ok(bad.includes('lost-write'), JSON.stringify(bad));
  assert.ok(bad.includes('unseen'), JSON.stringify(bad));
});

test('a node whose polls skip an offset is invalid: poll-skip', async () => {
  const w = await broken('skip');
  assert.ok((w['bad-error-types'] as string[]).includes('poll-skip'), JSON.stringify(w['error-types']));
});
