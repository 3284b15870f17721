// unique-ids, g-set, g-counter and pn-counter on virtual time: eddy's
// reference nodes are valid under their Gossip Glomers / CRDT-chapter flags
// with partitions, and the deliberately wrong fixtures are caught by the
// checkers (npm run bench crdt runs 100 seeds each).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate } from '../src/harness/sim.js';
import * as uniqueIdsNode from '../src/nodes/unique-ids.js';
import * as gSetNode from '../src/nodes/g-set.js';
import * as gCounterNode from '../src/nodes/g-counter.js';
import * as pnCounterNode from '../src/nodes/pn-counter.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/sim/', import.meta.url));
const mod = (name: string, m: object): NodeModule => fromExports(name, m as Record<string, unknown>);
const fixture = async (file: string): Promise<NodeModule> => fromExports(file, (await import(path.join(FIXTURES, file))) as Record<string, unknown>);

function options(o: Partial<TestOptions>): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    bin: 'in-process',
    args: [],
    nemesis: [],
    quiet: true,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-crdt-')),
    ...o,
  } as TestOptions;
}

async function run(module: NodeModule, o: Partial<TestOptions>): Promise<Record<string, unknown>> {
  const out = await simulate(options(o), { module, render: false });
  assert.equal(out.error, null, String(out.error));
  return out.results;
}

const workload = (r: Record<string, unknown>): Record<string, unknown> => r['workload'] as Record<string, unknown>;

test('eddy-unique-ids: valid and totally available under challenge 2\'s flags with partitions', async () => {
  for (const seed of [1, 2, 3]) {
    const r = await run(mod('eddy-unique-ids', uniqueIdsNode), { workload: 'unique-ids', seed, timeLimitS: 10, rateHz: 1000, nodeCount: 3, availability: 'total', nemesis: ['partition'] });
    assert.equal(r['valid?'], true, `seed ${seed}: ${JSON.stringify(workload(r))}`);
    assert.ok((workload(r)['acknowledged-count'] as number) > 5000);
  }
});

test('a unique-ids node counting without its node id hands out duplicates, and the checker says so', async () => {
  const r = await run(await fixture('counter-ids.mjs'), { workload: 'unique-ids', seed: 1, timeLimitS: 3, rateHz: 100, nodeCount: 3 });
  assert.equal(r['valid?'], false);
  assert.ok((workload(r)['duplicated-count'] as number) > 0);
});

test('a unique-ids node with node-id prefixes and an in-memory counter is valid while nothing restarts', async () => {
  const r = await run(await fixture('counter-ids.mjs'), { workload: 'unique-ids', seed: 1, timeLimitS: 3, rateHz: 100, nodeCount: 3, nemesis: ['partition'], args: ['prefixed'] });
  assert.equal(r['valid?'], true);
});

test('eddy-g-set: nothing lost under partitions', async () => {
  for (const seed of [1, 2, 3]) {
    const r = await run(mod('eddy-g-set', gSetNode), { workload: 'g-set', seed, timeLimitS: 10, rateHz: 50, nodeCount: 3, latencyMs: 50, nemesis: ['partition'], nemesisIntervalS: 2 });
    assert.equal(r['valid?'], true, `seed ${seed}`);
    assert.equal(workload(r)['lost-count'], 0);
  }
});

test('eddy-g-counter on seq-kv: valid under challenge 4\'s flags, and --strict finds no invented increment', async () => {
  for (const seed of [1, 2, 3]) {
    const r = await run(mod('eddy-g-counter', gCounterNode), { workload: 'g-counter', seed, timeLimitS: 10, rateHz: 100, nodeCount: 3, nemesis: ['partition'], strict: true });
    assert.equal(r['valid?'], true, `seed ${seed}: ${JSON.stringify(workload(r))} ${JSON.stringify(r['strict'])}`);
    assert.equal((r['strict'] as Record<string, unknown>)['valid?'], true);
    const finals = workload(r)['final-reads'] as number[];
    assert.equal(finals.length, 3, 'one final read per worker');
  }
});

test('eddy-pn-counter: valid under partitions with increments and decrements', async () => {
  for (const seed of [1, 2, 3]) {
    const r = await run(mod('eddy-pn-counter', pnCounterNode), { workload: 'pn-counter', seed, timeLimitS: 10, rateHz: 50, nodeCount: 3, latencyMs: 20, nemesis: ['partition'], strict: true });
    assert.equal(r['valid?'], true, `seed ${seed}: ${JSON.stringify(workload(r))}`);
  }
});

test('a counter that only counts locally: final reads disagree with the total, invalid', async () => {
  const r = await run(await fixture('local-counter.mjs'), { workload: 'g-counter', seed: 1, timeLimitS: 3, rateHz: 50, nodeCount: 3 });
  assert.equal(r['valid?'], false);
  assert.ok(((workload(r)['errors'] as unknown[]) ?? []).length > 0);
});

test('a counter that doubles increments: --strict flags its reads during the run, not only the final ones', async () => {
  const strict = await run(await fixture('local-counter.mjs'), { workload: 'g-counter', seed: 2, timeLimitS: 3, rateHz: 50, nodeCount: 1, args: ['double'], strict: true });
  const s = strict['strict'] as { 'valid?': unknown; findings: string[]; 'bad-read-count': number };
  assert.equal(s['valid?'], false);
  assert.ok(s['bad-read-count'] > 1, 'reads during the run, not only the final one');
  assert.match(s.findings[0]!, /is no sum of the adds invoked before it completed/);
  assert.equal(strict['valid?'], false);
});
