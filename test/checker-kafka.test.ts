// The kafka checker on literal histories: one scenario per anomaly kind of
// the spec's table (section 2.5), the allowed kinds not invalidating, the
// two cases where Maelstrom's checker crashes, and offsets far too large or
// sparse for a checker that indexes by offset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALLOWED_ERROR_TYPES, checkKafka, type KafkaResult } from '../src/harness/checker/kafka.js';
import type { Op } from '../src/harness/types.js';

/** A history builder: each call appends one op; time advances 1 s per op unless given. */
class H {
  readonly ops: Op[] = [];
  #t = 0;
  inv(process: number, f: string, value: unknown): this {
    return this.#add(process, 'invoke', f, value);
  }
  done(process: number, type: 'ok' | 'fail' | 'info', f: string, value: unknown, error?: unknown): this {
    return this.#add(process, type, f, value, error);
  }
  /** An invocation and its completion, back to back. */
  op(process: number, type: 'ok' | 'fail' | 'info', f: string, invokeValue: unknown, value: unknown = invokeValue, error?: unknown): this {
    return this.inv(process, f, invokeValue).done(process, type, f, value, error);
  }
  send(process: number, key: string, msg: unknown, offset: number): this {
    return this.op(process, 'ok', 'send', [['send', key, msg]], [['send', key, [offset, msg]]]);
  }
  poll(process: number, msgs: Record<string, [number, unknown][]>): this {
    return this.op(process, 'ok', 'poll', [['poll']], [['poll', msgs]]);
  }
  #add(process: number, type: Op['type'], f: string, value: unknown, error?: unknown): this {
    const op: Op = { index: this.ops.length, time: this.#t++ * 1e9, process, type, f, value };
    if (error !== undefined) op.error = error;
    this.ops.push(op);
    return this;
  }
}

function errs(r: KafkaResult, type: string): unknown[] {
  const entry = r[type] as { count: number; errs: unknown[] } | undefined;
  assert.ok(entry !== undefined, `expected a ${type} entry, got error types ${JSON.stringify(r['error-types'])}`);
  assert.equal(entry.count >= entry.errs.length, true);
  return entry.errs;
}

