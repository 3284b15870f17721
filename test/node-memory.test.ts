/**
 * MemoryTransport, the in-process transport the simulator runs nodes on:
 * input before start, end of input, output and log subscribers.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryTransport, Node, VirtualClock, type CreateNode } from '../src/node/index.js';
import { createNode } from '../src/nodes/echo.js';

describe('MemoryTransport', () => {
  it('delivers lines injected before start once the node runs, in order', async () => {
    const transport = new MemoryTransport();
    transport.inject('{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}');
    transport.inject('{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":2,"echo":"early"}}');
    transport.end();
    const node = createNode({ transport, clock: new VirtualClock(), args: [] });
    await node.run();
    assert.deepEqual(
      transport.written.map((l) => JSON.parse(l).body.type),
      ['init_ok', 'echo_ok'],
    );
  });

  it('passes output and logs to subscribers synchronously, and keeps them when nobody listens', () => {
    const transport = new MemoryTransport();
    const node = new Node({ transport, clock: new VirtualClock() });
    void node.run();
    const seen: string[] = [];
    const logs: string[] = [];
    const stop = transport.onOutput((line) => seen.push(line));
    transport.onLog((line) => logs.push(line));
    node.send('n2', { type: 'hello' });
    assert.equal(seen.length, 1, 'delivered during send()');
    stop();
    node.send('n2', { type: 'again' });
    node.log('a %s line', 'log');
    assert.equal(seen.length, 1);
    assert.equal(transport.written.length, 1);
    assert.deepEqual(logs, ['a log line']);
  });

  it('refuses input after end', () => {
    const transport = new MemoryTransport();
    transport.end();
    assert.throws(() => transport.inject('{}'), /ended/);
  });
});

describe('node modules', () => {
  it('export createNode(env) in the shape the simulator and bins expect', () => {
    const create: CreateNode = createNode;
    const node = create({ transport: new MemoryTransport(), clock: new VirtualClock(), args: ['--x'] });
    assert.ok(node instanceof Node);
  });
});
