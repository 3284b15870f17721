/**
 * StdioTransport over in-process streams: how input is cut into lines, how
 * output is batched, and back-pressure from a slow reader of stdout.
 */

import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Node, StdioTransport, VirtualClock } from '../src/node/index.js';

/** A Writable that records each write call it gets. */
function recorder(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, writes };
}

/** Feeds `chunks` to a StdioTransport one by one and collects the lines it delivers. */
async function linesFrom(chunks: Buffer[]): Promise<string[]> {
  const input = new PassThrough();
  const transport = new StdioTransport({ input, output: recorder().stream, errors: recorder().stream });
  const lines: string[] = [];
  const ended = new Promise<void>((resolve) => transport.start({ onLine: (l) => lines.push(l), onEnd: resolve }));
  for (const chunk of chunks) {
    input.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  input.end();
  await ended;
  return lines;
}

describe('StdioTransport input', () => {
  it('reassembles lines split across chunks', async () => {
    const lines = await linesFrom(['{"a":', '1}\n{"b"', ':2}\n{"c":3}\n'].map((s) => Buffer.from(s)));
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('strips \\r from CRLF line ends and delivers a last line without newline', async () => {
    const lines = await linesFrom([Buffer.from('one\r\ntwo\r'), Buffer.from('\nthree')]);
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });

  it('decodes a UTF-8 character split between two chunks', async () => {
    const bytes = Buffer.from('{"echo":"grüße"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "ü"
    const lines = await linesFrom([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(lines, ['{"echo":"grüße"}']);
  });
});

describe('StdioTransport output', () => {
  it('writes all lines of one turn in a single write, and flush() waits for it', async () => {
    const out = recorder();
    const transport = new StdioTransport({ input: new PassThrough(), output: out.stream, errors: recorder().stream });
    for (let i = 0; i < 1000; i++) transport.write(`{"i":${i}}`);
    assert.equal(out.writes.length, 0, 'nothing is written synchronously');
    await transport.flush();
    assert.equal(out.writes.length, 1);
    const lines = out.writes[0]!.split('\n');
    assert.equal(lines.pop(), '', 'the batch ends with a newline');
    assert.deepEqual(lines, Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`));
  });

  it('writes log lines to the errors stream', async () => {
    const errors = recorder();
    const transport = new StdioTransport({ input: new PassThrough(), output: recorder().stream, errors: errors.stream });
    transport.log('something happened');
    await transport.flush();
    assert.deepEqual(errors.writes, ['something happened\n']);
  });
});

describe('StdioTransport when stdout goes away', () => {
  it('drops further output, logs once, and still flushes', async () => {
    const errors = recorder();
    const output = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const transport = new StdioTransport({ input: new PassThrough(), output, errors: errors.stream });
    transport.start({ onLine: () => undefined, onEnd: () => undefined });
    transport.write('{"first":1}');
    await transport.flush();
    await new Promise((resolve) => setImmediate(resolve));
    transport.write('{"second":2}');
    await transport.flush();
    assert.equal(errors.writes.length, 1);
    assert.match(errors.writes[0]!, /stdout error, dropping further output: write EPIPE/);
  });
});

describe('StdioTransport back-pressure', () => {
  it('pauses input while a slow stdout reader catches up, and loses nothing', async () => {
    const requestCount = 20_000;
    const input = new PassThrough();
    let received = '';
    let maxPendingBytes = 0;
    let transport: StdioTransport | undefined = undefined;
    // A reader that takes about 1 ms per 16 KB: far slower than the node.
    const output = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        maxPendingBytes = Math.max(maxPendingBytes, transport!.pendingOutputBytes);
        received += chunk.toString('utf8');
        setTimeout(callback, Math.ceil(chunk.length / 16_384));
      },
    });
    transport = new StdioTransport({ input, output, errors: recorder().stream });
    const node = new Node({ transport, clock: new VirtualClock() });
    node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
    const done = node.run();

    // Feed as fast as the input stream accepts, as Maelstrom's writer would.
    for (let i = 0; i < requestCount; i += 100) {
      let chunk = '';
      for (let j = i; j < i + 100; j++) chunk += `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${j},"echo":"payload ${j}"}}\n`;
      if (!input.write(chunk)) await new Promise((resolve) => input.once('drain', resolve));
    }
    input.end();
    await done;

    const replies = received.trimEnd().split('\n').map((l) => JSON.parse(l) as { body: { in_reply_to: number } });
    assert.equal(replies.length, requestCount);
    assert.ok(replies.every((r, i) => r.body.in_reply_to === i), 'replies arrive complete and in order');
    // All output is about 1.5 MB; without back-pressure most of it would sit in memory.
    assert.ok(received.length > 1_000_000);
    assert.ok(maxPendingBytes < 200_000, `pending output peaked at ${maxPendingBytes} bytes`);
  });

  it('says it is congested while stdout is full, and not once it drains', async () => {
    let release: (() => void) | null = null;
    const output = new Writable({
      highWaterMark: 64,
      write(_chunk: Buffer, _encoding, callback) {
        release = callback; // the reader takes its time
      },
    });
    const transport = new StdioTransport({ input: new PassThrough(), output, errors: recorder().stream });
    const node = new Node({ transport, clock: new VirtualClock() });
    assert.equal(node.congested, false);
    transport.write('x'.repeat(1000));
    await new Promise((r) => setImmediate(r)); // lines of one turn are written together, after it
    assert.equal(node.congested, true);
    (release as (() => void) | null)?.();
    await new Promise((r) => setImmediate(r));
    assert.equal(node.congested, false);
  });
});
