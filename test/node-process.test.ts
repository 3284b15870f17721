/**
 * bin/eddy-echo as a real process, spoken to over stdin/stdout the way
 * Maelstrom does (needs the build: the bin imports dist/src).
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ECHO_BIN = fileURLToPath(new URL('../../bin/eddy-echo', import.meta.url));

describe('bin/eddy-echo process', () => {
  it('answers init and echo, rejects unknown types, survives bad lines, exits 0 on stdin close', async () => {
    const child = spawn(ECHO_BIN, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      for (const wake of waiters.splice(0)) wake();
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');

    const nextMessage = async (): Promise<{ src: string; dest: string; body: Record<string, unknown> }> => {
      const deadline = Date.now() + 5000;
      while (lines.length === 0) {
        if (Date.now() > deadline) throw new Error(`no reply within 5 s; stderr: ${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return JSON.parse(lines.shift()!);
    };
    const send = (body: Record<string, unknown>): void => {
      child.stdin.write(JSON.stringify({ src: 'c1', dest: 'n1', body }) + '\n');
    };

    try {
      send({ type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] });
      assert.deepEqual(await nextMessage(), { src: 'n1', dest: 'c1', body: { type: 'init_ok', in_reply_to: 1 } });

      send({ type: 'echo', msg_id: 2, echo: 'hello ü' });
      assert.deepEqual((await nextMessage()).body, { type: 'echo_ok', echo: 'hello ü', in_reply_to: 2 });

      send({ type: 'no_such_thing', msg_id: 3 });
      const error = (await nextMessage()).body;
      assert.equal(error['code'], 10);
      assert.equal(error['in_reply_to'], 3);

      child.stdin.write('this is not json\n');
      send({ type: 'echo', msg_id: 4, echo: 'still alive' });
      assert.deepEqual((await nextMessage()).body, { type: 'echo_ok', echo: 'still alive', in_reply_to: 4 });

      child.stdin.end();
      const [code, signal] = await exited;
      assert.equal(code, 0, `stderr: ${stderr}`);
      assert.equal(signal, null);
      assert.match(stderr, /malformed message skipped \(not JSON.*this is not json/);
      assert.deepEqual(lines, []);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
