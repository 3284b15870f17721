/**
 * Hostile input, generated from a seed: thousands of random and mutated
 * lines (truncated JSON, huge numbers, deep nesting, wrong types for
 * msg_id and in_reply_to, unknown types, replies nobody waits for, binary
 * garbage, `__proto__` keys, very long lines) fed to an echo node. Whatever
 * arrives, the node keeps serving, answers every request that names its
 * sender and a usable msg_id exactly once with the right reply or error
 * code, writes only valid messages, and logs what it skipped and why.
 *
 * The expected outcome of each line is worked out independently of the
 * node (`expectedOutcome`), from Maelstrom's rules, so a change in what
 * the node accepts or answers shows up here.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/harness/rng.js';
import { ERRORS, MemoryTransport, Node, StdioTransport, VirtualClock } from '../src/node/index.js';

const ECHO_BIN = fileURLToPath(new URL('../../bin/eddy-echo', import.meta.url));
const NODE_ID = 'n1';
const INIT_LINE = JSON.stringify({ src: 'c0', dest: NODE_ID, body: { type: 'init', msg_id: 1, node_id: NODE_ID, node_ids: [NODE_ID, 'n2'] } });
const DEEP = 100_000;

// ---------------------------------------------------------------------------
// What should happen to one line: worked out from the protocol, not the node.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Outcome {
  /** The reply the line must get, or null when it must get none. */
  reply: null | { dest: string; inReplyTo: number; check: (body: Record<string, unknown>) => void };
  /** What a log line must say about it, or null when nothing need be logged. */
  log: RegExp | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/** The first field of a message that is wrong, as the node's log should name it, or undefined. */
function firstProblem(m: unknown): string | undefined {
  if (!isObject(m)) return 'a JSON object';
  if (!nonEmptyString(m['src'])) return 'field src';
  if (!nonEmptyString(m['dest'])) return 'field dest';
  const body = m['body'];
  if (!isObject(body)) return 'field body';
  if (typeof body['type'] !== 'string') return 'field body.type';
  if (body['msg_id'] !== undefined && !isId(body['msg_id'])) return 'field body.msg_id';
  // null is Maelstrom's services' "no msg_id to answer" and is accepted.
  if (body['in_reply_to'] !== undefined && body['in_reply_to'] !== null && !isId(body['in_reply_to'])) return 'field body.in_reply_to';
  return undefined;
}

function errorReply(dest: string, inReplyTo: number, code: number): Outcome['reply'] {
  return {
    dest,
    inReplyTo,
    check: (body) => {
      assert.equal(body['type'], 'error');
      assert.equal(body['code'], code, `expected error ${code}, got ${JSON.stringify(body)}`);
      assert.equal(typeof body['text'], 'string');
    },
  };
}

function expectedOutcome(line: string, lineBytesMax: number): Outcome {
  if (line === '') return { reply: null, log: null };
  if (line.length > lineBytesMax) return { reply: null, log: /longer than lineBytesMax/ };
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    return { reply: null, log: /malformed message skipped \(not JSON/ };
  }
  const problem = firstProblem(m);
  if (problem !== undefined) {
    const log = new RegExp(`malformed message skipped \\(expected ${problem.replace('.', '\\.')}`);
    const msg = m as Record<string, unknown>;
    const body = isObject(m) ? msg['body'] : undefined;
    // Answerable: it names who asked and a usable msg_id, and is not a reply or an error.
    if (isObject(m) && nonEmptyString(msg['src']) && isObject(body) && isId(body['msg_id']) && body['in_reply_to'] === undefined && body['type'] !== 'error') {
      return { reply: errorReply(msg['src'], body['msg_id'], 12), log };
    }
    return { reply: null, log };
  }
  const { src, body } = m as { src: string; body: Record<string, unknown> };
  const type = body['type'] as string;
  const msgId = body['msg_id'] as number | undefined;
  if (body['in_reply_to'] !== undefined && type !== 'echo') {
    // A reply nobody waits for: dropped, and only an error is worth a log line.
    return { reply: null, log: type === 'error' ? /unexpected error reply/ : null };
  }
  if (type === 'init') {
    const nodeIds = body['node_ids'];
    const ok = body['node_id'] === NODE_ID && Array.isArray(nodeIds) && nodeIds.every(nonEmptyString) && nodeIds.includes(NODE_ID);
    if (msgId === undefined) return { reply: null, log: ok ? /has no msg_id/ : /init: / };
    if (ok) return { reply: { dest: src, inReplyTo: msgId, check: (b) => assert.deepEqual(b, { type: 'init_ok', in_reply_to: msgId }) }, log: null };
    return { reply: errorReply(src, msgId, 12), log: /init: / };
  }
  if (type === 'echo') {
    if (msgId === undefined) return { reply: null, log: null };
    let echoJson: string | undefined;
    try {
      echoJson = JSON.stringify(body['echo']);
    } catch {
      return { reply: errorReply(src, msgId, 13), log: /could not be serialised/ };
    }
    // What JSON can carry back: 1e400 parsed as Infinity returns as null, -0 as 0.
    const echo: unknown = echoJson === undefined ? undefined : JSON.parse(echoJson);
    return {
      reply: {
        dest: src,
        inReplyTo: msgId,
        check: (b) => {
          assert.equal(b['type'], 'echo_ok');
          assert.deepEqual(b['echo'], echo);
        },
      },
      log: null,
    };
  }
  if (msgId !== undefined && type !== 'error') return { reply: errorReply(src, msgId, 10), log: null };
  return { reply: null, log: /no handler for message type/ };
}

