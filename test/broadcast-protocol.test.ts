// The broadcast protocol in virtual time: eddy's broadcast node run by
// simulate() (the harness, network, generator and set-full checker of any
// other run) with and without partitions, scripted or random. Nothing
// acknowledged may be lost, reads list each value once, and partitions must
// not blow up the message bill. Every figure comes from the run's results
// and history; probes (callbacks at a virtual time) look inside the nodes
// where a test needs what no client could see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromExports, type RunnableNode } from '../src/harness/hosts/inproc.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { figuresOf, simulate, type SimScriptStep } from '../src/harness/sim.js';
import type { Op } from '../src/harness/types.js';
import * as broadcast from '../src/nodes/broadcast/index.js';
import { PROFILES } from '../src/nodes/broadcast/options.js';
import { canonicalKey } from '../src/nodes/broadcast/store.js';
import { Gossip, type GossipBody } from '../src/nodes/broadcast/gossip.js';
import { VirtualClock } from '../src/node/clock.js';

const module = fromExports('eddy-broadcast', broadcast as unknown as Record<string, unknown>);

/** 10 nodes, 8 s at 50 ops/s, 100 ms between servers; then the workload's 10 s recovery and final reads. */
const SMALL: Partial<TestOptions> = { nodeCount: 10, timeLimitS: 8, rateHz: 50, latencyMs: 100 };

interface Run {
  results: Record<string, unknown>;
  history: readonly Op[];
  /** The results' set-full part ("workload"). */
  workload: Record<string, unknown>;
  broadcastCount: number;
  opCount: number;
  msgsPerOp: number;
  /** The last read of each client process: the final reads. */
  finalReads: unknown[][];
  /** Most entries any server-to-server message carried, from the journal. */
  maxEntriesSeen: number;
}

/** One simulated run of the broadcast node with `nodeArgs`, its files in a temp dir that is removed afterwards. */
async function run(nodeArgs: string[], over: Partial<TestOptions> = {}, script?: SimScriptStep[]): Promise<Run> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bc-proto-'));
  const options = { ...DEFAULT_OPTIONS, workload: 'broadcast', bin: 'eddy-broadcast', seed: 1, ...SMALL, ...over, args: nodeArgs, quiet: true, store } as TestOptions;
  try {
    const outcome = await simulate(options, { module, render: false, ...(script === undefined ? {} : { script }) });
    assert.equal(outcome.error, null);
    const figures = figuresOf(outcome, 0, 'broadcast');
    const workload = outcome.results['workload'] as Record<string, unknown>;
    const last = new Map<number | 'nemesis', Op>();
    for (const op of outcome.history) if (op.f === 'read' && op.type === 'ok') last.set(op.process, op);
    let maxEntriesSeen = 0;
    for (const line of fs.readFileSync(path.join(outcome.dir, 'journal.jsonl'), 'utf8').split('\n')) {
      if (!line.includes('"gossip"')) continue;
      const body = (JSON.parse(line) as { message: { body: GossipBody } }).message.body;
      maxEntriesSeen = Math.max(maxEntriesSeen, body.e?.length ?? 0);
    }
    return {
      results: outcome.results,
      history: outcome.history,
      workload,
      broadcastCount: workload['attempt-count'] as number,
      opCount: figures.opCount!,
      msgsPerOp: figures.msgsPerOp!,
      finalReads: [...last.values()].map((op) => op.value as unknown[]),
      maxEntriesSeen,
    };
  } finally {
    fs.rmSync(store, { recursive: true, force: true });
  }
}

/** Every value the clients broadcast (the workload's 0, 1, 2, ...). */
function broadcastValues(r: Run): unknown[] {
  return r.history.filter((op) => op.f === 'broadcast' && op.type === 'invoke').map((op) => op.value);
}

/** Asserts nothing was lost (set-full) and every final read holds exactly the broadcast values, each once. */
function assertNothingLost(r: Run, expected: unknown[] = broadcastValues(r)): void {
  assert.equal(r.workload['lost-count'], 0, `lost ${JSON.stringify(r.workload['lost'])}`);
  assert.equal(r.results['valid?'], true);
  const want = [...new Set(expected.map(canonicalKey))].sort();
  assert.equal(r.finalReads.length, 10, 'one final read per client');
  for (const [i, read] of r.finalReads.entries()) {
    const got = read.map(canonicalKey);
    assert.equal(new Set(got).size, got.length, `final read ${i} lists a value twice`);
    assert.deepEqual(got.sort(), want, `final read ${i} differs from the broadcast set`);
  }
}

/** The Gossip engine of node `id` (a probe's view inside the run). */
function engine(nodes: ReadonlyMap<string, RunnableNode>, id: string): Gossip {
  const g = broadcast.gossipOf(nodes.get(id));
  assert.ok(g !== null, `${id} has no engine (not initialised?)`);
  return g;
}

