// The txn-list-append and txn-rw-register workloads: Elle's wr-txns
// generator (lengths, read/write mix, per-key values, key retirement, the
// exponential key choice), the --consistency-models check at the command
// line, and the txn client: a reply that does not echo the request's
// micro-ops is malformed, naming the node and the request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, RpcResult } from '../src/harness/client.js';
import { DEFAULT_OPTIONS, OptionError, validateOptions, type TestOptions } from '../src/harness/options.js';
import { Rng } from '../src/harness/rng.js';
import { findWorkload } from '../src/harness/workloads/registry.js';
import { TxnSource, type Mop } from '../src/harness/workloads/txn.js';
import type { Conn } from '../src/harness/workloads/workload.js';
import type { Body } from '../src/harness/types.js';

function draw(n: number, o: Partial<ConstructorParameters<typeof TxnSource>[0]> = {}, seed = 1): { txns: Mop[][]; source: TxnSource } {
  const source = new TxnSource({ keyCount: null, maxTxnLength: 4, maxWritesPerKey: 16, writeF: 'append', ...o });
  const rng = new Rng(seed);
  return { txns: Array.from({ length: n }, () => source.next(rng)), source };
}

test('transactions are 1 to --max-txn-length micro-ops, reads with null values and appends, about half each', () => {
  const { txns } = draw(4000, { maxTxnLength: 3 });
  const lengths = new Set(txns.map((t) => t.length));
  assert.deepEqual([...lengths].sort(), [1, 2, 3]);
  const mops = txns.flat();
  for (const [f, , v] of mops) {
    assert.ok(f === 'r' || f === 'append', `unexpected f ${f}`);
    if (f === 'r') assert.equal(v, null);
    else assert.ok(Number.isInteger(v));
  }
  const reads = mops.filter((m) => m[0] === 'r').length / mops.length;
  assert.ok(reads > 0.45 && reads < 0.55, `read fraction ${reads}`);
});

test('rw-register draws "w" writes; each key gets 1, 2, 3, ... up to --max-writes-per-key, never repeated', () => {
  const { txns } = draw(3000, { writeF: 'w', maxWritesPerKey: 5 });
  const perKey = new Map<unknown, number[]>();
  for (const [f, k, v] of txns.flat()) {
    assert.notEqual(f, 'append');
    if (f !== 'w') continue;
    perKey.set(k, [...(perKey.get(k) ?? []), v as number]);
  }
  assert.ok(perKey.size > 10, 'keys were retired and replaced');
  for (const [k, vs] of perKey) {
    assert.deepEqual(vs, vs.map((_, i) => i + 1), `key ${String(k)} got ${vs.join(',')}`);
    assert.ok(vs.length <= 5);
  }
});

test('a retired key is replaced in place by the largest active key + 1; --key-count keys stay active', () => {
  const { source } = draw(2000, { keyCount: 3, maxWritesPerKey: 2 });
  const keys = source.activeKeys;
  assert.equal(keys.length, 3);
  assert.equal(new Set(keys).size, 3);
  assert.ok(Math.max(...keys) > 10, `keys ${keys.join(',')} were never replaced`);
  // Without --key-count there are Elle's 10.
  assert.equal(draw(1).source.activeKeys.length, 10);
});

test('keys are exponential over the active vector: the last position gets about half the micro-ops', () => {
  const { txns } = draw(5000, { keyCount: 4, maxWritesPerKey: 1_000_000 });
  const counts = [0, 0, 0, 0];
  for (const [, k] of txns.flat()) counts[k as number]!++;
  const total = counts.reduce((a, b) => a + b, 0);
  // 2^i / (2^4 - 1): 1/15, 2/15, 4/15, 8/15.
  [1, 2, 4, 8].forEach((w, i) => {
    const share = counts[i]! / total;
    assert.ok(Math.abs(share - w / 15) < 0.02, `position ${i}: ${share.toFixed(3)}, expected ${(w / 15).toFixed(3)}`);
  });
});

test('the same seed draws the same transactions', () => {
  assert.deepEqual(draw(200, {}, 7).txns, draw(200, {}, 7).txns);
  assert.notDeepEqual(draw(200, {}, 7).txns, draw(200, {}, 8).txns);
});

function optionsFor(workload: string, models: string[]): TestOptions {
  return { ...DEFAULT_OPTIONS, bin: 'x', workload, consistencyModels: models } as TestOptions;
}

test('--consistency-models: known names pass, an unknown one is refused with the list of names', () => {
  for (const w of ['txn-list-append', 'txn-rw-register']) {
    validateOptions(optionsFor(w, ['serializable', 'read-committed']));
    assert.throws(
      () => validateOptions(optionsFor(w, ['serializable', 'serialisable'])),
      (e: unknown) => {
        assert.ok(e instanceof OptionError);
        assert.match(e.message, /^--consistency-models expects model names from .*read-committed.*strict-serializable.*, got "serialisable"$/);
        return true;
      },
    );
  }
});

// ---- the client ----------------------------------------------------------------

/** A connection whose node answers the next RPC with `answer(request body)`. */
function conn(answer: (body: Body) => RpcResult): Conn & { sent: Body[] } {
  const sent: Body[] = [];
  const client = {
    rpc: async (_dest: string, body: Body) => {
      sent.push(body);
      return answer(body);
    },
  } as unknown as Client;
  return { client, node: 'n3', timeoutMs: 5000, final: false, state: undefined, sent };
}

