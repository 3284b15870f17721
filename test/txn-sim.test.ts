// The transactional workloads end to end on virtual time: eddy's reference
// nodes pass the Gossip Glomers 6a-6c flags and the Datomic chapter's
// (a few seeds here; bench/txn.ts and `eddy sim --seeds 100` do more), and
// each deliberately wrong node is caught with the anomaly it commits.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate } from '../src/harness/sim.js';
import * as listAppend from '../src/nodes/txn-list-append/index.js';
import * as rwRegister from '../src/nodes/txn-rw-register/index.js';
import * as failedWriteVisible from './fixtures/txn/failed-write-visible.js';
import * as intermediateWrite from './fixtures/txn/intermediate-write.js';
import * as localCopy from './fixtures/txn/local-copy-list-append.js';

const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-txn-sim-'));
after(() => fs.rmSync(store, { recursive: true, force: true }));

const mod = (name: string, m: unknown): NodeModule => fromExports(name, m as Record<string, unknown>);

async function run(module: NodeModule, o: Partial<TestOptions>): Promise<Record<string, any>> {
  const options = { ...DEFAULT_OPTIONS, bin: module.name, quiet: true, store, seed: 1, ...o } as TestOptions;
  const outcome = await simulate(options, { module, render: false });
  return outcome.results as Record<string, any>;
}

const GG6 = { workload: 'txn-rw-register', timeLimitS: 3, rateHz: 1000, concurrency: '2n', availability: 'total' as const };

test('eddy-txn-rw-register: 6c flags (2 nodes, partitions, read-committed) are valid and totally available, seeds 1-2', async () => {
  for (const seed of [1, 2]) {
    const r = await run(mod('eddy-txn-rw-register', rwRegister), { ...GG6, seed, nodeCount: 2, nemesis: ['partition'], nemesisIntervalS: 1, consistencyModels: ['read-committed'] });
    assert.equal(r['valid?'], true, `seed ${seed}: ${JSON.stringify(r['workload']).slice(0, 500)}`);
    assert.equal(r['availability']['ok-fraction'], 1);
    assert.ok(r['stats']['count'] > 2500);
  }
});

test('eddy-txn-rw-register: 6a flags (1 node, read-uncommitted) with every profile', async () => {
  for (const profile of ['fast', 'balanced', 'frugal']) {
    const r = await run(mod('eddy-txn-rw-register', rwRegister), { ...GG6, args: ['--profile', profile], nodeCount: 1, consistencyModels: ['read-uncommitted'] });
    assert.equal(r['valid?'], true, profile);
  }
});

test('eddy-txn-list-append: strict-serializable at 1 node, and at 2 nodes with partitions', async () => {
  const base = { workload: 'txn-list-append', timeLimitS: 5, rateHz: 100, concurrency: '10n' };
  const one = await run(mod('eddy-txn-list-append', listAppend), { ...base, nodeCount: 1 });
  assert.equal(one['valid?'], true, JSON.stringify(one['workload']).slice(0, 500));
  assert.equal(one['availability']['ok-fraction'], 1);
  const two = await run(mod('eddy-txn-list-append', listAppend), { ...base, nodeCount: 2, latencyMs: 10, nemesis: ['partition'], nemesisIntervalS: 1 });
  assert.equal(two['valid?'], true, JSON.stringify(two['workload']).slice(0, 500));
  assert.ok(two['stats']['ok-count'] > 100);
});

function anomalyTypes(r: Record<string, any>): string[] {
  return (r['workload']?.['anomaly-types'] ?? []) as string[];
}

test('a node serving reads from its own unreplicated copy is caught: incompatible-order at 2 nodes', async () => {
  const r = await run(mod('local-copy', localCopy), { workload: 'txn-list-append', nodeCount: 2, timeLimitS: 5, rateHz: 100, concurrency: '2n' });
  assert.equal(r['valid?'], false);
  assert.ok(anomalyTypes(r).includes('incompatible-order'), `anomaly types ${anomalyTypes(r).join(', ')}`);
});

test('a node letting a failed transaction\'s append be read is caught: G1a, even under read-committed', async () => {
  const r = await run(mod('failed-write-visible', failedWriteVisible), { workload: 'txn-list-append', nodeCount: 1, timeLimitS: 5, rateHz: 100, consistencyModels: ['read-committed'] });
  assert.equal(r['valid?'], false);
  assert.ok(anomalyTypes(r).includes('G1a'), `anomaly types ${anomalyTypes(r).join(', ')}`);
  assert.ok(r['stats']['fail-count'] > 0);
});

test('a node exposing a transaction\'s intermediate write is caught: G1b under read-committed', async () => {
  const r = await run(mod('intermediate-write', intermediateWrite), { workload: 'txn-rw-register', nodeCount: 1, timeLimitS: 5, rateHz: 200, concurrency: '2n', consistencyModels: ['read-committed'] });
  assert.equal(r['valid?'], false);
  assert.ok(anomalyTypes(r).includes('G1b'), `anomaly types ${anomalyTypes(r).join(', ')}`);
});
