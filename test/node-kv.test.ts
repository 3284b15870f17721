/**
 * The KV client against a fake lin-kv service that answers like
 * Maelstrom's: read/write/cas, errors 20 and 22, create_if_not_exists.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { KV, RPCError, type Body, type MaelstromProtocol, type Message } from '../src/node/index.js';
import { testNode, type TestNode } from './node-helpers.js';

type KVTestNode = TestNode<MaelstromProtocol>;

/** Answers the node's requests to `lin-kv` 1 ms later, as a KV service would. */
function fakeKV(t: KVTestNode): Map<string, unknown> {
  const store = new Map<string, unknown>();
  t.transport.onOutput((line) => {
    const msg = JSON.parse(line) as Message;
    if (msg.dest !== 'lin-kv') return;
    const b = msg.body;
    const key = String(b['key']);
    let reply: Body;
    if (b.type === 'read') {
      reply = store.has(key) ? { type: 'read_ok', value: store.get(key) } : { type: 'error', code: 20, text: 'key does not exist' };
    } else if (b.type === 'write') {
      store.set(key, b['value']);
      reply = { type: 'write_ok' };
    } else if (b.type === 'cas') {
      if (!store.has(key)) {
        if (b['create_if_not_exists'] === true) {
          store.set(key, b['to']);
          reply = { type: 'cas_ok' };
        } else {
          reply = { type: 'error', code: 20, text: 'key does not exist' };
        }
      } else if (!isDeepStrictEqual(store.get(key), b['from'])) {
        reply = { type: 'error', code: 22, text: `expected ${JSON.stringify(b['from'])}, had ${JSON.stringify(store.get(key))}` };
      } else {
        store.set(key, b['to']);
        reply = { type: 'cas_ok' };
      }
    } else {
      reply = { type: 'error', code: 10, text: 'unsupported' };
    }
    t.clock.setTimer(1, () =>
      t.transport.inject(JSON.stringify({ src: 'lin-kv', dest: msg.src, body: { ...reply, in_reply_to: b.msg_id } })),
    );
  });
  return store;
}

async function run<T>(t: KVTestNode, op: Promise<T>): Promise<T> {
  await t.clock.run();
  return op;
}

describe('KV client', () => {
  it('writes, reads, and compares-and-sets', async () => {
    const t = testNode();
    t.init();
    const store = fakeKV(t);
    const kv = new KV<string, number>(t.node, 'lin-kv');
    await run(t, kv.write('x', 1));
    assert.equal(await run(t, kv.read('x')), 1);
    await run(t, kv.cas('x', 1, 2));
    assert.equal(store.get('x'), 2);
  });

  it('reports a missing key as error 20, and readOr falls back', async () => {
    const t = testNode();
    t.init();
    fakeKV(t);
    const kv = new KV(t.node);
    await assert.rejects(run(t, kv.read('nope')), (err: unknown) => err instanceof RPCError && err.code === 20 && err.definite);
    assert.equal(await run(t, kv.readOr('nope', 0)), 0);
  });

  it('fails a cas whose from does not match with error 22, and creates keys on request', async () => {
    const t = testNode();
    t.init();
    const store = fakeKV(t);
    const kv = new KV<string, number>(t.node);
    await assert.rejects(run(t, kv.cas('c', 0, 1)), { code: 20 });
    await run(t, kv.cas('c', 0, 1, { createIfNotExists: true }));
    assert.equal(store.get('c'), 1);
    await assert.rejects(run(t, kv.cas('c', 0, 5)), { code: 22, name: 'precondition-failed' });
    assert.equal(store.get('c'), 1);
  });

  it('times out like any rpc when the service does not answer', async () => {
    const t = testNode();
    t.init();
    const kv = new KV(t.node, 'seq-kv');
    await assert.rejects(run(t, kv.read('x', { timeoutMs: 50 })), { code: 0 });
    assert.equal(t.clock.now(), 50);
  });
});