/** Asserts that `line` is a message Maelstrom would accept from node n1, and returns it. */
function checkOutputLine(line: string): { src: string; dest: string; body: Record<string, unknown> } {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch (err) {
    assert.fail(`output line is not JSON (${(err as Error).message}): ${line.slice(0, 200)}`);
  }
  assert.ok(isObject(m), `output is not an object: ${line.slice(0, 200)}`);
  assert.deepEqual(Object.keys(m).sort(), ['body', 'dest', 'src'], `output fields: ${line.slice(0, 200)}`);
  assert.equal(m['src'], NODE_ID);
  assert.ok(nonEmptyString(m['dest']), `output dest: ${line.slice(0, 200)}`);
  const body = m['body'];
  assert.ok(isObject(body), `output body: ${line.slice(0, 200)}`);
  assert.equal(typeof body['type'], 'string');
  assert.ok(isId(body['in_reply_to']), `output in_reply_to: ${line.slice(0, 200)}`);
  assert.equal(body['msg_id'], undefined);
  if (body['type'] === 'error') {
    assert.ok(ERRORS.some((e) => e.code === body['code']), `error code ${String(body['code'])} is in Maelstrom's table`);
    assert.equal(typeof body['text'], 'string');
  }
  return m as { src: string; dest: string; body: Record<string, unknown> };
}

// ---------------------------------------------------------------------------
// Hostile lines, from a seed.

const CLIENTS = ['c1', 'c2', 'c17', 'n2', 'ü', 'x'.repeat(300)];
const TYPES = ['echo', 'echo', 'echo', 'read', 'broadcast', 'topology', 'init', 'error', 'echo_ok', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'ECHO', 'ünïcödé'];
/** Characters that break JSON in interesting ways. */
const NASTY = ['{', '}', '[', ']', '"', ':', ',', '\\', '\u0000', '\u0001', '\u001f', '\ud800', '\udfff', '\ufeff', '\u2028', 'é', '𝄞', '-', 'e', '9', ' ', '\t', '\r', 'n', 'u', 'l'];

function randomString(rng: Rng, maxLength: number): string {
  let s = '';
  const n = rng.int(maxLength + 1);
  for (let i = 0; i < n; i++) {
    const r = rng.float();
    if (r < 0.6) s += String.fromCharCode(32 + rng.int(95));
    else if (r < 0.8) s += rng.pick(NASTY);
    else s += String.fromCharCode(rng.int(0x10000));
  }
  return s;
}

