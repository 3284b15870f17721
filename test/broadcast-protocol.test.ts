// The broadcast protocol in virtual time: an in-process cluster of Gossip
// engines on Maelstrom's network model (cluster.ts), with and without
// partitions. Nothing acknowledged may be lost, reads list each value once,
// and partitions must not blow up the message bill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCluster, type ClusterOptions } from '../src/nodes/broadcast/cluster.js';
import { parseOptions, PROFILES } from '../src/nodes/broadcast/options.js';
import { canonicalKey } from '../src/nodes/broadcast/store.js';
import { Gossip, type GossipBody } from '../src/nodes/broadcast/gossip.js';
import { VirtualClock } from '../src/node/clock.js';

const SMALL: ClusterOptions = { nodeCount: 10, timeLimitS: 8, rateHz: 50, recoveryS: 10 };

/** Asserts every final read holds exactly the broadcast values, each once. */
function assertAllReadsComplete(finalReads: unknown[][], expected: unknown[]): void {
  const want = [...new Set(expected.map(canonicalKey))].sort();
  for (const [i, read] of finalReads.entries()) {
    const got = read.map(canonicalKey);
    assert.equal(new Set(got).size, got.length, `final read ${i} lists a value twice`);
    assert.deepEqual(got.sort(), want, `final read ${i} differs from the broadcast set`);
  }
}

for (const profile of PROFILES) {
  test(`${profile}: with no faults every broadcast reaches every node`, async () => {
    const r = await runCluster(parseOptions(['--profile', profile]), SMALL);
    assert.ok(r.broadcastCount > 100, `only ${r.broadcastCount} broadcasts`);
    assert.equal(r.lostCount, 0);
    assert.equal(r.stableCount, r.broadcastCount);
    assertAllReadsComplete(r.finalReads, Array.from({ length: r.broadcastCount }, (_, i) => i));
  });

  test(`${profile}: leaf n3 isolated for 5 s, then healed: nothing is lost`, async () => {
    const r = await runCluster(parseOptions(['--profile', profile]), {
      ...SMALL,
      script: [{ startS: 1, endS: 6, isolate: ['n3'] }],
    });
    assert.equal(r.lostCount, 0, `lost ${JSON.stringify(r.lost)}`);
    assertAllReadsComplete(r.finalReads, Array.from({ length: r.broadcastCount }, (_, i) => i));
  });

  test(`${profile}: the hub n0 isolated until the end of the main phase: nothing is lost`, async () => {
    const r = await runCluster(parseOptions(['--profile', profile]), {
      ...SMALL,
      script: [{ startS: 2, endS: 8, isolate: ['n0'] }],
    });
    assert.equal(r.lostCount, 0, `lost ${JSON.stringify(r.lost)}`);
    assertAllReadsComplete(r.finalReads, Array.from({ length: r.broadcastCount }, (_, i) => i));
  });

  test(`${profile}: random partitions lose nothing and at most double the messages per operation`, async () => {
    for (const seed of [1, 2, 3]) {
      const calm = await runCluster(parseOptions(['--profile', profile]), { ...SMALL, timeLimitS: 20, seed });
      const rough = await runCluster(parseOptions(['--profile', profile]), {
        ...SMALL, timeLimitS: 20, seed, partition: true, nemesisIntervalS: 3,
      });
      assert.equal(rough.lostCount, 0, `seed ${seed}: lost ${JSON.stringify(rough.lost)}`);
      assertAllReadsComplete(rough.finalReads, Array.from({ length: rough.broadcastCount }, (_, i) => i));
      assert.ok(rough.msgsPerOp <= 2 * calm.msgsPerOp,
        `seed ${seed}: ${rough.msgsPerOp.toFixed(2)} msgs/op under partitions vs ${calm.msgsPerOp.toFixed(2)} without`);
    }
  });
}

test('balanced: leaves cut off from the hub keep exchanging through the fall-back hub', async () => {
  let failingOver = 0;
  let relayedBeforeHeal = false;
  await runCluster(parseOptions(['--profile', 'balanced']), {
    ...SMALL,
    script: [{ startS: 1, endS: 7, isolate: ['n0'] }],
    probes: [
      { atS: 3, fn: (e) => e[5]!.broadcast('from n5 during the partition') },
      { atS: 5, fn: (e) => { failingOver = e.filter((g) => g.failingOver).length; } },
      { atS: 5, fn: (e) => { relayedBeforeHeal = e[7]!.read().includes('from n5 during the partition'); } },
    ],
  });
  // Under load every leaf has messages the hub cannot acknowledge, so all nine switch.
  assert.equal(failingOver, 9, 'leaves relaying through the fall-back hub');
  assert.ok(relayedBeforeHeal, 'n7 did not get n5\'s message while the hub was cut off');
});

