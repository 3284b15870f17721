// eddy's broadcast node through many partition seeds in simulation: the
// node under test must never lose an acknowledged message, whatever the
// seed's partitions, at 5 and at 25 nodes. The runs are kept short (a few
// seconds of main phase, partitions every second on average) so that 100
// seeds take seconds of wall time.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { sweep, summarise, type SeedFigures } from '../src/harness/sim.js';
import * as broadcast from '../src/nodes/broadcast/index.js';

const module = fromExports('eddy-broadcast', broadcast as unknown as Record<string, unknown>);

function partitionOptions(over: Partial<TestOptions>): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    bin: 'eddy-broadcast',
    args: [],
    nemesis: ['partition'],
    nemesisIntervalS: 1,
    latencyMs: 50,
    latencyDist: 'exponential',
    quiet: true,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-sim-bc-')),
    ...over,
  } as TestOptions;
}

function describeFailures(figures: readonly SeedFigures[]): string {
  return figures
    .filter((f) => f.exitCode !== 0 || f.lostCount !== 0)
    .map((f) => `seed ${f.seed}: exit ${f.exitCode}, valid ${String(f.valid)}, lost ${String(f.lostCount)}${f.error ? `, ${f.error}` : ''} (${f.dir})`)
    .join('\n');
}

async function partitionSeeds(o: TestOptions, count: number): Promise<void> {
  const figures = await sweep({ options: o, firstSeed: 1, count, module, keepValid: false, removeDir: (d) => fs.rmSync(d, { recursive: true, force: true }) });
  const s = summarise(figures);
  assert.equal(s.runs, count);
  assert.equal(s.lostTotal, 0, describeFailures(figures));
  assert.equal(s.valid, count, describeFailures(figures));
  // The seeds really did differ: partitions move latencies around.
  assert.ok(s.stableLatencyMaxMs !== null && s.stableLatencyMaxMs.max > s.stableLatencyMaxMs.min, 'different seeds gave identical latencies');
  fs.rmSync(o.store, { recursive: true, force: true });
}

test('50 partition seeds at 5 nodes: every acknowledged broadcast is read by every node, nothing lost', async () => {
  await partitionSeeds(partitionOptions({ nodeCount: 5, timeLimitS: 6, rateHz: 20 }), 50);
});

test('50 partition seeds at 25 nodes: nothing lost', async () => {
  await partitionSeeds(partitionOptions({ nodeCount: 25, timeLimitS: 4, rateHz: 20 }), 50);
});
