/**
 * Requests a node sends with rpc(): ids, replies, error replies, timeouts,
 * late replies, and cancellation with an AbortSignal.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RPCError } from '../src/node/index.js';
import { settle, testNode } from './node-helpers.js';

describe('rpc', () => {
  it('numbers requests from msg_id 1, one id per request', () => {
    const t = testNode();
    t.init();
    t.take();
    void t.node.rpc('n2', { type: 'ping' }).catch(() => undefined);
    void t.node.rpc('n3', { type: 'ping' }).catch(() => undefined);
    assert.deepEqual(
      t.take().map((m) => [m.src, m.dest, m.body.msg_id]),
      [
        ['n1', 'n2', 1],
        ['n1', 'n3', 2],
      ],
    );
  });

  it('assigns its own msg_id even when the body brings one', () => {
    const t = testNode();
    t.init();
    t.take();
    void t.node.rpc('n2', { type: 'ping', msg_id: 77 }).catch(() => undefined);
    assert.equal(t.take()[0]!.body.msg_id, 1);
  });

  it('resolves with the reply body and forgets the request', async () => {
    const t = testNode();
    t.init();
    t.take();
    const call = t.node.rpc('n2', { type: 'read' });
    const request = t.take()[0]!;
    assert.equal(t.node.pendingRpcCount, 1);
    t.deliver('n2', { type: 'read_ok', in_reply_to: request.body.msg_id, messages: [3, 1] });
    const reply = await call;
    assert.deepEqual(reply.messages, [3, 1]);
    assert.equal(t.node.pendingRpcCount, 0);
    assert.equal(t.clock.pending, 0, 'the timeout timer is cancelled');
  });

  it('rejects with an RPCError when the reply is an error', async () => {
    const t = testNode();
    t.init();
    t.take();
    const call = t.node.rpc('lin-kv', { type: 'read', key: 'x' });
    t.deliver('lin-kv', { type: 'error', in_reply_to: t.take()[0]!.body.msg_id, code: 20, text: 'key does not exist' });
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof RPCError);
      assert.equal(err.code, 20);
      assert.equal(err.name, 'key-does-not-exist');
      assert.equal(err.definite, true);
      assert.equal(err.text, 'key does not exist');
      return true;
    });
  });

  it('settles only the request that in_reply_to names', async () => {
    const t = testNode();
    t.init();
    t.take();
    const call = t.node.rpc('n2', { type: 'ping' });
    const msgId = t.take()[0]!.body.msg_id;
    t.deliver('n2', { type: 'pong', in_reply_to: 0 });
    assert.equal(t.node.pendingRpcCount, 1, 'a reply to another id does not settle the call');
    t.deliver('n2', { type: 'pong', in_reply_to: msgId });
    assert.equal((await call).type, 'pong');
  });

  it('times out with error 0 on the node clock, then drops the late reply quietly', async () => {
    const t = testNode();
    t.init();
    t.take();
    let settled: unknown = 'pending';
    const outcomeNow = (): unknown => settled;
    t.node.rpc('n2', { type: 'ping' }, { timeoutMs: 100 }).then(
      () => (settled = 'resolved'),
      (err: unknown) => (settled = err),
    );
    const msgId = t.take()[0]!.body.msg_id;
    t.clock.advance(99);
    await settle();
    assert.equal(outcomeNow(), 'pending');
    t.clock.advance(1);
    await settle();
    const outcome = outcomeNow();
    assert.ok(outcome instanceof RPCError);
    assert.equal(outcome.code, 0);
    assert.equal(outcome.definite, false);
    assert.match(outcome.text, /ping to n2 .*100 ms/);
    assert.equal(t.node.pendingRpcCount, 0);

    t.deliver('n2', { type: 'pong', in_reply_to: msgId });
    await settle();
    assert.deepEqual(t.take(), [], 'a late reply is not answered');
    assert.deepEqual(t.transport.logs, []);
  });

  it('uses the node-wide rpcTimeoutMs by default', async () => {
    const t = testNode({ rpcTimeoutMs: 250 });
    const call = t.node.rpc('n2', { type: 'ping' });
    t.clock.advance(250);
    await assert.rejects(call, { code: 0 });
  });

  it('rejects and forgets the request when its AbortSignal fires', async () => {
    const t = testNode();
    t.init();
    t.take();
    const controller = new AbortController();
    const call = t.node.rpc('n2', { type: 'ping' }, { signal: controller.signal });
    assert.equal(t.node.pendingRpcCount, 1);
    controller.abort(new Error('no longer needed'));
    await assert.rejects(call, /no longer needed/);
    assert.equal(t.node.pendingRpcCount, 0);
    assert.equal(t.clock.pending, 0, 'the timeout timer is cancelled');
  });

  it('does not send a request whose signal is already aborted', async () => {
    const t = testNode();
    t.init();
    t.take();
    const call = t.node.rpc('n2', { type: 'ping' }, { signal: AbortSignal.abort() });
    await assert.rejects(call, { name: 'AbortError' });
    assert.deepEqual(t.take(), []);
    assert.equal(t.node.pendingRpcCount, 0);
  });

  it('settles once: a reply after an abort changes nothing', async () => {
    const t = testNode();
    t.init();
    t.take();
    const controller = new AbortController();
    const call = t.node.rpc('n2', { type: 'ping' }, { signal: controller.signal });
    const msgId = t.take()[0]!.body.msg_id;
    controller.abort();
    t.deliver('n2', { type: 'pong', in_reply_to: msgId });
    await assert.rejects(call, { name: 'AbortError' });
  });

  it('passes a reply nobody waits for to a handler registered for its type', () => {
    const t = testNode();
    t.init();
    t.take();
    const acked: unknown[] = [];
    t.node.on('gossip_ok', (msg) => void acked.push(msg.body.in_reply_to));
    t.deliver('n2', { type: 'gossip_ok', in_reply_to: 41 });
    assert.deepEqual(acked, [41]);
  });

  it('throws on a body that cannot be serialised, sending nothing and leaving nothing pending', () => {
    const t = testNode();
    t.init();
    t.take();
    assert.throws(() => t.node.rpc('n2', { type: 'ping', big: 1n }), /BigInt/);
    assert.equal(t.node.pendingRpcCount, 0);
    assert.equal(t.clock.pending, 0, 'no timeout timer left behind');
    assert.deepEqual(t.take(), []);
  });

  it('rejects a non-positive timeout as a programming error', () => {
    const t = testNode();
    assert.throws(() => t.node.rpc('n2', { type: 'ping' }, { timeoutMs: 0 }), /timeoutMs/);
  });
});
