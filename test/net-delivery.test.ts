/**
 * The simulated network's delivery loop, on virtual time: ids, delays,
 * head-of-line blocking, partitions, back-pressure, and the idealised mode.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../src/node/clock.js';
import { Rng } from '../src/harness/rng.js';
import { Net, NetError, type DeliveryMode, type LatencyDist, type NetOptions } from '../src/harness/net.js';
import type { Envelope, JournalEvent } from '../src/harness/types.js';

interface Received {
  atMs: number;
  id: number;
  src: string;
  dest: string;
}

function setup(opts: { latencyMs?: number; latencyDist?: LatencyDist; delivery?: DeliveryMode; seed?: number; nodes?: string[] } = {}) {
  const clock = new VirtualClock();
  const journal: JournalEvent[] = [];
  const lines: string[] = [];
  const received: Received[] = [];
  const netOpts: NetOptions = {
    clock,
    rng: new Rng(opts.seed ?? 1),
    latencyMs: opts.latencyMs ?? 0,
    latencyDist: opts.latencyDist ?? 'constant',
    onJournal: (ev, line) => {
      journal.push(ev);
      lines.push(line);
    },
  };
  if (opts.delivery !== undefined) netOpts.delivery = opts.delivery;
  const net = new Net(netOpts);
  const record = (msg: Envelope) => {
    received.push({ atMs: clock.now(), id: msg.id, src: msg.src, dest: msg.dest });
  };
  for (const id of opts.nodes ?? ['n1', 'n2', 'n3', 'c0']) net.addEndpoint(id, record);
  const send = (src: string, dest: string, type = 'gossip') => net.send({ src, dest, body: { type } });
  return { clock, net, journal, lines, received, send, record };
}

test('messages get network-wide ids 0, 1, 2, ... in send order, each journaled as a send', () => {
  const { net, journal, lines } = setup();
  const ids = [net.send({ src: 'c0', dest: 'n1', body: { type: 'read', msg_id: 1 } }).id, net.send({ src: 'n1', dest: 'n2', body: { type: 'gossip' } }).id, net.send({ src: 'n2', dest: 'n3', body: { type: 'gossip' } }).id];
  assert.deepEqual(ids, [0, 1, 2]);
  assert.deepEqual(journal.map((e) => [e.type, e.message.id]), [['send', 0], ['send', 1], ['send', 2]]);
  assert.equal(lines[0], '{"id":0,"src":"c0","dest":"n1","body":{"type":"read","msg_id":1}}');
});

test('the line a destination receives is the envelope JSON, and a recv event is journaled at delivery', () => {
  const { clock, net, journal } = setup();
  const got: string[] = [];
  net.addEndpoint('n9', (_msg, line) => {
    got.push(line);
  });
  net.send({ src: 'n1', dest: 'n9', body: { type: 'hello', msg_id: 7 } });
  assert.deepEqual(got, [], 'nothing is delivered inside send()');
  clock.advance(0);
  assert.deepEqual(got, ['{"id":0,"src":"n1","dest":"n9","body":{"type":"hello","msg_id":7}}']);
  assert.deepEqual(journal.map((e) => e.type), ['send', 'recv']);
});

test('a message sent with the node\'s own line is delivered as that line with the id in front', () => {
  const { clock, net } = setup();
  const got: string[] = [];
  net.addEndpoint('n9', (_msg, line) => {
    got.push(line);
  });
  const nodeLine = '{"dest":"n9", "src":"n1","body":{"type":"hello","text":"\\u00e9"}}';
  const parsed = JSON.parse(nodeLine);
  net.send(parsed, nodeLine);
  net.send({ ...parsed, id: 77 }, '{"id":77,' + nodeLine.slice(1)); // a node-supplied id is replaced, so the line is rebuilt
  clock.advance(0);
  assert.equal(got[0], '{"id":0,"dest":"n9", "src":"n1","body":{"type":"hello","text":"\\u00e9"}}');
  assert.deepEqual(JSON.parse(got[0]!), { id: 0, src: 'n1', dest: 'n9', body: { type: 'hello', text: 'é' } });
  assert.equal(got[1], '{"id":1,"src":"n1","dest":"n9","body":{"type":"hello","text":"é"}}');
});

test('journal times are nanoseconds since the test started', () => {
  const clock = new VirtualClock(5000);
  const journal: JournalEvent[] = [];
  const net = new Net({ clock, rng: new Rng(1), latencyMs: 12, latencyDist: 'constant', onJournal: (ev) => journal.push(ev), startMs: 4000 });
  net.addEndpoint('n1', () => {});
  net.addEndpoint('n2', () => {});
  net.send({ src: 'n1', dest: 'n2', body: { type: 'x' } });
  clock.advance(100);
  assert.deepEqual(journal.map((e) => [e.type, e.time]), [['send', 1_000_000_000], ['recv', 1_012_000_000]]);
});

test('messages to or from a client are not delayed, whatever the latency', () => {
  const { clock, received, send } = setup({ latencyMs: 100 });
  send('c0', 'n1', 'broadcast');
  send('n1', 'c0', 'broadcast_ok');
  clock.advance(0);
  assert.deepEqual(received.map((r) => [r.atMs, r.dest]), [[0, 'n1'], [0, 'c0']]);
});

test('constant latency delays every server message by exactly the mean', () => {
  const { clock, received, send } = setup({ latencyMs: 100 });
  send('n1', 'n2');
  clock.advance(30);
  send('n1', 'n3');
  clock.advance(99);
  assert.deepEqual(received.map((r) => [r.atMs, r.dest]), [[100, 'n2']]);
  clock.advance(1);
  assert.deepEqual(received.map((r) => [r.atMs, r.dest]), [[100, 'n2'], [130, 'n3']]);
});

function drawDelays(latencyDist: LatencyDist, latencyMs: number, count: number): number[] {
  const { clock, net, journal } = setup({ latencyMs, latencyDist, seed: 42 });
  // One destination per message, so that no message waits behind another
  // and the delivery time is exactly the drawn delay.
  for (let i = 0; i < count; i++) net.addEndpoint(`n${100 + i}`, () => {});
  for (let i = 0; i < count; i++) net.send({ src: 'n1', dest: `n${100 + i}`, body: { type: 'x' } });
  clock.advance(1e9);
  const sendAt = new Map<number, number>();
  const delays: number[] = [];
  for (const ev of journal) {
    if (ev.type === 'send') sendAt.set(ev.message.id, ev.time);
    else delays.push((ev.time - sendAt.get(ev.message.id)!) / 1e6);
  }
  assert.equal(delays.length, count);
  return delays;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('uniform latency draws whole milliseconds from 0 to 2*mean-1, as incanter does', () => {
  const delays = drawDelays('uniform', 50, 20_000);
  assert.ok(delays.every((d) => Number.isInteger(d) && d >= 0 && d <= 99), 'whole ms in [0, 99]');
  assert.equal(Math.min(...delays), 0);
  assert.equal(Math.max(...delays), 99);
  assert.ok(Math.abs(mean(delays) - 49.5) < 1, `mean ${mean(delays)} near 49.5`);
});

test('exponential latency is truncated to whole milliseconds with the given mean', () => {
  const delays = drawDelays('exponential', 100, 20_000);
  assert.ok(delays.every((d) => Number.isInteger(d) && d >= 0));
  // Truncation lowers the mean of an exponential by about half a millisecond.
  assert.ok(Math.abs(mean(delays) - 99.5) < 3, `mean ${mean(delays)} near 99.5`);
  assert.ok(Math.max(...delays) > 500, 'has a long tail');
});

test('uniform and exponential latency with mean 0 deliver at once', () => {
  assert.deepEqual(drawDelays('uniform', 0, 10), new Array(10).fill(0));
  assert.deepEqual(drawDelays('exponential', 0, 10), new Array(10).fill(0));
});

test('a client request queued behind an in-flight 100 ms server message waits for it (head-of-line)', () => {
  const { clock, received, send } = setup({ latencyMs: 100 });
  send('n2', 'n1', 'gossip');
  clock.advance(10);
  send('c0', 'n1', 'read');
  clock.advance(89);
  assert.equal(received.length, 0, 'the read waits although its deadline (10 ms) has passed');
  clock.advance(1);
  assert.deepEqual(received.map((r) => [r.atMs, r.src]), [[100, 'n2'], [100, 'c0']]);
});

test('after the head, the loop takes the earliest deadline among the messages then queued', () => {
  const { clock, received, send } = setup({ latencyMs: 100 });
  send('n2', 'n1'); // taken at once, due at 100
  clock.advance(10);
  send('n3', 'n1'); // due at 110
  clock.advance(10);
  send('c0', 'n1'); // due at 20, but queued behind the head
  send('n2', 'n1'); // due at 120
  clock.advance(300);
  assert.deepEqual(received.map((r) => [r.atMs, r.id]), [[100, 0], [100, 2], [110, 1], [120, 3]]);
});

test('like Maelstrom, the loop waits the time left truncated to whole ms', () => {
  const { clock, received, send } = setup({ latencyMs: 100 });
  clock.advance(0.5);
  send('n2', 'n1'); // taken at 0.5, due at 100.5
  clock.advance(0.2);
  send('n3', 'n1'); // due at 100.7; taken at 100.5 with 0.2 ms left, which truncates to 0
  clock.advance(200);
  assert.deepEqual(received.map((r) => [r.atMs, r.src]), [[100.5, 'n2'], [100.5, 'n3']]);
});

test('messages with the same deadline go in send order', () => {
  const { clock, received, send } = setup({ latencyMs: 0 });
  for (let i = 0; i < 5; i++) send(i % 2 ? 'n2' : 'n3', 'n1');
  clock.advance(0);
  assert.deepEqual(received.map((r) => r.id), [0, 1, 2, 3, 4]);
});

test('a partition drops a message the loop takes while it is in force, even if it heals before the deadline', () => {
  const { clock, net, received, journal, send } = setup({ latencyMs: 100 });
  net.setGrudge(new Map([['n1', new Set(['n2'])]]));
  send('n2', 'n1');
  clock.advance(10);
  net.heal();
  clock.advance(200);
  assert.deepEqual(received, []);
  assert.deepEqual(journal.map((e) => e.type), ['send'], 'a dropped message is a send only');
  assert.equal(net.counts().dropped, 1);
});

test('a message taken before a partition starts is still delivered', () => {
  const { clock, net, received, send } = setup({ latencyMs: 100 });
  send('n2', 'n1');
  clock.advance(10);
  net.setGrudge(new Map([['n1', new Set(['n2'])]]));
  clock.advance(200);
  assert.deepEqual(received.map((r) => [r.atMs, r.src]), [[100, 'n2']]);
});

test('a message queued behind another is checked when the loop reaches it, not when it was sent', () => {
  const { clock, net, received, send } = setup({ latencyMs: 100 });
  send('n3', 'n1'); // taken at 0, due at 100
  send('n2', 'n1'); // queued; the loop takes it at 100
  clock.advance(50);
  net.setGrudge(new Map([['n1', new Set(['n2'])]]));
  clock.advance(200);
  assert.deepEqual(received.map((r) => r.src), ['n3'], 'n2 -> n1 was taken during the partition');
});

test('partitions are one-way: the grudge holds the sources a destination drops', () => {
  const { clock, net, received, send } = setup({ latencyMs: 0 });
  net.setGrudge(new Map([['n1', new Set(['n2'])]]));
  send('n2', 'n1');
  send('n1', 'n2');
  send('n3', 'n1');
  clock.advance(0);
  assert.deepEqual(received.map((r) => `${r.src}->${r.dest}`).sort(), ['n1->n2', 'n3->n1']);
});

test('setGrudge copies the table, so later changes by the caller have no effect', () => {
  const { clock, net, received, send } = setup();
  const grudge = new Map([['n1', new Set(['n2'])]]);
  net.setGrudge(grudge);
  grudge.get('n1')!.clear();
  send('n2', 'n1');
  clock.advance(0);
  assert.deepEqual(received, []);
});

test('a slow delivery (back-pressure) stalls only its own destination', async () => {
  const { clock, net, received, record } = setup({ nodes: ['n1', 'n2'] });
  let release!: () => void;
  const stalled: number[] = [];
  net.addEndpoint('n3', (msg) => {
    stalled.push(msg.id);
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  });
  for (let i = 0; i < 3; i++) {
    net.send({ src: 'n1', dest: 'n3', body: { type: 'x' } });
    net.send({ src: 'n1', dest: 'n2', body: { type: 'x' } });
  }
  await clock.run({ untilMs: 1000 });
  assert.deepEqual(stalled, [0], 'n3 got its first message and is still writing it');
  assert.deepEqual(received.map((r) => r.id), [1, 3, 5], 'n2 got all of its messages');
  assert.equal(net.counts().queued, 2);
  release();
  await clock.run({ untilMs: 2000 });
  assert.deepEqual(stalled, [0, 2]);
  release();
  await clock.run({ untilMs: 3000 });
  assert.deepEqual(stalled, [0, 2, 4]);
  void record;
});

test('sending to or from an unknown endpoint throws NetError code 1 naming it', () => {
  const { net } = setup();
  assert.throws(
    () => net.send({ src: 'n1', dest: 'n7', body: { type: 'x' } }),
    (err: unknown) => err instanceof NetError && err.code === 1 && /"n7"/.test(err.message) && /dest/.test(err.message),
  );
  assert.throws(
    () => net.send({ src: 'c9', dest: 'n1', body: { type: 'x' } }),
    (err: unknown) => err instanceof NetError && err.code === 1 && /"c9"/.test(err.message) && /src/.test(err.message),
  );
});

test('a removed endpoint never receives what was queued for it, and later sends to it are refused', () => {
  const { clock, net, received, journal, send } = setup({ latencyMs: 100 });
  send('n2', 'n1');
  send('n3', 'n1');
  clock.advance(50);
  net.removeEndpoint('n1');
  clock.advance(500);
  assert.deepEqual(received, []);
  assert.deepEqual(journal.map((e) => e.type), ['send', 'send']);
  assert.throws(() => send('n2', 'n1'), NetError);
});

test('close() cancels every timer and refuses later sends', () => {
  const { clock, net, received, send } = setup({ latencyMs: 100 });
  send('n2', 'n1');
  net.close();
  assert.equal(clock.pending, 0);
  clock.advance(500);
  assert.deepEqual(received, []);
  assert.throws(() => send('n2', 'n1'), (err: unknown) => err instanceof NetError && err.code === 14);
});

test('each destination has at most one clock timer, however many messages wait for it', () => {
  const { clock, net } = setup({ latencyMs: 100, latencyDist: 'exponential' });
  for (let i = 0; i < 1000; i++) net.send({ src: 'n2', dest: 'n1', body: { type: 'x' } });
  assert.equal(clock.pending, 1);
});

test('ideal-not-maelstrom delivers each message at its own deadline, without head-of-line blocking', () => {
  const { clock, received, send } = setup({ latencyMs: 100, delivery: 'ideal-not-maelstrom' });
  send('n2', 'n1', 'gossip');
  clock.advance(10);
  send('c0', 'n1', 'read');
  clock.advance(200);
  assert.deepEqual(received.map((r) => [r.atMs, r.src]), [[10, 'c0'], [100, 'n2']]);
});

test('ideal-not-maelstrom checks partitions at the deadline, not when a message is queued', () => {
  const { clock, net, received, send } = setup({ latencyMs: 100, delivery: 'ideal-not-maelstrom' });
  net.setGrudge(new Map([['n1', new Set(['n2'])]]));
  send('n2', 'n1'); // partitioned when sent, healed by its deadline: delivered
  clock.advance(50);
  net.heal();
  send('n3', 'n1'); // sent while healed, partitioned at its deadline: dropped
  net.setGrudge(new Map([['n1', new Set(['n3'])]]));
  clock.advance(500);
  assert.deepEqual(received.map((r) => [r.atMs, r.src]), [[100, 'n2']]);
});

test('the same seed gives the same deliveries', () => {
  const run = () => {
    const { clock, net, received } = setup({ latencyMs: 100, latencyDist: 'exponential', seed: 7 });
    for (let i = 0; i < 200; i++) net.send({ src: i % 2 ? 'n2' : 'n3', dest: 'n1', body: { type: 'x' } });
    clock.advance(1e6);
    return received;
  };
  assert.deepEqual(run(), run());
});

test('bad options are rejected with the field and the value', () => {
  const clock = new VirtualClock();
  const base = { clock, rng: new Rng(1), onJournal: () => {} };
  assert.throws(() => new Net({ ...base, latencyMs: -1, latencyDist: 'constant' }), /latencyMs.*-1/);
  assert.throws(() => new Net({ ...base, latencyMs: 0, latencyDist: 'normal' as LatencyDist }), /latencyDist.*"normal"/);
  assert.throws(() => new Net({ ...base, latencyMs: 0, latencyDist: 'constant', delivery: 'ideal' as DeliveryMode }), /delivery.*"ideal"/);
});
