/**
 * The typed protocol and the error table. The `@ts-expect-error` lines are
 * part of the test: if a mistake they mark stopped being a type error, the
 * build (and so `npm test`) fails.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERRORS, RPCError, errorKind, type Body, type MaelstromProtocol, type Rpc } from '../src/node/index.js';
import { testNode } from './node-helpers.js';

// A user's own messages, added to Maelstrom's by extending the protocol.
interface GossipBody extends Body {
  type: 'gossip';
  messages: number[];
}
interface GossipOkBody extends Body {
  type: 'gossip_ok';
  accepted: number;
}
interface GossipProtocol extends MaelstromProtocol {
  gossip: Rpc<GossipBody, GossipOkBody>;
}

describe('typed protocol', () => {
  it('types handler requests and replies, and rpc replies, for a user protocol', async () => {
    const t = testNode<GossipProtocol>();
    t.init();
    t.take();
    const seen = new Set<number>();
    t.node.on('gossip', (req) => {
      for (const m of req.body.messages) seen.add(m); // messages: number[]
      return { type: 'gossip_ok', accepted: req.body.messages.length };
    });
    t.node.on('read', () => ({ type: 'read_ok', messages: [...seen] }));
    // Types the protocol does not list still work, untyped.
    t.node.on('ping', (req) => ({ type: 'pong', echo: req.body['echo'] }));

    t.deliver('n2', { type: 'gossip', msg_id: 1, messages: [4, 5] });
    assert.deepEqual(t.take()[0]!.body, { type: 'gossip_ok', accepted: 2, in_reply_to: 1 });

    const call = t.node.rpc('n3', { type: 'gossip', messages: [6] });
    const sentBody = t.take()[0]!.body;
    t.deliver('n3', { type: 'gossip_ok', in_reply_to: sentBody.msg_id, accepted: 1 });
    const reply = await call;
    const accepted: number = reply.accepted; // typed as GossipOkBody
    assert.equal(accepted, 1);

    if (false as boolean) {
      // @ts-expect-error the reply to gossip must be gossip_ok
      t.node.on('gossip', () => ({ type: 'gossip_okay', accepted: 1 }));
      // @ts-expect-error gossip_ok needs `accepted`
      t.node.on('gossip', () => ({ type: 'gossip_ok' }));
      // @ts-expect-error a gossip request needs `messages`
      void t.node.rpc('n2', { type: 'gossip' });
      // @ts-expect-error read_ok carries `messages`, not `value`
      t.node.on('read', () => ({ type: 'read_ok', value: 1 }));
    }
  });
});

describe('error table', () => {
  it("lists Maelstrom's codes once each, with their definiteness", () => {
    const codes = ERRORS.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    assert.deepEqual(
      ERRORS.map((e) => [e.code, e.name, e.definite]),
      [
        [0, 'timeout', false],
        [1, 'node-not-found', true],
        [10, 'not-supported', true],
        [11, 'temporarily-unavailable', true],
        [12, 'malformed-request', true],
        [13, 'crash', false],
        [14, 'abort', true],
        [20, 'key-does-not-exist', true],
        [21, 'key-already-exists', true],
        [22, 'precondition-failed', true],
        [30, 'txn-conflict', true],
      ],
    );
  });

  it('treats user codes (>= 1000) and unknown codes as indefinite', () => {
    assert.equal(errorKind(1234).definite, false);
    assert.equal(errorKind(999).definite, false);
    assert.equal(RPCError.custom(1001, 'mine').definite, false);
    assert.throws(() => RPCError.custom(999), /code/);
  });

  it('round-trips through an error body', () => {
    const body = RPCError.preconditionFailed('expected 3, had 4').toBody(17);
    assert.deepEqual(body, { type: 'error', in_reply_to: 17, code: 22, text: 'expected 3, had 4' });
    const back = RPCError.fromBody(body);
    assert.equal(back.code, 22);
    assert.equal(back.name, 'precondition-failed');
    assert.equal(back.definite, true);
    assert.equal(String(back), 'precondition-failed: expected 3, had 4');
  });

  it('reads an error body without a usable code as a crash', () => {
    const err = RPCError.fromBody({ type: 'error', in_reply_to: 1, code: 'eleven' });
    assert.equal(err.code, 13);
    assert.match(err.text, /invalid code "eleven"/);
  });
});