const REQUEST: Mop[] = [['r', 5, null], ['append', 5, 3], ['append', 6, 1]];

async function invoke(workload: string, answer: (body: Body) => RpcResult, value: Mop[] = REQUEST) {
  const def = findWorkload(workload)!;
  const w = def.create(optionsFor(workload, ['strict-serializable']));
  const c = conn(answer);
  return { completion: await w.invoke(c, { f: 'txn', value }), sent: c.sent };
}

const reply = (txn: unknown): RpcResult => ({ kind: 'reply', body: { type: 'txn_ok', in_reply_to: 1, txn } });

test('a txn request carries the micro-ops; a reply echoing them with reads filled in is ok with the reply as value', async () => {
  const { completion, sent } = await invoke('txn-list-append', () => reply([['r', 5, [1, 2]], ['append', 5, 3], ['append', 6, 1]]));
  assert.deepEqual(sent, [{ type: 'txn', txn: REQUEST }]);
  assert.deepEqual(completion, { type: 'ok', value: [['r', 5, [1, 2]], ['append', 5, 3], ['append', 6, 1]] });
  const nullRead = await invoke('txn-list-append', () => reply([['r', 5, null], ['append', 5, 3], ['append', 6, 1]]));
  assert.equal(nullRead.completion.type, 'ok');
});

test('malformed txn replies are info, naming the node, the request and what differs', async () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a micro-op missing', [['r', 5, [1]], ['append', 5, 3]], /has the request's 3 micro-op\(s\) \(got 2\)/],
    ['micro-ops reordered', [['append', 5, 3], ['r', 5, [1]], ['append', 6, 1]], /micro-op 0 with function "r" \(got "append"\)/],
    ['another key', [['r', 5, [1]], ['append', 7, 3], ['append', 6, 1]], /micro-op 1 on key 5 \(got 7\)/],
    ['another appended value', [['r', 5, [1]], ['append', 5, 4], ['append', 6, 1]], /micro-op 1, an append, with value 3 \(got 4\)/],
    ['a read that is not a list', [['r', 5, 7], ['append', 5, 3], ['append', 6, 1]], /micro-op 0, a read, with the list read \(an array\) or null \(got 7\)/],
    ['a two-element micro-op', [['r', 5], ['append', 5, 3], ['append', 6, 1]], /micro-op 0 as a 3-element \[f, k, v\] array/],
    ['no txn at all', undefined, /is an array of micro-ops/],
  ];
  for (const [what, txn, expected] of cases) {
    const { completion } = await invoke('txn-list-append', () => reply(txn));
    assert.equal(completion.type, 'info', what);
    assert.deepEqual(completion.value, REQUEST, what);
    const error = String(completion.error);
    assert.match(error, /^malformed-rpc-response: expected a txn_ok whose txn /, what);
    assert.match(error, expected, what);
    assert.match(error, /from node n3 to txn/, what);
    assert.ok(error.includes(JSON.stringify(REQUEST)), `${what}: request named in ${error}`);
  }
});

test('rw-register: a read may return any value, a write must keep its value', async () => {
  const req: Mop[] = [['r', 1, null], ['w', 1, 6]];
  assert.equal((await invoke('txn-rw-register', () => reply([['r', 1, 8], ['w', 1, 6]]), req)).completion.type, 'ok');
  assert.equal((await invoke('txn-rw-register', () => reply([['r', 1, null], ['w', 1, 6]]), req)).completion.type, 'ok');
  const bad = (await invoke('txn-rw-register', () => reply([['r', 1, 8], ['w', 1, 7]]), req)).completion;
  assert.equal(bad.type, 'info');
  assert.match(String(bad.error), /micro-op 1, a write, with value 6 \(got 7\)/);
});

test('errors: a definite one (txn-conflict) fails, crash and timeouts are info; the value stays the request', async () => {
  const error = (code: number, text: string): RpcResult => ({ kind: 'reply', body: { type: 'error', in_reply_to: 1, code, text } });
  const conflict = (await invoke('txn-list-append', () => error(30, 'CAS failed!'))).completion;
  assert.deepEqual(conflict, { type: 'fail', value: REQUEST, error: ['txn-conflict', 'CAS failed!'] });
  const crash = (await invoke('txn-list-append', () => error(13, 'boom'))).completion;
  assert.deepEqual(crash, { type: 'info', value: REQUEST, error: ['crash', 'boom'] });
  const timeout = (await invoke('txn-rw-register', () => ({ kind: 'timeout' }))).completion;
  assert.deepEqual(timeout, { type: 'info', value: REQUEST, error: 'net-timeout' });
});

test('both workloads are registered with reusable clients, no final phase and their reference nodes', () => {
  for (const [name, bin] of [['txn-list-append', 'eddy-txn-list-append'], ['txn-rw-register', 'eddy-txn-rw-register']] as const) {
    const def = findWorkload(name)!;
    assert.equal(def.defaultNode?.bin, bin);
    assert.deepEqual([...def.flags].sort(), ['consistency-models', 'key-count', 'max-txn-length', 'max-writes-per-key']);
    const w = def.create(optionsFor(name, ['serializable']));
    assert.equal(w.final, null);
    assert.equal(w.reusableClient, true);
  }
});