test('balanced: a quiet leaf whose clients only read also switches when the hub goes silent', async () => {
  const reads = Array.from({ length: 30 }, (_, i) => ({ atS: 1 + i * 0.2, fn: (e: readonly Gossip[]) => { e[7]!.read(); } }));
  let relayedBeforeHeal = false;
  await runCluster(parseOptions(['--profile', 'balanced']), {
    ...SMALL,
    rateHz: 0.001, // no generated load: only the probes below
    script: [{ startS: 1, endS: 8, isolate: ['n0'] }],
    probes: [
      { atS: 0.5, fn: (e) => e[3]!.broadcast('before the partition') },
      ...reads,
      { atS: 2, fn: (e) => e[5]!.broadcast('from n5 during the partition') },
      { atS: 6, fn: (e) => { relayedBeforeHeal = e[7]!.read().includes('from n5 during the partition'); } },
    ],
  });
  assert.ok(relayedBeforeHeal, 'n7 (reading, never broadcasting) did not get n5\'s message while the hub was cut off');
});

test('any JSON value can be broadcast; equal values (as JSON) are kept once', async () => {
  const pool: unknown[] = ['7', 7, { a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, [1, 'x', null], null, 'x', true, 1.5, { nested: { k: 'v' } }];
  for (const profile of PROFILES) {
    const r = await runCluster(parseOptions(['--profile', profile]), {
      ...SMALL, timeLimitS: 3, values: (i) => pool[i % pool.length],
      script: [{ startS: 0.5, endS: 2, isolate: ['n2', 'n4'] }],
    });
    assert.equal(r.duplicatedCount, 0, `${profile}: a read listed a value twice`);
    const sent = pool.slice(0, Math.min(pool.length, r.broadcastCount));
    assertAllReadsComplete(r.finalReads, sent);
    // {a,b} and {b,a} are one value; "7" and 7 are two.
    assert.equal(r.finalReads[0]!.length, new Set(sent.map(canonicalKey)).size);
  }
});

test('inter-node messages stay bounded: a 6 s partition is repaired in chunks of --max-entries', async () => {
  const r = await runCluster(parseOptions(['--profile', 'balanced', '--max-entries', '5']), {
    ...SMALL, script: [{ startS: 1, endS: 7, isolate: ['n0', 'n1', 'n2'] }],
  });
  assert.equal(r.lostCount, 0);
  assert.ok(r.maxEntriesSeen <= 5, `a message carried ${r.maxEntriesSeen} entries`);
  assertAllReadsComplete(r.finalReads, Array.from({ length: r.broadcastCount }, (_, i) => i));
});

test('fast: 25 nodes at 100 ops/s stay within the message budget and one hop of latency', async () => {
  const r = await runCluster(parseOptions(['--profile', 'fast']), { seed: 7 });
  // 24 sends per broadcast is 12 msgs/op; repair and acknowledgements must stay tiny.
  const floor = (24 * r.broadcastCount) / r.opCount;
  assert.ok(r.msgsPerOp - floor < 0.1, `${r.msgsPerOp.toFixed(3)} msgs/op vs a floor of ${floor.toFixed(3)}`);
  assert.ok(r.stableLatenciesMs[1] <= 130, `max stable latency ${r.stableLatenciesMs[1]} ms`);
});

test('balanced and frugal: 25 nodes at 100 ops/s meet their budgets', async () => {
  const bal = await runCluster(parseOptions(['--profile', 'balanced']), { seed: 7 });
  assert.ok(bal.msgsPerOp <= 1.5, `balanced: ${bal.msgsPerOp.toFixed(3)} msgs/op`);
  assert.ok(bal.stableLatenciesMs[1] <= 500, `balanced: max ${bal.stableLatenciesMs[1]} ms`);
  const fru = await runCluster(parseOptions(['--profile', 'frugal']), { seed: 7 });
  assert.ok(fru.msgsPerOp <= 0.8, `frugal: ${fru.msgsPerOp.toFixed(3)} msgs/op`);
  assert.ok(fru.stableLatenciesMs[1] < 2000, `frugal: max ${fru.stableLatenciesMs[1]} ms`);
});

test('timed sends (hub batches, retries) wait while output is congested and go out once it drains', () => {
  const clock = new VirtualClock();
  let congested = false;
  const sent: [string, GossipBody][] = [];
  const engine = (me: string): Gossip =>
    new Gossip(parseOptions(['--profile', 'balanced']), ['n0', 'n1', 'n2'], me, {
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