function randomValue(rng: Rng, depth: number): Json {
  const r = rng.int(depth > 3 ? 6 : 9);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.float() < 0.5;
    case 2:
      return rng.intBetween(-1_000_000, 1_000_000);
    case 3:
      return rng.pick([0.5, -0, 1e300, -1e-300, Number.MAX_SAFE_INTEGER, 2 ** 64]);
    case 4:
    case 5:
      return randomString(rng, 20);
    case 6:
    case 7:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default: {
      const o: { [key: string]: Json } = {};
      for (let i = rng.int(5); i > 0; i--) o[rng.pick(['a', 'type', 'msg_id', '__proto__', 'constructor', randomString(rng, 6)])] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

/** A value of the wrong type for msg_id / in_reply_to, as JSON text (1e400 cannot be made with JSON.stringify). */
const BAD_IDS = ['"7"', '1.5', '-3', '-1', 'null', '{}', '[]', '[1]', 'true', '1e400', '-1e400', '18446744073709551616', '9007199254740992', '"" ', '0.0000001'];

function request(rng: Rng, type = 'echo', extra = ''): string {
  const echo = JSON.stringify(randomValue(rng, 0));
  return `{"src":${JSON.stringify(rng.pick(CLIENTS))},"dest":"n1","body":{"type":${JSON.stringify(type)},"msg_id":${rng.int(1 << 30)},"echo":${echo}${extra}}}`;
}

function mutate(rng: Rng, line: string): string {
  let s = line;
  for (let edits = 1 + rng.int(4); edits > 0; edits--) {
    const at = rng.int(s.length + 1);
    const r = rng.int(3);
    if (r === 0) s = s.slice(0, at) + rng.pick(NASTY) + s.slice(at);
    else if (r === 1) s = s.slice(0, at) + s.slice(at + 1);
    else s = s.slice(0, at) + rng.pick(NASTY) + s.slice(at + 1);
  }
  return s;
}

/** One hostile line. `long` allows lines of hundreds of kilobytes and more. */
function hostileLine(rng: Rng, lineBytesMax: number, long: boolean): string {
  const kind = rng.int(long ? 20 : 18);
  switch (kind) {
    case 0:
    case 1:
      return request(rng);
    case 2:
      return request(rng, rng.pick(TYPES));
    case 3: {
      // A reply to an id nobody is waiting for.
      const type = rng.pick(['echo_ok', 'error', 'read_ok', 'init_ok']);
      return `{"src":"n2","dest":"n1","body":{"type":"${type}","in_reply_to":${rng.int(1000)},"code":${rng.int(30)}}}`;
    }
    case 4: {
      // A wrong msg_id or in_reply_to.
      const field = rng.pick(['msg_id', 'in_reply_to']);
      const id = rng.pick(BAD_IDS);
      const msgId = field === 'in_reply_to' && rng.float() < 0.5 ? `,"msg_id":${rng.int(100)}` : '';
      return `{"src":"c1","dest":"n1","body":{"type":${JSON.stringify(rng.pick(TYPES))},"${field}":${id}${msgId}}}`;
    }
    case 5: {
      // A wrong src, dest, body or type.
      const bad = rng.pick(['1', 'null', '""', '[]', '{}', 'true', '"c1"']);
      const which = rng.int(4);
      const src = which === 0 ? bad : '"c1"';
      const dest = which === 1 ? bad : '"n1"';
      const type = which === 3 ? bad : '"echo"';
      const body = which === 2 ? bad : `{"type":${type},"msg_id":${rng.int(100)},"echo":1}`;
      return rng.float() < 0.2 ? `{"dest":${dest},"body":${body}}` : `{"src":${src},"dest":${dest},"body":${body}}`;
    }
    case 6:
      // Truncated JSON.
      {
        const line = request(rng);
        return line.slice(0, rng.int(line.length));
      }
    case 7:
    case 8:
      return mutate(rng, request(rng, rng.pick(TYPES)));
    case 9:
      return randomString(rng, 200);
    case 10:
      return rng.pick(['', ' ', '\t', '   \t ', '\r', '\u0000', '\u0000'.repeat(50), '\ufeff', '{}', '[]', 'null', '0', '"x"', '{"src":"c1"}']);
    case 11: {
      // __proto__ and friends where fields belong.
      const where = rng.int(3);
      if (where === 0) return `{"__proto__":{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":1}},"dest":"n1"}`;
      if (where === 1) return `{"src":"c1","dest":"n1","body":{"__proto__":{"type":"echo"},"msg_id":${rng.int(100)}}}`;
      return `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${rng.int(100)},"__proto__":{"polluted":true},"echo":{"__proto__":[1]}}}`;
    }
    case 12:
      // Huge numbers in valid places.
      return `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${rng.int(100)},"echo":${rng.pick(['1e400', '-1e400', '18446744073709551616', '1e-400', '123456789012345678901234567890'])}}}`;
    case 13:
      // Duplicate keys: the last one wins, as JSON.parse has it.
      return `{"src":"c1","src":${rng.pick(['"c2"', '5'])},"dest":"n1","body":{"type":"echo","msg_id":1,"msg_id":${rng.pick(['2', '"2"'])}}}`;
    case 14:
      return `{"src":"c1","dest":"n1","body":{"type":"init","msg_id":${rng.int(100)},"node_id":${rng.pick(['"n1"', '"n2"', '""', '1', 'null'])},"node_ids":${rng.pick(['["n1","n2"]', '["n2"]', '"n1"', '[""]', '[1]', 'null', '[]'])}}}`;
    case 15:
      // No msg_id: nothing to answer.
      return `{"src":"c1","dest":"n1","body":{"type":${JSON.stringify(rng.pick(TYPES))},"echo":2}}`;
    case 16:
      // A message whose only defect is a deep structure somewhere.
      return request(rng, rng.pick(['echo', 'frob']), `,"deep":${'['.repeat(200)}${']'.repeat(200)}`);
    case 17:
      return `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${rng.int(100)},"echo":${JSON.stringify(randomString(rng, 2000))}}}`;
    case 18:
      // Longer than the node accepts: dropped without parsing.
      return `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":3,"echo":"${'x'.repeat(lineBytesMax)}"}}`;
    default:
      // Long, but within the limit.
      return request(rng, 'echo', `,"pad":"${'y'.repeat(rng.int(lineBytesMax - 200))}"`);
  }
}

/** Lines that are hostile in ways too costly to draw thousands of times. */
function deepLines(): string[] {
  const open = '['.repeat(DEEP);
  const close = ']'.repeat(DEEP);
  return [
    open,
    `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${DEEP},"echo":${open}`,
    `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":77,"echo":${open}${close}}}`,
    `{"src":"c1","dest":"n1","body":{"type":"frob","msg_id":78,"x":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}}`,
    `{"src":${open}${close},"dest":"n1","body":{"type":"echo","msg_id":79}}`,
    `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":80,"echo":"${'z'.repeat(500_000)}"}}`,
  ];
}

// ---------------------------------------------------------------------------

interface FuzzNode {
  transport: MemoryTransport;
  output: string[];
  logs: string[];
}

function echoNode(lineBytesMax: number): FuzzNode {
  const transport = new MemoryTransport();
  const node = new Node({ transport, clock: new VirtualClock(), random: () => 0.5, lineBytesMax });
  node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
  const output: string[] = [];
  const logs: string[] = [];
  transport.onOutput((line) => output.push(line));
  transport.onLog((line) => logs.push(line));
  void node.run();
  return { transport, output, logs };
}

/** Feeds `line` and checks, from `expectedOutcome`, what the node did with it. */
function feedAndCheck(t: FuzzNode, line: string, lineBytesMax: number, counts: Map<string, number>): void {
  const expected = expectedOutcome(line, lineBytesMax);
  t.output.length = 0;
  t.logs.length = 0;
  try {
    t.transport.inject(line);
  } catch (err) {
    assert.fail(`node threw on ${JSON.stringify(line.slice(0, 200))}: ${String(err)}`);
  }
  const shown = JSON.stringify(line.slice(0, 200));
  const replies = t.output.map(checkOutputLine);
  if (expected.reply === null) {
    assert.deepEqual(t.output, [], `no reply expected to ${shown}`);
    counts.set('unanswered', (counts.get('unanswered') ?? 0) + 1);
  } else {
    assert.equal(replies.length, 1, `exactly one reply expected to ${shown}, got ${JSON.stringify(t.output.map((l) => l.slice(0, 200)))}`);
    const reply = replies[0]!;
    assert.equal(reply.dest, expected.reply.dest, `reply to ${shown} goes to the sender`);
    assert.equal(reply.body['in_reply_to'], expected.reply.inReplyTo, `reply to ${shown} names its msg_id`);
    expected.reply.check(reply.body);
    const kind = reply.body['type'] === 'error' ? `error ${String(reply.body['code'])}` : String(reply.body['type']);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  if (expected.log !== null) {
    assert.ok(t.logs.some((l) => expected.log!.test(l)), `a log line matching ${expected.log} expected for ${shown}, got ${JSON.stringify(t.logs.map((l) => l.slice(0, 300)))}`);
  }
  for (const log of t.logs) assert.ok(log.length < 5000, `log lines stay short, got ${log.length} chars`);
}

function assertStillEchoes(t: FuzzNode, msgId: number): void {
  t.output.length = 0;
  t.transport.inject(`{"src":"c9","dest":"n1","body":{"type":"echo","msg_id":${msgId},"echo":"still here"}}`);
  assert.deepEqual(
    t.output.map((l) => JSON.parse(l)),
    [{ src: 'n1', dest: 'c9', body: { type: 'echo_ok', echo: 'still here', in_reply_to: msgId } }],
  );
}

describe('fuzzed input to a node (in memory, seeded)', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 3,000 hostile lines, every usable request answered once, only valid output`, () => {
      const lineBytesMax = 100_000;
      const rng = new Rng(seed);
      const t = echoNode(lineBytesMax);
      t.transport.inject(INIT_LINE);
      const counts = new Map<string, number>();
      for (let i = 0; i < 3000; i++) {
        feedAndCheck(t, hostileLine(rng, lineBytesMax, i % 50 === 0), lineBytesMax, counts);
        if (i % 500 === 499) assertStillEchoes(t, 1_000_000 + i);
      }
      assertStillEchoes(t, 2_000_000);
      // The generator must actually reach each outcome, or this test proves little.
      const minimum = { echo_ok: 200, 'error 10': 50, 'error 12': 50, init_ok: 1, unanswered: 500 };
      for (const [kind, least] of Object.entries(minimum)) {
        assert.ok((counts.get(kind) ?? 0) >= least, `outcome ${kind} drawn only ${counts.get(kind) ?? 0} times: ${JSON.stringify([...counts])}`);
      }
    });
  }

  it('survives nesting 100,000 deep: truncated, in an echo (answered 13), in an unknown type, in src', () => {
    const t = echoNode(1 << 20);
    t.transport.inject(INIT_LINE);
    const counts = new Map<string, number>();
    for (const line of deepLines()) feedAndCheck(t, line, 1 << 20, counts);
    assert.deepEqual(Object.fromEntries(counts), { unanswered: 3, 'error 13': 1, 'error 10': 1, echo_ok: 1 });
    assertStillEchoes(t, 5);
  });

  it('answers 12 naming the field for each wrong msg_id kind it can still answer, and logs the rest', () => {
    const t = echoNode(1 << 20);
    t.transport.inject(INIT_LINE);
    for (const id of BAD_IDS) {
      t.logs.length = 0;
      t.output.length = 0;
      t.transport.inject(`{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${id}}}`);
      assert.deepEqual(t.output, [], `msg_id ${id} cannot be answered`);
      assert.match(t.logs.join('\n'), /expected field body\.msg_id to be an integer from 0 to 2\^53-1/);
    }
    t.output.length = 0;
    t.transport.inject('{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":4,"in_reply_to":1.5}}');
    assert.deepEqual(t.output, [], 'a message with an in_reply_to is a reply, and replies are not answered');
    t.transport.inject('{"src":"c1","dest":7,"body":{"type":"echo","msg_id":4}}');
    assert.deepEqual(JSON.parse(t.output[0]!).body, {
      type: 'error',
      in_reply_to: 4,
      code: 12,
      text: 'expected field dest to be a non-empty string, got number 7',
    });
  });
});

// ---------------------------------------------------------------------------
// Bytes rather than strings: framing under StdioTransport.

describe('fuzzed bytes through StdioTransport framing (seeded)', () => {
  it('cuts random bytes in random chunks into the same lines as splitting the whole input, dropping only over-long ones, while output congests', async () => {
    const lineBytesMax = 300;
    for (const seed of [11, 12, 13, 14]) {
      const rng = new Rng(seed);
      const parts: Buffer[] = [];
      for (let i = 0; i < 400; i++) {
        const r = rng.int(6);
        if (r === 0) parts.push(Buffer.from(Array.from({ length: rng.int(40) }, () => rng.int(256))));
        else if (r === 1) parts.push(Buffer.from('\n'));
        else if (r === 2) parts.push(Buffer.from('\r\n'));
        else if (r === 3) parts.push(Buffer.from('x'.repeat(rng.int(700))));
        else parts.push(Buffer.from(randomString(rng, 30), 'utf8'));
        if (rng.float() < 0.5) parts.push(Buffer.from('\n'));
      }
      const input = Buffer.concat(parts);

      // The reference: split the whole input on newline bytes, decode each line alone.
      const expected: string[] = [];
      let expectedDrops = 0;
      let from = 0;
      while (from < input.length) {
        let nl = input.indexOf(10, from);
        if (nl === -1) nl = input.length;
        const bytes = input.subarray(from, nl);
        if (bytes.length > lineBytesMax) expectedDrops++;
        else {
          const text = bytes.toString('utf8');
          expected.push(text.endsWith('\r') ? text.slice(0, -1) : text);
        }
        from = nl + 1;
      }

      const stream = new PassThrough();
      // A slow reader of output, and lines that answer with big writes, so
      // that input is held mid-chunk and released again, in order.
      const output = new Writable({
        highWaterMark: 1024,
        write(_chunk: Buffer, _encoding, callback) {
          setImmediate(callback);
        },
      });
      const logs: string[] = [];
      const errors = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logs.push(chunk.toString('utf8'));
          callback();
        },
      });
      const transport = new StdioTransport({ input: stream, output, errors, lineBytesMax });
      const lines: string[] = [];
      let heldMax = 0;
      const onLine = (line: string): void => {
        lines.push(line);
        if (rng.float() < 0.2) transport.write('w'.repeat(20_000));
        heldMax = Math.max(heldMax, transport.pendingInputBytes);
      };
      const ended = new Promise<void>((resolve) => transport.start({ onLine, onEnd: resolve }));
      for (let at = 0; at < input.length; ) {
        const size = 1 + rng.int(rng.float() < 0.2 ? 2000 : 64);
        stream.write(input.subarray(at, at + size));
        at += size;
        heldMax = Math.max(heldMax, transport.pendingInputBytes);
        if (rng.float() < 0.3) await new Promise((resolve) => setImmediate(resolve));
      }
      stream.end();
      await ended;
      await transport.flush();
      assert.deepEqual(lines, expected, `seed ${seed}`);
      assert.ok(heldMax > 0, 'input was held while output was congested');
      const drops = logs.join('').split('\n').filter((l) => /^input line of \d+ bytes dropped: longer than lineBytesMax \(300 bytes\)/.test(l));
      assert.equal(drops.length, expectedDrops, `seed ${seed}: one log line per dropped line`);
      assert.ok(expectedDrops > 5, 'the input has over-long lines to drop');
    }
  });
});

// ---------------------------------------------------------------------------
// The same, through a real process.

describe('fuzzed input to bin/eddy-echo (real process)', () => {
  it('answers every usable request among 400 garbage lines and the echo after them, then exits 0', async () => {
    const rng = new Rng(42);
    const lines: Buffer[] = [Buffer.from(INIT_LINE)];
    for (let i = 0; i < 400; i++) {
      const r = rng.int(10);
      if (r === 0) lines.push(Buffer.from(Array.from({ length: rng.int(80) }, () => rng.pick([0, 0xff, 0xfe, 0xc3, 0x80, 0xe2, 0x0d, rng.int(256)])).filter((b) => b !== 10)));
      else if (r === 1) lines.push(Buffer.concat([Buffer.from('{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":'), Buffer.from(String(i)), Buffer.from(',"echo":"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x00]), Buffer.from('"}}')]));
      else lines.push(Buffer.from(hostileLine(rng, 100_000, false), 'utf8'));
    }
    lines.push(Buffer.from('['.repeat(DEEP)));
    lines.push(Buffer.from(`{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":9,"echo":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}}`));
    lines.push(Buffer.from('{"src":"c9","dest":"n1","body":{"type":"echo","msg_id":123456,"echo":"the end"}}'));

    // What the process should answer, in order (the echo node answers synchronously).
    const expected = lines.map((bytes) => {
      let text = bytes.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      return expectedOutcome(text, 64 * 1024 * 1024).reply;
    });
    const expectedReplies = expected.filter((r) => r !== null);

    const child = spawn(ECHO_BIN, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = once(child, 'exit');
    try {
      child.stdin.end(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
      const [code, signal] = await exited;
      assert.equal(code, 0, `exit code; stderr ends: ${stderr.slice(-2000)}`);
      assert.equal(signal, null);
    } finally {
      if (child.exitCode === null) child.kill();
    }
    const out = stdout.split('\n');
    assert.equal(out.pop(), '', 'output ends with a newline');
    const replies = out.map(checkOutputLine);
    assert.equal(replies.length, expectedReplies.length, 'one reply per usable request');
    replies.forEach((reply, i) => {
      const want = expectedReplies[i]!;
      assert.equal(reply.dest, want.dest);
      assert.equal(reply.body['in_reply_to'], want.inReplyTo);
      want.check(reply.body);
    });
    assert.deepEqual(replies.at(-1), { src: 'n1', dest: 'c9', body: { type: 'echo_ok', echo: 'the end', in_reply_to: 123456 } });
    assert.ok(replies.some((r) => r.body['code'] === 13), 'the 100,000-deep echo was answered with error 13');
    assert.match(stderr, /malformed message skipped \(not JSON/);
    assert.match(stderr, /reply could not be serialised as JSON/);
  });
});
