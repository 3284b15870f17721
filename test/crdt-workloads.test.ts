// The unique-ids, g-set, g-counter and pn-counter workloads as Maelstrom
// runs them (spec 2.1-2.3, 1.3): their op mixes, which failures are `fail`
// and which `info` (unique-ids has with-errors; the CRDT workloads have
// none, so even a definite error is `info`), closed reply schemas, which
// clients are reused after an `info`, and the final reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, RpcResult } from '../src/harness/client.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { Rng } from '../src/harness/rng.js';
import { findWorkload } from '../src/harness/workloads/registry.js';
import type { Conn, DrawContext, FinalContext, OpSpec, Workload } from '../src/harness/workloads/workload.js';
import type { Body } from '../src/harness/types.js';

function create(name: string): Workload {
  const def = findWorkload(name);
  assert.ok(def !== undefined, `${name} is registered`);
  return def.create({ ...DEFAULT_OPTIONS, bin: 'x', workload: name } as TestOptions);
}

/** Draws n operations from a workload's main generator. */
function draws(name: string, n: number, seed = 1): OpSpec[] {
  const w = create(name);
  const rng = new Rng(seed);
  const ctx = { rng, nowMs: 0, workerCount: 1, nodeCount: 1, isFree: () => true, processOf: () => 0, defaultWorker: 0 } as DrawContext;
  return Array.from({ length: n }, () => {
    const d = w.generator.draw(ctx);
    assert.ok(!('pending' in d));
    return { f: d.f, value: d.value };
  });
}

/** A connection whose node answers every RPC with `answer(request body)`. */
function conn(answer: (body: Body) => RpcResult): Conn & { sent: Body[] } {
  const sent: Body[] = [];
  const client = {
    rpc: async (_dest: string, body: Body) => {
      sent.push(body);
      return answer(body);
    },
  } as unknown as Client;
  return { client, node: 'n1', timeoutMs: 5000, final: false, state: undefined, sent };
}

async function invoke(name: string, op: OpSpec, answer: (body: Body) => RpcResult) {
  const c = conn(answer);
  return { completion: await create(name).invoke(c, op), sent: c.sent };
}

const reply = (body: Record<string, unknown>): RpcResult => ({ kind: 'reply', body: { in_reply_to: 1, ...body } as Body });
const error = (code: number, text: string): RpcResult => reply({ type: 'error', code, text });
const timeout = (): RpcResult => ({ kind: 'timeout' });

// ---- unique-ids ----------------------------------------------------------------

test('unique-ids: every op is a generate; the returned id, whatever JSON it is, is the ok value', async () => {
  assert.ok(draws('unique-ids', 50).every((op) => op.f === 'generate' && op.value === null));
  for (const id of [7, 'n1-3', [1, 'a'], null, { a: 1 }]) {
    const { completion, sent } = await invoke('unique-ids', { f: 'generate', value: null }, () => reply({ type: 'generate_ok', id }));
    assert.deepEqual(sent, [{ type: 'generate' }]);
    assert.deepEqual(completion, { type: 'ok', value: id });
  }
});

test('unique-ids has with-errors: a definite error fails, a crash, an unknown code or a timeout is info', async () => {
  const op = { f: 'generate', value: null };
  assert.deepEqual((await invoke('unique-ids', op, () => error(11, 'busy'))).completion, { type: 'fail', value: null, error: ['temporarily-unavailable', 'busy'] });
  assert.deepEqual((await invoke('unique-ids', op, () => error(13, 'boom'))).completion, { type: 'info', value: null, error: ['crash', 'boom'] });
  assert.equal((await invoke('unique-ids', op, () => error(1000, 'custom'))).completion.type, 'info');
  assert.deepEqual((await invoke('unique-ids', op, timeout)).completion, { type: 'info', value: null, error: 'net-timeout' });
});

