// The broadcast node as Maelstrom sees it: createNode on in-memory
// transports and a virtual clock, answering clients and gossiping through a
// tiny constant-latency network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTransport, VirtualClock, type Node } from '../src/node/index.js';
import { createNode } from '../src/nodes/broadcast/index.js';

interface Cluster {
  clock: VirtualClock;
  /** Replies to clients, by node. */
  replies: Map<string, Array<Record<string, unknown>>>;
  serverMessages: number;
  /** Every line any node wrote to its output, raw. */
  lines: string[];
  /** Sends a client request and returns the reply once the clock has run. */
  request(node: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  nodes: Node[];
}

async function startCluster(size: number, args: string[] = []): Promise<Cluster> {
  const clock = new VirtualClock();
  const ids = Array.from({ length: size }, (_, i) => `n${i}`);
  const transports = ids.map(() => new MemoryTransport());
  const replies = new Map<string, Array<Record<string, unknown>>>(ids.map((id) => [id, []]));
  const cluster: Cluster = { clock, replies, serverMessages: 0, lines: [], nodes: [], request: async () => ({}) };
  ids.forEach((id, i) => {
    transports[i]!.onOutput((line) => {
      cluster.lines.push(line);
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as { src: string; dest: string; body: Record<string, unknown> };
      assert.equal(msg.src, id, `node ${id} wrote a message from ${msg.src}`);
      const dest = ids.indexOf(msg.dest);
      if (dest < 0) {
        replies.get(id)!.push(msg.body);
        return;
      }
      cluster.serverMessages++;
      clock.setTimer(100, () => transports[dest]!.inject(line));
    });
    const node = createNode({ transport: transports[i]!, clock, args });
    cluster.nodes.push(node);
    void node.run();
  });
  let msgId = 1;
  cluster.request = async (node, body) => {
    const id = ids.indexOf(node);
    const mine = ++msgId;
    transports[id]!.inject(JSON.stringify({ src: 'c1', dest: node, body: { ...body, msg_id: mine } }));
    await clock.run({ untilMs: clock.now() + 1 });
    const reply = replies.get(node)!.find((b) => b['in_reply_to'] === mine);
    assert.ok(reply, `no reply from ${node} to ${JSON.stringify(body)}`);
    return reply;
  };
  for (const [i, id] of ids.entries()) {
    transports[i]!.inject(JSON.stringify({ src: 'c0', dest: id, body: { type: 'init', msg_id: 1, node_id: id, node_ids: ids } }));
  }
  await clock.run({ untilMs: 1 });
  return cluster;
}

test('answers topology, broadcast and read with the standard bodies', async () => {
  const c = await startCluster(1);
  assert.deepEqual(await c.request('n0', { type: 'topology', topology: { n0: [] } }), { type: 'topology_ok', in_reply_to: 2 });
  assert.equal((await c.request('n0', { type: 'broadcast', message: 5 }))['type'], 'broadcast_ok');
  assert.deepEqual((await c.request('n0', { type: 'read' }))['messages'], [5]);
});

test('a broadcast without a message is a malformed request (error 12), not a crash', async () => {
  const c = await startCluster(1);
  const reply = await c.request('n0', { type: 'broadcast' });
  assert.equal(reply['type'], 'error');
  assert.equal(reply['code'], 12);
  assert.match(String(reply['text']), /message/);
  assert.equal((await c.request('n0', { type: 'broadcast', message: 'still up' }))['type'], 'broadcast_ok');
});

test('malformed gossip from a peer is ignored and logged; the node keeps serving', async () => {
  const clock = new VirtualClock();
  const transport = new MemoryTransport();
  const logs: string[] = [];
  transport.onLog((line) => logs.push(line));
  const out: string[] = [];
  transport.onOutput((line) => out.push(line));
  void createNode({ transport, clock, args: [] }).run();
  transport.inject(JSON.stringify({ src: 'c0', dest: 'n0', body: { type: 'init', msg_id: 1, node_id: 'n0', node_ids: ['n0', 'n1'] } }));
  for (const body of [{ type: 'gossip' }, { type: 'gossip', v: [1] }, { type: 'gossip', v: [0, 0], e: [[7, 1, 'x']] }, { type: 'gossip', v: [0, 0], e: [[1, 0, 'x']] }]) {
    transport.inject(JSON.stringify({ src: 'n1', dest: 'n0', body }));
  }
  transport.inject(JSON.stringify({ src: 'n1', dest: 'n0', body: { type: 'gossip', v: [0, 1], e: [[1, 1, 'ok']] } }));
  transport.inject(JSON.stringify({ src: 'c1', dest: 'n0', body: { type: 'read', msg_id: 2 } }));
  await clock.run({ untilMs: 10 });
  assert.equal(logs.filter((l) => /malformed gossip from n1/.test(l)).length, 4, logs.join('\n'));
  const read = out.map((l) => JSON.parse(l)).find((m) => m.body.in_reply_to === 2);
  assert.deepEqual(read?.body.messages, ['ok']);
});

test('values of any JSON type travel between nodes and are listed once', async () => {
  for (const profile of ['fast', 'balanced', 'frugal']) {
    const c = await startCluster(3, ['--profile', profile]);
    const values = [1, '1', { x: [1, { y: null }] }, [true, 2.5], null];
    for (const [i, v] of values.entries()) await c.request(`n${i % 3}`, { type: 'broadcast', message: v });
    // The same object with its keys in another order, and a repeat: neither is new.
    await c.request('n2', { type: 'broadcast', message: { x: [1, { y: null }] } });
    await c.request('n1', { type: 'broadcast', message: 1 });
    await c.clock.run({ untilMs: c.clock.now() + 3000 });
    for (const node of ['n0', 'n1', 'n2']) {
      const got = (await c.request(node, { type: 'read' }))['messages'] as unknown[];
      assert.equal(got.length, values.length, `${profile}: ${node} read ${JSON.stringify(got)}`);
      for (const v of values) assert.ok(got.some((g) => JSON.stringify(g) === JSON.stringify(v)), `${profile}: ${node} lacks ${JSON.stringify(v)}`);
    }
  }
});

test('nothing but Maelstrom messages goes to stdout', async () => {
  const c = await startCluster(2, ['--profile', 'fast']);
  await c.request('n0', { type: 'broadcast', message: 1 });
  await c.clock.run({ untilMs: c.clock.now() + 10_000 });
  assert.deepEqual((await c.request('n1', { type: 'read' }))['messages'], [1]);
  assert.ok(c.lines.length > 4);
  for (const line of c.lines) {
    const msg = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(Object.keys(msg).sort(), ['body', 'dest', 'src'], line);
    assert.equal(typeof (msg['body'] as Record<string, unknown>)['type'], 'string', line);
  }
});