for (const profile of PROFILES) {
  test(`${profile}: with no faults every broadcast reaches every node`, async () => {
    const r = await run(['--profile', profile]);
    assert.ok(r.broadcastCount > 100, `only ${r.broadcastCount} broadcasts`);
    assert.equal(r.workload['stable-count'], r.broadcastCount);
    assertNothingLost(r);
  });

  test(`${profile}: leaf n3 isolated for 5 s, then healed: nothing is lost`, async () => {
    const r = await run(['--profile', profile], {}, [
      { atS: 1, isolate: ['n3'] },
      { atS: 6, heal: true },
    ]);
    assertNothingLost(r);
  });

  test(`${profile}: the hub n0 isolated until the end of the main phase: nothing is lost`, async () => {
    // No heal: Maelstrom's final stop-partition ends it at the time limit.
    const r = await run(['--profile', profile], {}, [{ atS: 2, isolate: ['n0'] }]);
    assertNothingLost(r);
  });

  test(`${profile}: random partitions lose nothing and at most double the messages per operation`, async () => {
    for (const seed of [1, 2, 3]) {
      const calm = await run(['--profile', profile], { timeLimitS: 20, seed });
      const rough = await run(['--profile', profile], { timeLimitS: 20, seed, nemesis: ['partition'], nemesisIntervalS: 3 });
      assert.ok(rough.history.some((op) => op.f === 'start-partition'), `seed ${seed}: no partition happened`);
      assertNothingLost(rough);
      assert.ok(rough.msgsPerOp <= 2 * calm.msgsPerOp,
        `seed ${seed}: ${rough.msgsPerOp.toFixed(2)} msgs/op under partitions vs ${calm.msgsPerOp.toFixed(2)} without`);
    }
  });
}

test('balanced: leaves cut off from the hub keep exchanging through the fall-back hub', async () => {
  let failingOver: number | null = null;
  let relayedBeforeHeal: boolean | null = null;
  await run(['--profile', 'balanced'], {}, [
    { atS: 1, isolate: ['n0'] },
    { atS: 7, heal: true },
    // Not a client operation: the workload broadcasts integers, and this is a value to follow.
    { atS: 3, probe: (nodes) => engine(nodes, 'n5').broadcast('from n5 during the partition') },
    { atS: 5, probe: (nodes) => { failingOver = [...nodes.keys()].filter((id) => engine(nodes, id).failingOver).length; } },
    { atS: 5, probe: (nodes) => { relayedBeforeHeal = engine(nodes, 'n7').read().includes('from n5 during the partition'); } },
  ]);
  // Under load every leaf has messages the hub cannot acknowledge, so all nine switch.
  assert.equal(failingOver, 9, 'leaves relaying through the fall-back hub');
  assert.equal(relayedBeforeHeal, true, 'n7 did not get n5\'s message while the hub was cut off');
});

test('balanced: a quiet leaf whose clients only read also switches when the hub goes silent', async () => {
  // No generated load (rate 0): n7's "clients" are the probes' reads, as the node's read handler does them.
  const reads: SimScriptStep[] = Array.from({ length: 30 }, (_, i) => ({ atS: 1 + i * 0.2, probe: (nodes) => { engine(nodes, 'n7').read(); } }));
  let relayedBeforeHeal: boolean | null = null;
  await run(['--profile', 'balanced'], { rateHz: 0 }, [
    { atS: 1, isolate: ['n0'] },
    { atS: 0.5, probe: (nodes) => engine(nodes, 'n3').broadcast('before the partition') },
    ...reads,
    { atS: 2, probe: (nodes) => engine(nodes, 'n5').broadcast('from n5 during the partition') },
    { atS: 6, probe: (nodes) => { relayedBeforeHeal = engine(nodes, 'n7').read().includes('from n5 during the partition'); } },
  ]);
  assert.equal(relayedBeforeHeal, true, 'n7 (reading, never broadcasting) did not get n5\'s message while the hub was cut off');
});

