/**
 * How a node answers what arrives: init, handlers and their replies,
 * errors, unknown types, malformed input, timers, and shutdown.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RPCError, type Body } from '../src/node/index.js';
import { settle, testNode } from './node-helpers.js';

describe('init', () => {
  it('sets nodeId and nodeIds and answers init_ok', () => {
    const t = testNode();
    assert.equal(t.node.nodeId, '');
    t.init();
    assert.equal(t.node.nodeId, 'n1');
    assert.deepEqual(t.node.nodeIds, ['n1', 'n2', 'n3']);
    assert.deepEqual(t.take(), [{ src: 'n1', dest: 'c0', body: { type: 'init_ok', in_reply_to: 1 } }]);
  });

  it('waits for async init hooks before init_ok, running them in order', async () => {
    const t = testNode();
    const order: string[] = [];
    let release!: () => void;
    t.node.onInit(async (init) => {
      order.push(`first ${init.body.node_id} ${t.node.nodeId}`);
      await new Promise<void>((resolve) => (release = resolve));
    });
    t.node.onInit(() => void order.push('second'));
    t.init();
    await settle();
    assert.deepEqual(order, ['first n1 n1']);
    assert.deepEqual(t.take(), []);
    release();
    await settle();
    assert.deepEqual(order, ['first n1 n1', 'second']);
    assert.deepEqual(t.take().map((m) => m.body.type), ['init_ok']);
  });

  it('answers init with the error when a hook fails', async () => {
    const t = testNode();
    t.node.onInit(() => {
      throw RPCError.temporarilyUnavailable('disk not ready');
    });
    t.init();
    await settle();
    assert.deepEqual(t.take()[0]!.body, { type: 'error', in_reply_to: 1, code: 11, text: 'disk not ready' });
  });

  it('rejects an init without node_ids with error 12 naming the field', () => {
    const t = testNode();
    t.deliver('c0', { type: 'init', msg_id: 1, node_id: 'n1', node_ids: 'n1,n2' });
    const body = t.take()[0]!.body;
    assert.equal(body['code'], 12);
    assert.match(String(body['text']), /node_ids/);
    assert.equal(t.node.nodeId, '');
  });
});

describe('a second init', () => {
  it('is answered init_ok when it names the same node, and error 12 when it would change the node id', () => {
    const t = testNode();
    t.init();
    t.take();
    t.deliver('c0', { type: 'init', msg_id: 2, node_id: 'n1', node_ids: ['n1', 'n2'] });
    assert.deepEqual(t.take()[0]!.body, { type: 'init_ok', in_reply_to: 2 });
    t.deliver('c0', { type: 'init', msg_id: 3, node_id: 'n2', node_ids: ['n1', 'n2'] });
    const body = t.take()[0]!.body;
    assert.equal(body['code'], 12);
    assert.match(String(body['text']), /already "n1" and cannot become "n2"/);
    assert.equal(t.node.nodeId, 'n1');
  });

  it('is refused with error 12 when node_ids leaves out node_id', () => {
    const t = testNode();
    t.deliver('c0', { type: 'init', msg_id: 1, node_id: 'n4', node_ids: ['n1', 'n2'] });
    assert.match(String(t.take()[0]!.body['text']), /expected field node_ids to include node_id "n4"/);
    assert.equal(t.node.nodeId, '');
  });
});

describe('handlers', () => {
  it('sends what a handler returns as the reply, with in_reply_to', () => {
    const t = testNode();
    t.init();
    t.node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
    t.take();
    t.deliver('c1', { type: 'echo', msg_id: 7, echo: { nested: [1, 'ü'] } });
    assert.deepEqual(t.take(), [{ src: 'n1', dest: 'c1', body: { type: 'echo_ok', echo: { nested: [1, 'ü'] }, in_reply_to: 7 } }]);
  });

  it('sends the reply an async handler resolves with', async () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('read', async () => ({ type: 'read_ok', messages: [1, 2] }));
    t.deliver('c1', { type: 'read', msg_id: 3 });
    await settle();
    assert.deepEqual(t.take()[0]!.body, { type: 'read_ok', messages: [1, 2], in_reply_to: 3 });
  });

  it('lets a handler reply explicitly and return nothing', () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('broadcast', (req) => {
      t.node.reply(req, { type: 'broadcast_ok' });
    });
    t.deliver('c1', { type: 'broadcast', msg_id: 4, message: 9 });
    assert.deepEqual(t.take().map((m) => m.body), [{ type: 'broadcast_ok', in_reply_to: 4 }]);
  });

  it("sets in_reply_to to the request's msg_id even if the body carried another", () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('ping', (req) => {
      t.node.reply(req, { type: 'pong', in_reply_to: 99, n: 1 });
    });
    t.deliver('c1', { type: 'ping', msg_id: 6 });
    assert.deepEqual(t.take()[0]!.body, { type: 'pong', in_reply_to: 6, n: 1 });
  });

  it('replies to msg_id 0 with in_reply_to 0', () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
    t.deliver('c1', { type: 'echo', msg_id: 0, echo: 'zero' });
    assert.deepEqual(t.take()[0]!.body, { type: 'echo_ok', echo: 'zero', in_reply_to: 0 });
  });

  it('sends no reply to a message without msg_id, even when the handler returns one', () => {
    const t = testNode();
    t.init();
    t.take();
    const seen: unknown[] = [];
    t.node.on('gossip', (req) => {
      seen.push(req.body['value']);
      return { type: 'gossip_ok' };
    });
    t.deliver('n2', { type: 'gossip', value: 5 });
    assert.deepEqual(seen, [5]);
    assert.deepEqual(t.take(), []);
  });

  it('refuses a second handler for the same type, and a handler for init', () => {
    const t = testNode();
    t.node.on('echo', () => undefined);
    assert.throws(() => t.node.on('echo', () => undefined), /already registered/);
    assert.throws(() => t.node.on('init', () => undefined), /onInit/);
  });
});

describe('errors from handlers', () => {
  it('answers with the RPCError a handler throws', () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('read', () => {
      throw RPCError.keyDoesNotExist('no such key: x');
    });
    t.deliver('c1', { type: 'read', msg_id: 2 });
    assert.deepEqual(t.take()[0]!.body, { type: 'error', in_reply_to: 2, code: 20, text: 'no such key: x' });
    assert.deepEqual(t.transport.logs, []);
  });

  it('answers any other exception with code 13 and logs its stack', async () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('echo', () => {
      throw new Error('boom');
    });
    t.node.on('read', async () => {
      throw new TypeError('async boom');
    });
    t.deliver('c1', { type: 'echo', msg_id: 2, echo: 1 });
    t.deliver('c1', { type: 'read', msg_id: 3 });
    await settle();
    assert.deepEqual(
      t.take().map((m) => m.body),
      [
        { type: 'error', in_reply_to: 2, code: 13, text: 'boom' },
        { type: 'error', in_reply_to: 3, code: 13, text: 'async boom' },
      ],
    );
    assert.equal(t.transport.logs.length, 2);
    assert.match(t.transport.logs[0]!, /"echo"[\s\S]*Error: boom\n\s+at /);
    assert.match(t.transport.logs[1]!, /TypeError: async boom/);
  });

  it('answers code 13 when a handler returns something that is not a body', () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('odd', () => 42 as unknown as Body);
    t.deliver('c1', { type: 'odd', msg_id: 5 });
    const body = t.take()[0]!.body;
    assert.equal(body['code'], 13);
    assert.match(String(body['text']), /returned 42/);
  });
});

describe('unknown message types', () => {
  it('answers a request of an unknown type with error 10', () => {
    const t = testNode();
    t.init();
    t.take();
    t.deliver('c1', { type: 'frobnicate', msg_id: 9 });
    assert.deepEqual(t.take(), [
      { src: 'n1', dest: 'c1', body: { type: 'error', in_reply_to: 9, code: 10, text: 'unsupported request type "frobnicate"' } },
    ]);
  });

  it('only logs an unknown message that is not a request', () => {
    const t = testNode();
    t.init();
    t.take();
    t.deliver('n2', { type: 'frobnicate' });
    assert.deepEqual(t.take(), []);
    assert.match(t.transport.logs.join('\n'), /no handler for message type "frobnicate"/);
  });

  it('treats in_reply_to 0 as a reply, not as a request to reject', () => {
    const t = testNode();
    t.init();
    t.take();
    t.deliver('n2', { type: 'frob_ok', msg_id: 5, in_reply_to: 0 });
    assert.deepEqual(t.take(), []);
  });
});

describe('replies that cannot be sent', () => {
  it('answers error 13 and logs when a handler returns a body JSON cannot hold', () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('count', () => ({ type: 'count_ok', value: 10n }));
    t.deliver('c1', { type: 'count', msg_id: 4 });
    const body = t.take()[0]!.body;
    assert.equal(body['code'], 13);
    assert.equal(body['in_reply_to'], 4);
    assert.match(String(body['text']), /reply could not be serialised as JSON: .*BigInt/);
    assert.match(t.transport.logs.join('\n'), /handler for "count" crashed on .*"msg_id":4/);
  });

  it('never answers an error message of an unknown kind (errors could bounce forever)', () => {
    const t = testNode();
    t.init();
    t.take();
    t.deliver('n2', { type: 'error', msg_id: 9, code: 13 });
    assert.deepEqual(t.take(), []);
    assert.match(t.transport.logs.join('\n'), /no handler for message type "error"/);
  });
});

describe('malformed input', () => {
  it('logs and skips bad lines, answers error 12 when it can, and keeps serving', () => {
    const t = testNode();
    t.init();
    t.take();
    t.node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
    const bad = [
      'not json at all',
      '[1, 2, 3]',
      'null',
      '{"src": 1, "dest": "n1", "body": {"type": "echo", "msg_id": 1}}',
      '{"src": "c1", "dest": "n1"}',
      '{"src": "c1", "dest": "n1", "body": {"type": "echo", "msg_id": 1.5}}',
      '{"src": "c1", "dest": "n1", "body": {"type": "echo", "msg_id": 2, "in_reply_to": "x"}}',
      '{"src": "c1", "dest": "n1", "body": {"msg_id": 3, "echo": 1}}',
      '{"src": "c1", "dest": "n1", "body": {"type": "echo", "msg_id": 4',
    ];
    for (const line of bad) t.transport.inject(line);
    assert.equal(t.transport.logs.length, bad.length);
    for (const log of t.transport.logs) assert.match(log, /^malformed message skipped \(/);
    assert.match(t.transport.logs[0]!, /not JSON/);
    assert.match(t.transport.logs[3]!, /expected field src to be a non-empty string, got number 1/);
    assert.match(t.transport.logs[7]!, /expected field body.type to be a string, got nothing/);
    // Only the typeless request says who asked and which request it was.
    assert.deepEqual(t.take(), [
      {
        src: 'n1',
        dest: 'c1',
        body: { type: 'error', in_reply_to: 3, code: 12, text: 'expected field body.type to be a string, got nothing' },
      },
    ]);
    t.deliver('c1', { type: 'echo', msg_id: 10, echo: 'still here' });
    assert.deepEqual(t.take()[0]!.body, { type: 'echo_ok', echo: 'still here', in_reply_to: 10 });
  });

  it('quotes at most about 200 characters of a long bad line', () => {
    const t = testNode();
    t.transport.inject('x'.repeat(100_000));
    const log = t.transport.logs[0]!;
    assert.ok(log.length < 400, `log line is ${log.length} chars`);
    assert.match(log, /\(100000 chars\)/);
  });

  it('ignores empty lines', () => {
    const t = testNode();
    t.transport.inject('');
    assert.deepEqual(t.transport.logs, []);
    assert.deepEqual(t.take(), []);
  });
});

describe('timers', () => {
  it('runs after() once and every() repeatedly on the node clock', () => {
    const t = testNode();
    const fired: string[] = [];
    t.node.after(100, () => fired.push(`after@${t.clock.now()}`));
    const tick = t.node.every(40, () => fired.push(`every@${t.clock.now()}`));
    t.clock.advance(130);
    assert.deepEqual(fired, ['every@40', 'every@80', 'after@100', 'every@120']);
    tick.cancel();
    t.clock.advance(1000);
    assert.equal(fired.length, 4);
    assert.equal(t.clock.pending, 0);
  });

  it('keeps ticking when a timer callback throws, and logs the error', () => {
    const t = testNode();
    let runs = 0;
    t.node.every(10, () => {
      runs++;
      throw new Error('tick failed');
    });
    t.clock.advance(35);
    assert.equal(runs, 3);
    assert.equal(t.transport.logs.length, 3);
    assert.match(t.transport.logs[0]!, /timer callback failed:.*tick failed/);
  });

  it('rejects a non-positive interval', () => {
    const t = testNode();
    assert.throws(() => t.node.every(0, () => undefined), /intervalMs/);
  });
});

describe('run()', () => {
  it('resolves when input ends, with every timer cancelled and rpcs forgotten', async () => {
    const t = testNode();
    t.init();
    t.node.every(10, () => undefined);
    t.node.after(500, () => undefined);
    const call = t.node.rpc('n2', { type: 'ping' });
    void call.catch(() => undefined);
    assert.ok(t.clock.pending >= 3);
    t.transport.end();
    await t.done;
    assert.equal(t.clock.pending, 0);
    assert.equal(t.node.pendingRpcCount, 0);
    // A stopped node schedules nothing more.
    t.node.after(5, () => assert.fail('timer after stop'));
    assert.equal(t.clock.pending, 0);
  });

  it('refuses to run twice', () => {
    const t = testNode();
    assert.throws(() => t.node.run(), /already running/);
  });
});