test('unique-ids: a generate_ok without an id, or with a field the schema does not list, is malformed (info)', async () => {
  const op = { f: 'generate', value: null };
  const missing = (await invoke('unique-ids', op, () => reply({ type: 'generate_ok' }))).completion;
  assert.equal(missing.type, 'info');
  assert.match(String(missing.error), /^malformed-rpc-response: expected a generate_ok with an id from node n1/);
  const extra = (await invoke('unique-ids', op, () => reply({ type: 'generate_ok', id: 1, node: 'n1' }))).completion;
  assert.equal(extra.type, 'info');
  assert.match(String(extra.error), /no fields besides type, in_reply_to, msg_id, id \(got node\)/);
  const msgId = (await invoke('unique-ids', op, () => reply({ type: 'generate_ok', id: 1, msg_id: 'x' }))).completion;
  assert.match(String(msgId.error), /an integer msg_id/);
  assert.equal((await invoke('unique-ids', op, () => reply({ type: 'generate_ok', id: 1, msg_id: 4 }))).completion.type, 'ok');
});

test('unique-ids: the client is reused after an info, and there is no final phase', () => {
  const w = create('unique-ids');
  assert.equal(w.reusableClient, true);
  assert.equal(w.final, null);
});

// ---- g-set ----------------------------------------------------------------------

test('g-set: adds of 0, 1, 2, ... in emission order and reads, about half each', () => {
  const ops = draws('g-set', 4000);
  const adds = ops.filter((o) => o.f === 'add').map((o) => o.value);
  assert.deepEqual(adds, adds.map((_, i) => i));
  assert.ok(ops.every((o) => o.f === 'add' || (o.f === 'read' && o.value === null)));
  assert.ok(Math.abs(adds.length / ops.length - 0.5) < 0.03, `add fraction ${adds.length / ops.length}`);
});

test('g-set: add sends the element and keeps it as value; read returns the array', async () => {
  const add = await invoke('g-set', { f: 'add', value: 3 }, () => reply({ type: 'add_ok' }));
  assert.deepEqual(add.sent, [{ type: 'add', element: 3 }]);
  assert.deepEqual(add.completion, { type: 'ok', value: 3 });
  const read = await invoke('g-set', { f: 'read', value: null }, () => reply({ type: 'read_ok', value: [0, 3] }));
  assert.deepEqual(read.sent, [{ type: 'read' }]);
  assert.deepEqual(read.completion, { type: 'ok', value: [0, 3] });
});

test('g-set has no with-errors: even a definite error is info, and a timeout is "indeterminate: Client read timeout"', async () => {
  const definite = (await invoke('g-set', { f: 'add', value: 1 }, () => error(11, 'busy'))).completion;
  assert.equal(definite.type, 'info');
  assert.equal(definite.value, 1);
  assert.match(String(definite.error), /^indeterminate: temporarily-unavailable/);
  const readTimeout = (await invoke('g-set', { f: 'read', value: null }, timeout)).completion;
  assert.deepEqual(readTimeout, { type: 'info', value: null, error: 'indeterminate: Client read timeout' });
});

test('g-set: a read_ok using the docstring\'s "elements" key, or with an extra field, is malformed (info)', async () => {
  const elements = (await invoke('g-set', { f: 'read', value: null }, () => reply({ type: 'read_ok', elements: [1] }))).completion;
  assert.equal(elements.type, 'info');
  assert.match(String(elements.error), /expected a read_ok with a value array/);
  const extra = (await invoke('g-set', { f: 'add', value: 1 }, () => reply({ type: 'add_ok', element: 1 }))).completion;
  assert.equal(extra.type, 'info');
  assert.match(String(extra.error), /expected an add_ok with no fields besides type, in_reply_to, msg_id \(got element\)/);
});

