/**
 * The network and real node processes together, on wall time: a node that
 * stops reading its stdin holds up only the messages queued for it.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealClock } from '../src/node/clock.js';
import { Rng } from '../src/harness/rng.js';
import { Net } from '../src/harness/net.js';
import { ProcessHost, killAllProcesses } from '../src/harness/hosts/process.js';
import { parseNodeLine } from '../src/harness/wire.js';
import type { ExitInfo, HostedNode } from '../src/harness/host.js';

// A failed assertion must not leave a node running and the test file hanging.
after(() => killAllProcesses());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-host-net-'));
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;

test('a node that stops reading stdin stalls only its own deliveries', async () => {
  const deafScript = path.join(dir, 'deaf.js');
  fs.writeFileSync(deafScript, `setInterval(() => {}, 1000);\n`);
  const echoScript = path.join(dir, 'echo.js');
  fs.writeFileSync(
    echoScript,
    `require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
  const m = JSON.parse(l);
  process.stdout.write(JSON.stringify({ src: m.dest, dest: m.src, body: { type: 'echo_ok', in_reply_to: m.body.msg_id } }) + '\\n');
});\n`,
  );
  const net = new Net({ clock: new RealClock(), rng: new Rng(1), latencyMs: 0, latencyDist: 'constant', onJournal: () => {} });
  const replies: number[] = [];
  net.addEndpoint('c0', (msg) => {
    replies.push(msg.body.in_reply_to!);
  });
  const nodes: HostedNode[] = [];
  for (const [id, script] of [['n1', deafScript], ['n2', echoScript]] as const) {
    const hosted = new ProcessHost(process.execPath, [script], { env }).start(id, {
      onLine: (line) => {
        const p = parseNodeLine(id, line);
        assert.ok(p.ok, p.ok ? '' : p.error);
        net.send(p.msg, line);
      },
      onStderr: () => {},
      onExit: (_info: ExitInfo) => {},
    });
    nodes.push(hosted);
    net.addEndpoint(id, (_msg, line) => hosted.deliver(line));
  }
  const big = 'x'.repeat(20_000);
  for (let i = 0; i < 100; i++) net.send({ src: 'c0', dest: 'n1', body: { type: 'echo', msg_id: i, big } });
  for (let i = 0; i < 20; i++) net.send({ src: 'c0', dest: 'n2', body: { type: 'echo', msg_id: 1000 + i } });
  const start = Date.now();
  while (replies.length < 20 && Date.now() - start < 1500) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(replies, Array.from({ length: 20 }, (_, i) => 1000 + i), 'n2 answered everything, in order');
  assert.ok(net.counts().queued > 50, `most messages for n1 are still queued (${net.counts().queued})`);
  net.close();
  await Promise.all(nodes.map((n) => n.stop(100)));
});
