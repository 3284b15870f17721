// A message storm on real processes: nodes that forward every gossip to
// every neighbour forever (test/fixtures/broken/storm.mjs) and never answer
// a read. The harness must keep its timers honest (each read fails 5 s after
// it was invoked, not later), end the run on time, hold memory bounded by
// pausing the nodes' output when the network holds too much, and say so.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../src/node/clock.js';
import { ProcessHost } from '../src/harness/hosts/process.js';
import { parseTestArgs } from '../src/cli/flags.js';
import { runTest, type HarnessFigures } from '../src/harness/runner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STORM = path.join(ROOT, 'test', 'fixtures', 'broken', 'storm.mjs');

test('a storm of 10 nodes: reads time out at 5 s, the run ends on time, the backlog is held in check and reported', async () => {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-storm-'));
  const timeLimitS = 2;
  const { options } = parseTestArgs([
    '--bin', STORM, '--node-count', '10', '--time-limit', String(timeLimitS), '--rate', '20', '--recovery-wait', '0', '--quiet', '--store', store, '--', 'deaf-reads',
  ]);
  const t0 = performance.now();
  const outcome = await runTest(options, {
    clock: new RealClock(),
    host: new ProcessHost(options.bin, options.args),
    render: false,
    // A low bound, so that this short storm reaches it (the default is 500,000 messages).
    backlogMax: { messages: 5_000, chars: 64 << 20 },
  });
  const wallS = (performance.now() - t0) / 1000;
  const figures = outcome.results['harness'] as HarnessFigures;

  // Every read fails by timeout, on schedule, however busy the harness is.
  const invoked = new Map<number, number>();
  const readDurationsS: number[] = [];
  for (const op of outcome.history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') invoked.set(op.process, op.time);
    else if (op.f === 'read') readDurationsS.push((op.time - invoked.get(op.process)!) / 1e9);
  }
  assert.ok(readDurationsS.length >= 10, `reads completed: ${readDurationsS.length}`);
  for (const d of readDurationsS) assert.ok(d >= 4.99 && d < 5.75, `a read took ${d.toFixed(3)} s to time out (expected 5 s): ${readDurationsS.map((x) => x.toFixed(2)).join(' ')}`);

  // The storm was real, held back, and said so.
  assert.ok(figures['routed-count'] > 50_000, `routed ${figures['routed-count']}`);
  assert.ok(figures['held-back-count'] >= 1, JSON.stringify(figures));
  // Holding back stops at once: only the rest of the chunk being handled gets past the bound.
  assert.ok(figures['backlog-max'] < 10_000, `backlog peaked at ${figures['backlog-max']}`);
  const warnings = (outcome.results['warnings'] as string[] | undefined) ?? [];
  assert.ok(warnings.some((w) => /^The network holds \d+ undelivered messages .*message storm/.test(w)), warnings.join('\n'));

  // Time limit, one RPC timeout for the operations still running, one for the final reads, then a few seconds.
  assert.ok(wallS < timeLimitS + 5 + 5 + 6, `the run took ${wallS.toFixed(1)} s`);
  assert.ok(figures['peak-rss-mb'] < 1024, `peak memory ${figures['peak-rss-mb']} MiB`);
  assert.equal(JSON.parse(fs.readFileSync(path.join(outcome.dir, 'harness.json'), 'utf8'))['routed-count'], figures['routed-count']);
});