test('g-set and both counters: a fresh client after every info, and one final read per worker', () => {
  for (const name of ['g-set', 'g-counter', 'pn-counter']) {
    const w = create(name);
    assert.equal(w.reusableClient, false, name);
    assert.ok(w.final !== null, name);
    const ctx = (worker: number): FinalContext => ({ rng: new Rng(1), nowMs: 0, worker, process: worker, workerCount: 2 });
    assert.deepEqual(w.final.next(ctx(0)), { f: 'read', value: null }, name);
    assert.deepEqual(w.final.next(ctx(1)), { f: 'read', value: null }, name);
    assert.deepEqual(w.final.next(ctx(0)), { done: true }, name);
    assert.deepEqual(w.final.next(ctx(1)), { done: true }, name);
  }
});

// ---- counters -------------------------------------------------------------------

test('pn-counter: reads and adds 50/50, deltas uniform over -5..4', () => {
  const ops = draws('pn-counter', 20000);
  const deltas = ops.filter((o) => o.f === 'add').map((o) => o.value as number);
  assert.ok(Math.abs(deltas.length / ops.length - 0.5) < 0.02, `add fraction ${deltas.length / ops.length}`);
  const counts = new Map<number, number>();
  for (const d of deltas) counts.set(d, (counts.get(d) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]);
  for (const [d, n] of counts) assert.ok(Math.abs(n / deltas.length - 0.1) < 0.015, `delta ${d}: ${n / deltas.length}`);
});

test('g-counter: negative adds are redrawn, so reads are 2/3 of the ops and deltas uniform over 0..4', () => {
  const ops = draws('g-counter', 30000);
  const deltas = ops.filter((o) => o.f === 'add').map((o) => o.value as number);
  assert.ok(Math.abs(1 - deltas.length / ops.length - 2 / 3) < 0.02, `read fraction ${1 - deltas.length / ops.length}`);
  assert.deepEqual([...new Set(deltas)].sort(), [0, 1, 2, 3, 4]);
});

test('counters: add sends delta; read must return an integer, a float or a string is malformed (info)', async () => {
  for (const name of ['g-counter', 'pn-counter']) {
    const add = await invoke(name, { f: 'add', value: 2 }, () => reply({ type: 'add_ok' }));
    assert.deepEqual(add.sent, [{ type: 'add', delta: 2 }]);
    assert.deepEqual(add.completion, { type: 'ok', value: 2 });
    assert.deepEqual((await invoke(name, { f: 'read', value: null }, () => reply({ type: 'read_ok', value: -4 }))).completion, { type: 'ok', value: -4 });
    for (const value of [1.5, '3', null]) {
      const bad = (await invoke(name, { f: 'read', value: null }, () => reply({ type: 'read_ok', value }))).completion;
      assert.equal(bad.type, 'info', `${name} ${JSON.stringify(value)}`);
      assert.match(String(bad.error), /expected a read_ok with an integer value from node n1 to read/);
    }
  }
});

test('counters have no with-errors: a definite error on add is info (the add may have happened)', async () => {
  for (const name of ['g-counter', 'pn-counter']) {
    const c = (await invoke(name, { f: 'add', value: 4 }, () => error(22, 'nope'))).completion;
    assert.equal(c.type, 'info', name);
    assert.equal(c.value, 4);
    assert.match(String(c.error), /^indeterminate: precondition-failed/);
    assert.equal((await invoke(name, { f: 'add', value: 4 }, timeout)).completion.type, 'info');
  }
});

test('each workload names its reference node, and g-counter is Gossip Glomers 4, unique-ids 2', () => {
  const expect: Record<string, [string, string | null]> = {
    'unique-ids': ['eddy-unique-ids', '2'],
    'g-set': ['eddy-g-set', null],
    'g-counter': ['eddy-g-counter', '4'],
    'pn-counter': ['eddy-pn-counter', null],
  };
  for (const [name, [bin, challenge]] of Object.entries(expect)) {
    const def = findWorkload(name)!;
    assert.equal(def.defaultNode?.bin, bin);
    assert.equal(def.challenge, challenge);
  }
});