test('any JSON value can be broadcast; equal values (as JSON) are kept once', async () => {
  // The workload only broadcasts 0, 1, 2, ...: probes hand these to the nodes' engines (what the node's
  // broadcast handler does with a request's message), and the clients' final reads must list them.
  const pool: unknown[] = ['7', 7, { a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, [1, 'x', null], null, 'x', true, 1.5, { nested: { k: 'v' } }];
  for (const profile of PROFILES) {
    const r = await run(['--profile', profile], { timeLimitS: 3 }, [
      { atS: 0.5, isolate: ['n2', 'n4'] },
      { atS: 2, heal: true },
      ...pool.map((value, i): SimScriptStep => ({ atS: 0.2 + i * 0.25, probe: (nodes) => engine(nodes, `n${i % 10}`).broadcast(value) })),
    ]);
    assert.equal(r.workload['duplicated-count'], 0, `${profile}: a read listed a value twice`);
    assertNothingLost(r, [...broadcastValues(r), ...pool]);
    // {a,b} and {b,a} are one value; "7" and 7 are two (and 7 is also one of the workload's).
    const distinct = new Set([...broadcastValues(r), ...pool].map(canonicalKey)).size;
    assert.ok(r.broadcastCount >= 8, `${profile}: only ${r.broadcastCount} client broadcasts`);
    assert.equal(r.finalReads[0]!.length, distinct);
    assert.equal(distinct, new Set(broadcastValues(r).map(canonicalKey)).size + pool.length - 2);
  }
});

test('inter-node messages stay bounded: a 6 s partition is repaired in chunks of --max-entries', async () => {
  const r = await run(['--profile', 'balanced', '--max-entries', '5'], {}, [
    { atS: 1, isolate: ['n0', 'n1', 'n2'] },
    { atS: 7, heal: true },
  ]);
  assertNothingLost(r);
  assert.ok(r.maxEntriesSeen > 1, 'no message carried more than one entry: the repair was never exercised');
  assert.ok(r.maxEntriesSeen <= 5, `a message carried ${r.maxEntriesSeen} entries`);
});

/** Maelstrom's 3b-3e shape: 25 nodes, 20 s at 100 ops/s, 100 ms between servers. */
const CHALLENGE: Partial<TestOptions> = { nodeCount: 25, timeLimitS: 20, rateHz: 100, latencyMs: 100, seed: 7 };
const stableMaxMs = (r: Run): number => (r.workload['stable-latencies'] as Record<string, number>)['1']!;

test('fast: 25 nodes at 100 ops/s stay within the message budget and one hop of latency', async () => {
  const r = await run(['--profile', 'fast'], CHALLENGE);
  // 24 sends per broadcast is 12 msgs/op; repair and acknowledgements must stay tiny.
  const floor = (24 * r.broadcastCount) / r.opCount;
  assert.ok(r.msgsPerOp - floor < 0.1, `${r.msgsPerOp.toFixed(3)} msgs/op vs a floor of ${floor.toFixed(3)}`);
  assert.ok(stableMaxMs(r) <= 130, `max stable latency ${stableMaxMs(r)} ms`);
});

test('balanced and frugal: 25 nodes at 100 ops/s meet their budgets', async () => {
  const bal = await run(['--profile', 'balanced'], CHALLENGE);
  assert.ok(bal.msgsPerOp <= 1.5, `balanced: ${bal.msgsPerOp.toFixed(3)} msgs/op`);
  assert.ok(stableMaxMs(bal) <= 500, `balanced: max ${stableMaxMs(bal)} ms`);
  const fru = await run(['--profile', 'frugal'], CHALLENGE);
  assert.ok(fru.msgsPerOp <= 0.8, `frugal: ${fru.msgsPerOp.toFixed(3)} msgs/op`);
  assert.ok(stableMaxMs(fru) < 2000, `frugal: max ${stableMaxMs(fru)} ms`);
});

test('timed sends (hub batches, retries) wait while output is congested and go out once it drains', () => {
  const clock = new VirtualClock();
  let congested = false;
  const sent: [string, GossipBody][] = [];
  const engine = (me: string): Gossip =>
    new Gossip(broadcast.parseOptions(['--profile', 'balanced']), ['n0', 'n1', 'n2'], me, {
      send: (dest, body) => sent.push([dest, body]),
      now: () => clock.now(),
      setTimer: (delayMs, fn) => clock.setTimer(delayMs, fn),
      congested: () => congested,
    });
  const carries = (dest: string, value: unknown): boolean => sent.some(([d, b]) => d === dest && (b.e ?? []).some((e) => e[2] === value));

  // The hub batches what leaves lack every 320 ms: not while congested.
  const hub = engine('n0');
  congested = true;
  hub.broadcast('from the hub');
  clock.advance(5_000);
  assert.equal(sent.length, 0, 'nothing sent while congested');
  congested = false;
  clock.advance(1_000);
  assert.ok(carries('n1', 'from the hub') && carries('n2', 'from the hub'));
  hub.stop();

  // A leaf sends a new message to the hub at once (that answers a request); the retry is timed, so it waits.
  sent.length = 0;
  const leaf = engine('n1');
  leaf.broadcast('from a leaf');
  assert.equal(sent.length, 1);
  congested = true;
  clock.advance(20_000);
  assert.equal(sent.length, 1, 'no retry while congested');
  congested = false;
  clock.advance(5_000);
  assert.ok(sent.length > 1 && sent.slice(1).some(([d, b]) => d === 'n0' && (b.e ?? []).some((e) => e[2] === 'from a leaf')), 'retried once output drained');
  leaf.stop();
});