test('a clean history is valid, with Maelstrom result keys and no errors', () => {
  const h = new H().send(0, '1', 1, 0).send(0, '1', 2, 1).poll(1, { '1': [[0, 1], [1, 2]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], true);
  assert.deepEqual(r['error-types'], []);
  assert.deepEqual(r['bad-error-types'], []);
  assert.deepEqual(r['info-txn-causes'], []);
  assert.deepEqual(Object.keys(r).sort(), ['bad-error-types', 'error-types', 'info-txn-causes', 'valid?', 'worst-realtime-lag']);
});

test('inconsistent-offsets: two messages at one offset of a key', () => {
  const h = new H().send(0, 'a', 1, 0).send(1, 'a', 2, 0).poll(0, { a: [[0, 1]] }).poll(1, { a: [[0, 2]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], false);
  assert.deepEqual(errs(r, 'inconsistent-offsets'), [{ key: 'a', offset: 0, index: 0, values: [1, 2] }]);
  assert.ok(r['bad-error-types']!.includes('inconsistent-offsets'));
});

test('duplicate: one message at two offsets, real offsets reported', () => {
  const h = new H().send(0, 'a', 1, 0).poll(1, { a: [[0, 1], [7, 1]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], false);
  assert.deepEqual(errs(r, 'duplicate'), [{ key: 'a', value: 1, count: 2, offsets: [0, 7] }]);
});

test('lost-write: a committed message below the highest read index that no ok poll read', () => {
  const h = new H().send(0, 'a', 1, 0).send(0, 'a', 2, 1).send(0, 'a', 3, 2).poll(1, { a: [[0, 1]] }).poll(2, { a: [[2, 3]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], false);
  const [e] = errs(r, 'lost-write') as Record<string, unknown>[];
  assert.equal(e!['key'], 'a');
  assert.equal(e!['value'], 2);
  assert.equal(e!['index'], 1);
  assert.equal(e!['max-read-index'], 2);
  assert.equal((e!['writer'] as Op).index, 3);
  assert.equal((e!['max-read'] as Op).index, 9);
  assert.deepEqual(r['error-types'], ['lost-write', 'unseen']);
});

test('an info send whose message was read counts as committed for lost-write; an unread info send does not', () => {
  const h = new H()
    .op(0, 'info', 'send', [['send', 'a', 1]], [['send', 'a', 1]], 'net-timeout')
    .send(1, 'a', 2, 1)
    .send(1, 'a', 3, 2)
    .poll(2, { a: [[0, 1], [2, 3]] })
    .poll(3, { a: [[1, 2]] });
  const r = checkKafka(h.ops);
  // 1 was read, so its writer is committed; nothing is lost, but the poll skipped index 1 internally.
  assert.equal(r['lost-write'], undefined);
  assert.deepEqual(r['info-txn-causes'], ['net-timeout']);
  const h2 = new H().op(0, 'info', 'send', [['send', 'a', 9]], [['send', 'a', 9]], 'net-timeout').send(1, 'a', 2, 1).poll(2, { a: [[1, 2]] });
  assert.equal(checkKafka(h2.ops)['valid?'], true);
});

test('unseen: an acknowledged send no ok poll ever read, with its count and messages', () => {
  const h = new H().send(0, 'a', 1, 0).send(0, 'b', 5, 0).poll(1, { a: [[0, 1]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], false);
  assert.deepEqual(r['unseen'], { time: 5e9, unseen: { b: 1 }, messages: { b: [5] } });
  assert.deepEqual(r['bad-error-types'], ['unseen']);
});

test('poll-skip: one process jumps past a message between two polls', () => {
  const h = new H()
    .send(0, 'a', 1, 0)
    .send(0, 'a', 2, 1)
    .send(0, 'a', 3, 2)
    .poll(1, { a: [[0, 1]] })
    .poll(1, { a: [[2, 3]] })
    .poll(2, { a: [[0, 1], [1, 2], [2, 3]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], false);
  assert.deepEqual(r['bad-error-types'], ['poll-skip']);
  const [e] = errs(r, 'poll-skip') as Record<string, unknown>[];
  assert.equal(e!['key'], 'a');
  assert.equal(e!['delta'], 2);
  assert.deepEqual(e!['skipped'], [2]);
  assert.deepEqual((e!['ops'] as Op[]).map((o) => o.index), [7, 9]);
});

test('an ok assign that does not list a key stops poll-skip tracking of it; one that lists it keeps it', () => {
  const base = (assigned: string[]): H =>
    new H()
      .send(0, 'a', 1, 0)
      .send(0, 'a', 2, 1)
      .send(0, 'a', 3, 2)
      .poll(1, { a: [[0, 1]] })
      .op(1, 'ok', 'assign', assigned)
      .poll(1, { a: [[2, 3]] })
      .poll(2, { a: [[0, 1], [1, 2], [2, 3]] });
  assert.equal(checkKafka(base(['b']).ops)['valid?'], true);
  assert.deepEqual(checkKafka(base(['a', 'b']).ops)['bad-error-types'], ['poll-skip']);
});

test('nonmonotonic-poll: a process polls from at or before where it left off', () => {
  const h = new H().send(0, 'a', 1, 0).send(0, 'a', 2, 1).poll(1, { a: [[0, 1], [1, 2]] }).poll(1, { a: [[1, 2]] });
  const r = checkKafka(h.ops);
  assert.deepEqual(r['bad-error-types'], ['nonmonotonic-poll']);
  const [e] = errs(r, 'nonmonotonic-poll') as Record<string, unknown>[];
  assert.deepEqual(e!['values'], [2, 2]);
  assert.equal(e!['delta'], 0);
});

test('int-poll-skip and int-nonmonotonic-poll: gaps and reversals inside one poll', () => {
  const skip = new H().send(0, 'a', 1, 0).send(0, 'a', 2, 1).send(0, 'a', 3, 2).poll(1, { a: [[0, 1], [2, 3]] }).poll(2, { a: [[1, 2]] });
  const r1 = checkKafka(skip.ops);
  assert.deepEqual(r1['bad-error-types'], ['int-poll-skip']);
  assert.deepEqual(errs(r1, 'int-poll-skip'), [{ key: 'a', values: [1, 3], delta: 2, skipped: [2], op: skip.ops[7] }]);
  const back = new H().send(0, 'a', 1, 0).send(0, 'a', 2, 1).poll(1, { a: [[1, 2], [0, 1]] });
  const r2 = checkKafka(back.ops);
  assert.deepEqual(r2['bad-error-types'], ['int-nonmonotonic-poll']);
  assert.equal((errs(r2, 'int-nonmonotonic-poll')[0] as { delta: number }).delta, -1);
});

test('nonmonotonic-send: a process sends to a key and lands before its previous send', () => {
  const h = new H().send(0, 'a', 1, 1).send(0, 'a', 2, 0).poll(1, { a: [[0, 2], [1, 1]] });
  const r = checkKafka(h.ops);
  assert.deepEqual(r['bad-error-types'], ['nonmonotonic-send']);
  const [e] = errs(r, 'nonmonotonic-send') as Record<string, unknown>[];
  assert.deepEqual(e!['values'], [1, 2]);
  assert.equal(e!['delta'], -1);
});

test('int-send-skip is allowed, int-nonmonotonic-send is not (two sends in one operation)', () => {
  const skip = new H()
    .op(0, 'ok', 'send', [['send', 'a', 1], ['send', 'a', 3]], [['send', 'a', [0, 1]], ['send', 'a', [2, 3]]])
    .send(1, 'a', 2, 1)
    .poll(2, { a: [[0, 1], [1, 2], [2, 3]] });
  const r1 = checkKafka(skip.ops);
  assert.deepEqual(r1['error-types'], ['int-send-skip']);
  assert.deepEqual(r1['bad-error-types'], []);
  assert.equal(r1['valid?'], true);
  const back = new H().op(0, 'ok', 'send', [['send', 'a', 2], ['send', 'a', 1]], [['send', 'a', [1, 2]], ['send', 'a', [0, 1]]]).poll(2, { a: [[0, 1], [1, 2]] });
  assert.deepEqual(checkKafka(back.ops)['bad-error-types'], ['int-nonmonotonic-send']);
});

test('the G0 family and PL-1 cycle-exists are in the allowed set; G1c-realtime is not', () => {
  for (const t of ['int-send-skip', 'G0', 'G0-process', 'G0-realtime', 'PL-1-cycle-exists', 'strong-PL-1-cycle-exists']) assert.ok(ALLOWED_ERROR_TYPES.has(t), t);
  assert.equal(ALLOWED_ERROR_TYPES.has('G1c-realtime'), false);
});

test('G1a: an ok poll reads a message whose send failed', () => {
  const h = new H().op(0, 'fail', 'send', [['send', 'a', 5]], [['send', 'a', 5]], ['temporarily-unavailable', 'no']).poll(1, { a: [[0, 5]] });
  const r = checkKafka(h.ops);
  assert.deepEqual(r['bad-error-types'], ['G1a']);
  const [e] = errs(r, 'G1a') as Record<string, unknown>[];
  assert.equal(e!['key'], 'a');
  assert.equal(e!['value'], 5);
  assert.equal((e!['writer'] as Op).index, 1);
  assert.equal((e!['reader'] as Op).index, 3);
});

test('precommitted-read: an operation reads its own send', () => {
  const h = new H().op(0, 'ok', 'txn', [['send', 'a', 1], ['poll']], [['send', 'a', [0, 1]], ['poll', { a: [[0, 1]] }]]);
  const r = checkKafka(h.ops);
  assert.ok(r['bad-error-types']!.includes('precommitted-read'));
});

test('G1c-realtime: a poll reads a message whose send began after the poll ended', () => {
  const h = new H().poll(1, { a: [[0, 7]] }).send(0, 'a', 7, 0);
  const r = checkKafka(h.ops);
  assert.deepEqual(r['bad-error-types'], ['G1c-realtime']);
  const [e] = errs(r, 'G1c-realtime') as { cycle: Op[]; steps: { type: string }[] }[];
  assert.deepEqual(e!.cycle.map((o) => o.index), [3, 1, 3]);
  assert.deepEqual(e!.steps.map((s) => s.type), ['wr', 'realtime']);
  // Overlapping send and poll are no cycle.
  const overlap = new H().inv(0, 'send', [['send', 'a', 7]]).poll(1, { a: [[0, 7]] }).done(0, 'ok', 'send', [['send', 'a', [0, 7]]]);
  assert.equal(checkKafka(overlap.ops)['valid?'], true);
});

test('a message read that nobody sent: unknown, naming key and offset, no stack trace', () => {
  const h = new H().send(0, 'a', 1, 0).poll(1, { a: [[0, 1], [1, 99]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], 'unknown');
  assert.match(r.error!, /^Key "a" offset 1 holds message 99, which no client ever sent/);
  assert.deepEqual(Object.keys(r).sort(), ['error', 'valid?']);
});

test('a key only ever polled as an empty list: unknown, naming the key', () => {
  const h = new H().send(0, 'a', 1, 0).poll(1, { a: [[0, 1]], z: [] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], 'unknown');
  assert.match(r.error!, /^Key "z" appears in ok polls only as an empty list/);
  assert.match(r.error!, /offset -1/);
});

test('worst realtime lag: how long a poll lagged behind an offset already known to exist, in seconds', () => {
  // Offset 1 of a is known at t=3 s (the send's completion); process 2 polls from t=6 s and sees only offset 0.
  const h = new H().send(0, 'a', 1, 0).send(0, 'a', 2, 1).op(2, 'ok', 'assign', ['a']).poll(2, { a: [[0, 1]] }).poll(3, { a: [[0, 1], [1, 2]] });
  const r = checkKafka(h.ops);
  assert.equal(r['valid?'], true);
  assert.deepEqual(r['worst-realtime-lag'], { time: 6, process: 2, key: 'a', lag: 3 });
  assert.deepEqual(checkKafka([])['worst-realtime-lag'], { time: 0, lag: 0 });
});

test('offsets in the billions and sparse cost nothing: a poll-skip over them is found at once', () => {
  const base = 4_000_000_000_000;
  const h = new H()
    .send(0, 'a', 1, base)
    .send(0, 'a', 2, base + 1_000_000_000)
    .send(0, 'a', 3, base + 7_000_000_000)
    .poll(1, { a: [[base, 1]] })
    .poll(1, { a: [[base + 7_000_000_000, 3]] })
    .poll(2, { a: [[base, 1], [base + 1_000_000_000, 2], [base + 7_000_000_000, 3]] });
  const t0 = performance.now();
  const r = checkKafka(h.ops);
  assert.ok(performance.now() - t0 < 200);
  assert.deepEqual(r['bad-error-types'], ['poll-skip']);
  assert.deepEqual((errs(r, 'poll-skip')[0] as { skipped: unknown[] }).skipped, [2]);
});

test('examples are trimmed as Maelstrom trims them: the 8 largest poll-skips, counted in full', () => {
  const h = new H();
  for (let i = 0; i < 40; i++) h.send(0, 'a', i, i);
  h.poll(9, { a: Array.from({ length: 40 }, (_, i) => [i, i] as [number, unknown]) });
  // Process 1 skips 1, 2, ..., 12 messages in successive polls.
  let at = 0;
  for (let gap = 1; gap <= 4; gap++) {
    h.poll(1, { a: [[at, at]] });
    at += gap + 1;
  }
  for (let k = 0; k < 10; k++) h.poll(2 + k, { a: [[0, 0]] }).poll(2 + k, { a: [[k + 2, k + 2]] });
  const r = checkKafka(h.ops);
  const entry = r['poll-skip'] as { count: number; errs: { delta: number }[] };
  assert.equal(entry.count, 13);
  assert.equal(entry.errs.length, 8);
  assert.deepEqual(entry.errs.map((e) => e.delta), [4, 5, 6, 7, 8, 9, 10, 11]);
});
