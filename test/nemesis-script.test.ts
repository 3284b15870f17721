// The scripted nemesis (simulate's `script`): faults at given times, applied
// by the same Nemesis and Net as the random ones and recorded in the history
// as Jepsen records nemesis operations; probes that look inside the run
// without changing it; bad scripts rejected with a sentence naming the step.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { simulate, type SimScriptStep } from '../src/harness/sim.js';
import type { JournalEvent } from '../src/harness/types.js';
import * as broadcast from '../src/nodes/broadcast/index.js';

const module = fromExports('eddy-broadcast', broadcast as unknown as Record<string, unknown>);

function options(over: Partial<TestOptions> = {}): TestOptions & { seed: number } {
  return {
    ...DEFAULT_OPTIONS,
    workload: 'broadcast',
    bin: 'eddy-broadcast',
    args: [],
    nodeCount: 5,
    timeLimitS: 4,
    rateHz: 20,
    latencyMs: 20,
    seed: 3,
    quiet: true,
    store: fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-script-')),
    ...over,
  } as TestOptions & { seed: number };
}

async function run(o: TestOptions, script?: SimScriptStep[]) {
  try {
    const outcome = await simulate(o, { module, render: false, ...(script === undefined ? {} : { script }) });
    const read = (f: string): string => fs.readFileSync(path.join(outcome.dir, f), 'utf8');
    return { outcome, history: read('history.jsonl'), journal: read('journal.jsonl') };
  } finally {
    fs.rmSync(o.store, { recursive: true, force: true });
  }
}

const nemesisOps = (history: string): { f: string; value: unknown; time: number }[] =>
  history
    .split('\n')
    .filter((l) => l.includes('"nemesis"'))
    .map((l) => JSON.parse(l) as { f: string; value: unknown; time: number });

test('isolate n3 at 1 s, heal at 2.5 s: recorded as start/stop-partition, and the network drops what crosses the cut meanwhile', async () => {
  const { outcome, history, journal } = await run(options(), [
    { atS: 1, isolate: ['n3'] },
    { atS: 2.5, heal: true },
  ]);
  assert.equal(outcome.exitCode, 0);
  const ops = nemesisOps(history);
  assert.deepEqual(
    ops.map((o) => [o.f, o.value]),
    [
      ['start-partition', [['n3'], ['n0', 'n1', 'n2', 'n4']]],
      ['start-partition', ['isolated', { n0: ['n3'], n1: ['n3'], n2: ['n3'], n3: ['n0', 'n1', 'n2', 'n4'], n4: ['n3'] }]],
      ['stop-partition', null],
      ['stop-partition', 'network-healed'],
      // Maelstrom's final stop-partition before the recovery wait, whatever the state.
      ['stop-partition', null],
      ['stop-partition', 'network-healed'],
    ],
  );
  assert.ok(Math.abs(ops[0]!.time / 1e9 - 1) < 0.1 && Math.abs(ops[2]!.time / 1e9 - 2.5) < 0.1, `nemesis times ${ops.map((o) => o.time / 1e9).join(', ')}`);
  // Server messages into or out of n3 sent while cut off are never received.
  const events = journal.trim().split('\n').map((l) => JSON.parse(l) as JournalEvent);
  const crossing = (e: JournalEvent): boolean => {
    const { src, dest } = e.message;
    return src.startsWith('n') && dest.startsWith('n') && (src === 'n3') !== (dest === 'n3');
  };
  const sentDuring = events.filter((e) => e.type === 'send' && crossing(e) && e.time > 1.05e9 && e.time < 2.4e9).map((e) => e.message.id);
  assert.ok(sentDuring.length > 0, 'no server message crossed the cut while it was in force');
  const received = new Set(events.filter((e) => e.type === 'recv').map((e) => e.message.id));
  assert.deepEqual(sentDuring.filter((id) => received.has(id)), [], 'messages across the cut arrived');
});

test('kill n1 at 1 s, restart at 2 s: the nemesis ops name n1, and nothing acknowledged is lost', async () => {
  const { outcome, history } = await run(options(), [
    { atS: 1, kill: ['n1'] },
    { atS: 2, restart: true },
  ]);
  assert.equal(outcome.exitCode, 0, JSON.stringify(outcome.results['workload']));
  assert.deepEqual(
    nemesisOps(history).map((o) => [o.f, o.value]),
    [
      ['kill', ['n1']],
      ['kill', { n1: 'killed' }],
      ['restart', null],
      ['restart', { n1: 'started' }],
    ],
  );
});

/** How many entries a node's knowledge vector covers: a pure read, unlike `read()`, which counts as client activity. */
const known = (node: unknown): number => broadcast.gossipOf(node)!.vector().reduce((a, b) => a + b, 0);

test('probes that only read change nothing: the history is the one of the run without a script', async () => {
  const plain = await run(options({ seed: 11 }));
  const seen: number[] = [];
  const probed = await run(options({ seed: 11 }), [
    { atS: 1, probe: (nodes) => seen.push(known(nodes.get('n2'))) },
    { atS: 3, probe: (nodes) => seen.push(known(nodes.get('n2'))) },
  ]);
  assert.equal(seen.length, 2, 'both probes ran');
  assert.ok(seen[0]! > 0 && seen[1]! > seen[0]!, `n2 held ${seen.join(' then ')} values`);
  assert.equal(probed.history, plain.history);
  assert.equal(probed.journal, plain.journal);
});

test('a step after the main phase never runs, as a nemesis op past the time limit', async () => {
  const { history } = await run(options({ timeLimitS: 2 }), [{ atS: 5, isolate: ['n0'] }]);
  // Only the final stop-partition: the isolate was due after the cut-off.
  assert.deepEqual(nemesisOps(history).map((o) => o.f), ['stop-partition', 'stop-partition']);
});

test('a bad script is rejected before the run, naming the step', async () => {
  const o = options();
  try {
    await assert.rejects(simulate(o, { module, script: [{ atS: 1, isolate: ['n9'] }] }), /step 0: isolate names "n9", which is not one of the nodes \(n0, n1, n2, n3, n4\)/);
    await assert.rejects(simulate(o, { module, script: [{ atS: 1, heal: true }, { atS: -1, heal: true }] }), /step 1: expected atS to be a number of seconds >= 0, got -1/);
    await assert.rejects(simulate(o, { module, script: [{ atS: 1, heal: true, isolate: ['n1'] } as unknown as SimScriptStep] }), /step 0: expected exactly one of .*, got isolate and heal/);
    await assert.rejects(simulate({ ...o, nemesis: ['partition'] }, { module, script: [] }), /replaces the random faults, but --nemesis partition was given too/);
    assert.deepEqual(fs.readdirSync(o.store), [], 'a run directory was made');
  } finally {
    fs.rmSync(o.store, { recursive: true, force: true });
  }
});
