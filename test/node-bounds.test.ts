/**
 * Memory stays bounded whatever the other end does: an input line that never
 * ends, a reader of stdout that stops or crawls, a reader of stderr that
 * falls behind a node that logs a lot.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Node, StdioTransport, VirtualClock } from '../src/node/index.js';

const ECHO_BIN = fileURLToPath(new URL('../../bin/eddy-echo', import.meta.url));

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('an input line that never ends', () => {
  it('is dropped as it streams in (holding at most lineBytesMax), logged with its length, and reading resumes at the next newline', async () => {
    const lineBytesMax = 1024 * 1024;
    const input = new PassThrough();
    const errors = collector();
    const transport = new StdioTransport({ input, output: collector().stream, errors: errors.stream, lineBytesMax });
    const lines: string[] = [];
    const ended = new Promise<void>((resolve) => transport.start({ onLine: (l) => lines.push(l), onEnd: resolve }));

    input.write('{"before":1}\n{"start of a long line":"');
    const piece = Buffer.alloc(64 * 1024, 'x');
    let heldMax = 0;
    for (let i = 0; i < 800; i++) {
      // 50 MiB in all: kept, it would be 50 times the limit.
      input.write(piece);
      if (i % 8 === 0) await tick();
      heldMax = Math.max(heldMax, transport.pendingInputBytes);
    }
    input.write('"}\n{"after":2}\n');
    input.end();
    await ended;
    await transport.flush();

    assert.ok(heldMax <= lineBytesMax, `held ${heldMax} bytes of the long line`);
    assert.deepEqual(lines, ['{"before":1}', '{"after":2}']);
    const length = '{"start of a long line":"'.length + 800 * piece.length + '"}'.length;
    assert.match(errors.text(), new RegExp(`^input line of ${length} bytes dropped: longer than lineBytesMax \\(1048576 bytes\\)`, 'm'));
  });

  it('is dropped by a Node on any transport when longer than its lineBytesMax', async () => {
    const input = new PassThrough();
    const output = collector();
    const errors = collector();
    const transport = new StdioTransport({ input, output: output.stream, errors: errors.stream });
    const node = new Node({ transport, clock: new VirtualClock(), lineBytesMax: 100 });
    node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
    const done = node.run();
    input.end(`{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":1,"echo":"${'x'.repeat(100)}"}}\n{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":2,"echo":"y"}}\n`);
    await done;
    assert.equal(output.text(), '{"src":"n1","dest":"c1","body":{"type":"echo_ok","echo":"y","in_reply_to":2}}\n');
    assert.match(errors.text(), /^input line of 168 characters skipped: longer than lineBytesMax \(100\)/);
  });

  it('rejects a lineBytesMax that is not a positive integer, naming it', () => {
    assert.throws(() => new StdioTransport({ lineBytesMax: 0 }), /expected lineBytesMax to be an integer >= 1, got 0/);
    assert.throws(() => new Node({ transport: new StdioTransport(), lineBytesMax: 1.5 }), /expected lineBytesMax to be an integer >= 1, got 1.5/);
  });
});

describe('a reader of stdout that stops', () => {
  it('stops bin/eddy-echo reading stdin after well under 2 MB, and every reply arrives once reading resumes', async () => {
    const child = spawn(ECHO_BIN, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      // Nobody reads stdout yet. Offer 20 MB of requests and see how much the node takes.
      child.stdout.pause();
      const requestCount = 200_000;
      let text = '{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}\n';
      for (let i = 2; i <= requestCount + 1; i++) text += `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${i},"echo":"payload number ${i}"}}\n`;
      const input = Buffer.from(text);
      let offered = 0;
      const chunkBytes = 64 * 1024;
      while (offered < input.length && child.stdin.writableLength < 4 * chunkBytes) {
        child.stdin.write(input.subarray(offered, offered + chunkBytes));
        offered += chunkBytes;
        await tick();
      }
      // Let the node take what it will; stop once it has taken nothing for 300 ms.
      let taken = -1;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const now = offered - child.stdin.writableLength;
        if (now === taken) break;
        taken = now;
        while (offered < input.length && child.stdin.writableLength < 4 * chunkBytes) {
          child.stdin.write(input.subarray(offered, offered + chunkBytes));
          offered += chunkBytes;
        }
      }
      // Two pipes (64 KB each), the stream buffers on both sides and a batch or two.
      assert.ok(taken < 2_000_000, `the node took ${taken} bytes of input while its output went unread`);
      assert.ok(offered < input.length, 'the writer was held back');

      // Now read: everything is answered, in order.
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stdout.resume();
      const exited = once(child, 'exit');
      child.stdin.end(input.subarray(offered));
      const [code] = await exited;
      assert.equal(code, 0);
      const lines = out.trimEnd().split('\n');
      assert.equal(lines.length, requestCount + 1);
      assert.equal(lines.at(-1), `{"src":"n1","dest":"c1","body":{"type":"echo_ok","echo":"payload number ${requestCount + 1}","in_reply_to":${requestCount + 1}}}`);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});

describe('a slow reader of stdout and big replies', () => {
  it('holds the rest of an input chunk once 256 KB of output waits: memory stays bounded, nothing is lost', async () => {
    const replyChars = 100_000;
    const requestCount = 500;
    let pendingMax = 0;
    let received = 0;
    let replies = 0;
    let transport: StdioTransport | undefined = undefined;
    const output = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        pendingMax = Math.max(pendingMax, transport!.pendingOutputBytes);
        received += chunk.length;
        for (let at = chunk.indexOf('"in_reply_to"'); at !== -1; at = chunk.indexOf('"in_reply_to"', at + 1)) replies++;
        setImmediate(callback);
      },
    });
    const input = new PassThrough();
    transport = new StdioTransport({ input, output, errors: collector().stream });
    const node = new Node({ transport, clock: new VirtualClock() });
    node.on('read', () => ({ type: 'read_ok', messages: ['x'.repeat(replyChars)] }));
    const done = node.run();
    // Every request in one chunk: 500 replies of 100 KB would be 50 MB queued at once.
    let text = '{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}\n';
    for (let i = 2; i <= requestCount + 1; i++) text += `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":${i}}}\n`;
    input.end(text);
    await done;
    assert.equal(replies, requestCount + 1, 'init_ok and every read_ok arrive');
    assert.ok(received > requestCount * replyChars);
    // 256 KB may wait before input is held, plus the reply that crossed the line and a batch.
    assert.ok(pendingMax < 256 * 1024 + 2 * replyChars + 64 * 1024, `output waiting in memory peaked at ${pendingMax} bytes`);
  });
});

describe('a reader of stderr that falls behind', () => {
  it('drops log lines beyond logBacklogBytesMax, counts them, and says how many in a last log line', async () => {
    const logBacklogBytesMax = 20_000;
    let backlogMax = 0;
    let received = '';
    let errors: Writable | undefined = undefined;
    // A reader that takes 2 ms per write: far slower than a node logging every line.
    errors = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        backlogMax = Math.max(backlogMax, errors!.writableLength);
        received += chunk.toString('utf8');
        setTimeout(callback, 2);
      },
    });
    const input = new PassThrough();
    const transport = new StdioTransport({ input, output: collector().stream, errors, logBacklogBytesMax });
    const node = new Node({ transport, clock: new VirtualClock() });
    const done = node.run();
    const badLines = 5000;
    for (let i = 0; i < badLines; i += 500) {
      input.write(`not json ${i}\n`.repeat(500));
      await tick();
    }
    input.end();
    await done;

    const lines = received.trimEnd().split('\n');
    const skipped = lines.filter((l) => l.startsWith('malformed message skipped')).length;
    const reports = lines.filter((l) => /^\d+ log lines? dropped: stderr's reader fell more than 20000 bytes behind$/.test(l));
    const dropped = reports.reduce((n, l) => n + Number(l.split(' ')[0]), 0);
    assert.ok(dropped > 0, 'some log lines were dropped');
    assert.equal(skipped + dropped, badLines, 'every log line is either written or counted');
    assert.match(lines.at(-1)!, /log lines? dropped/, 'the last log line says what was lost');
    // One line (about 100 bytes) may go past the limit before dropping starts.
    assert.ok(backlogMax < logBacklogBytesMax + 1000, `stderr backlog peaked at ${backlogMax} bytes`);
  });
});
