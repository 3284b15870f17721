// The lin-kv workload: Jepsen's thread groups and key retirement, the
// concurrency rule as one sentence at the command line, the lin-kv service proxy valid
// under partitions on virtual time, and a node with stale local reads caught.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromExports, type NodeModule } from '../src/harness/hosts/inproc.js';
import { parseTestArgs } from '../src/cli/flags.js';
import { DEFAULT_OPTIONS, OptionError, type TestOptions } from '../src/harness/options.js';
import { Rng } from '../src/harness/rng.js';
import { simulate } from '../src/harness/sim.js';
import { LinKvGenerator } from '../src/harness/workloads/lin-kv.js';
import type { DrawContext } from '../src/harness/workloads/workload.js';
import * as linKvNode from '../src/nodes/lin-kv.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/sim/', import.meta.url));

function ctx(worker: number, processOf: (w: number) => number, rng: Rng): DrawContext {
  return { rng, nowMs: 0, workerCount: 20, nodeCount: 5, isFree: () => true, processOf, defaultWorker: worker };
}

test('generator: groups of 2n workers on keys 0, 1, ...; only the first n workers of all read', () => {
  const g = new LinKvGenerator(20, 5);
  const rng = new Rng(1);
  const draws = Array.from({ length: 20 }, (_, w) => g.draw(ctx(w, (x) => x, rng)) as { worker: number; f: string; value: [number, unknown] });
  for (const d of draws) assert.equal(d.value[0], d.worker < 10 ? 0 : 1, `worker ${d.worker} works on its group's key`);
  for (const d of draws) assert.equal(d.f === 'read', d.worker < 5, `worker ${d.worker}: ${d.f}`);
});

test('generator: a group\'s key is retired once more than 20 processes have belonged to it', () => {
  const g = new LinKvGenerator(10, 5);
  const rng = new Rng(2);
  const procs = Array.from({ length: 10 }, (_, w) => w);
  g.draw(ctx(0, (w) => procs[w]!, rng));
  // Worker 7 crashes 10 times: each info gives it a new process (10, 20, 30, ...).
  for (let i = 1; i <= 10; i++) {
    procs[7] = 10 * i + 7;
    const d = g.draw(ctx(7, (w) => procs[w]!, rng)) as { value: [number, unknown] };
    assert.equal(d.value[0], 0, `after ${i} new processes the key is still 0`);
  }
  procs[7] = 117;
  const d = g.draw(ctx(7, (w) => procs[w]!, rng)) as { value: [number, unknown] };
  assert.equal(d.value[0], 1, 'the 21st process retires key 0');
});

test('a concurrency that is not a multiple of 2n is refused with one sentence listing values that work', () => {
  assert.throws(() => parseTestArgs(['-w', 'lin-kv', '--bin', 'x', '--node-count', '3', '--concurrency', '4']), (e: unknown) => {
    assert.ok(e instanceof OptionError);
    assert.match(e.message, /-w lin-kv needs --concurrency to be a multiple of 2n = 6 .* Try --concurrency 2n \(6\), 4n \(12\) or 10n \(30\)/);
    return true;
  });
  assert.doesNotThrow(() => parseTestArgs(['-w', 'lin-kv', '--bin', 'x', '--node-count', '3', '--concurrency', '2n']));
});

function options(o: Partial<TestOptions>): TestOptions {
  return { ...DEFAULT_OPTIONS, bin: 'in-process', args: [], nemesis: [], quiet: true, workload: 'lin-kv', store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-linkv-')), ...o } as TestOptions;
}

test('the lin-kv service proxy (src/nodes/lin-kv.ts) is linearizable under partitions, Maelstrom\'s flags', async () => {
  const module: NodeModule = fromExports('eddy-lin-kv', linKvNode as unknown as Record<string, unknown>);
  for (const seed of [1, 2]) {
    const out = await simulate(options({ seed, nodeCount: 5, concurrency: '10n', timeLimitS: 20, rateHz: 100, nemesis: ['partition'], latencyMs: 10 }), { module, render: false });
    assert.equal(out.results['valid?'], true, `seed ${seed}: ${JSON.stringify(out.results['workload']).slice(0, 300)}`);
  }
});

test('a node answering reads from a local copy serves stale reads: not linearizable, with a picture of the key', async () => {
  const module = fromExports('stale-lin-kv', (await import(path.join(FIXTURES, 'stale-lin-kv.mjs'))) as Record<string, unknown>);
  const out = await simulate(options({ seed: 1, nodeCount: 2, concurrency: '2n', timeLimitS: 10, rateHz: 50 }), { module });
  const w = out.results['workload'] as { 'valid?': unknown; failures: string[]; results: Record<string, { explanation?: string }> };
  assert.equal(w['valid?'], false);
  assert.ok(w.failures.length > 0);
  assert.match(w.results[w.failures[0]!]!.explanation!, /cannot take effect between its invocation and its completion/);
  assert.ok(fs.existsSync(path.join(out.dir, 'lin-kv', `key-${w.failures[0]}.svg`)), 'the failing key is drawn');
});
