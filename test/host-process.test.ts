/**
 * Nodes as real child processes: lines in and out, stderr and exit reports,
 * stopping, back-pressure from a node that does not read, and what a user
 * sees when the binary cannot be run. Each fixture is a tiny Node script
 * written to a temporary directory; every test finishes well under 2 s.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProcessHost, killAllProcesses, liveProcessCount } from '../src/harness/hosts/process.js';
import { describeExit, type ExitInfo, type NodeHandlers } from '../src/harness/host.js';

// A failed assertion must not leave a node running and the test file hanging.
after(() => killAllProcesses());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-host-'));

function script(name: string, source: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return file;
}

interface Seen {
  lines: string[];
  stderr: string[];
  errors: string[];
  exits: ExitInfo[];
  exited: Promise<ExitInfo>;
  handlers: NodeHandlers;
}

function recorder(withOnError = true): Seen {
  let onExit!: (info: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (onExit = r));
  const seen: Seen = {
    lines: [],
    stderr: [],
    errors: [],
    exits: [],
    exited,
    handlers: {
      onLine: (l) => seen.lines.push(l),
      onStderr: (l) => seen.stderr.push(l),
      onExit: (info) => {
        seen.exits.push(info);
        onExit(info);
      },
    },
  };
  if (withOnError) seen.handlers.onError = (m) => seen.errors.push(m);
  return seen;
}

// Under `node --test`, NODE_TEST_CONTEXT makes child Node processes behave
// as test reporters; fixtures must run as ordinary programs.
const plainEnv = { ...process.env };
delete plainEnv.NODE_TEST_CONTEXT;

function nodeScript(file: string): ProcessHost {
  return new ProcessHost(process.execPath, [file], { env: plainEnv });
}

const until = async (cond: () => boolean, what: string, timeoutMs = 1500): Promise<void> => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const echo = script(
  'echo.js',
  `process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    process.stdout.write(JSON.stringify({ got: line }) + '\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
`,
);

test('lines delivered to stdin come back as stdout lines; closing stdin ends the node', async () => {
  const seen = recorder();
  const node = nodeScript(echo).start('n1', seen.handlers);
  for (const l of ['one', 'two', '{"three":3}']) assert.equal(node.deliver(l), undefined, 'a small write is accepted at once');
  await until(() => seen.lines.length === 3, 'three echoes');
  assert.deepEqual(seen.lines.map((l) => JSON.parse(l).got), ['one', 'two', '{"three":3}']);
  const info = await node.stop(1000);
  assert.equal(info.code, 0);
  assert.equal(info.signal, null);
  assert.equal(info.stopped, true);
  assert.deepEqual(seen.exits, [info], 'onExit is called once, with the same info');
});

test('stdout is split into lines whatever the chunks: CRLF, split writes, a last line without newline', async () => {
  const file = script(
    'chunks.js',
    `const w = (s) => process.stdout.write(s);
w('alpha\\r');
setTimeout(() => { w('\\nbe'); setTimeout(() => { w('ta\\n\\ngam'); setTimeout(() => { w('ma'); process.exit(0); }, 20); }, 20); }, 20);
`,
  );
  const seen = recorder();
  nodeScript(file).start('n1', seen.handlers);
  await seen.exited;
  assert.deepEqual(seen.lines, ['alpha', 'beta', '', 'gamma']);
});

test('a node that crashes reports its exit status and its last stderr and stdout lines', async () => {
  const file = script(
    'crash.js',
    `for (let i = 1; i <= 50; i++) process.stderr.write('log line ' + i + '\\n');
process.stdout.write('{"partial":\\n');
process.exitCode = 3;
`,
  );
  const seen = recorder();
  nodeScript(file).start('n4', seen.handlers);
  const info = await seen.exited;
  assert.equal(info.code, 3);
  assert.equal(info.stopped, false);
  assert.equal(seen.stderr.length, 50);
  assert.equal(info.stderrTail.length, 32);
  assert.equal(info.stderrTail[0], 'log line 19');
  assert.equal(info.stderrTail[31], 'log line 50');
  assert.deepEqual(info.stdoutTail, ['{"partial":']);
  const text = describeExit('n4', info);
  assert.match(text, /^node n4 exited with status 3\n/);
  assert.match(text, /log line 50$/);
});

test('stop() escalates to SIGTERM and then SIGKILL for a node that will not exit', async () => {
  const file = script(
    'stubborn.js',
    `process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\\n'));
process.stdin.resume();
process.stdin.on('end', () => process.stderr.write('stdin closed, staying\\n'));
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`,
  );
  const seen = recorder();
  const node = nodeScript(file).start('n2', seen.handlers);
  await until(() => seen.lines.length === 1, 'ready');
  const t0 = Date.now();
  const info = await node.stop(150);
  const tookMs = Date.now() - t0;
  assert.equal(info.signal, 'SIGKILL');
  assert.equal(info.code, null);
  assert.ok(tookMs >= 280 && tookMs < 1500, `stop took ${tookMs} ms`);
  assert.deepEqual(info.stderrTail, ['stdin closed, staying', 'ignoring SIGTERM']);
});

test('a node that never reads stdin gets a pending delivery (back-pressure) and does not block the harness', async () => {
  const file = script('deaf.js', `setInterval(() => {}, 1000); process.stdout.write('ready\\n');\n`);
  const seen = recorder();
  const node = nodeScript(file).start('n3', seen.handlers);
  try {
    await until(() => seen.lines.length === 1, 'ready');
    const line = 'x'.repeat(10_000);
    // Deliver as the network does, waiting for each accepted write, until
    // one is not accepted: the pipe to the node is full.
    let stuck: Promise<void> | undefined;
    let written = 0;
    while (stuck === undefined && written < 1000) {
      const r = node.deliver(line);
      written++;
      if (r === undefined) continue;
      const accepted = await Promise.race([r.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 100))]);
      if (!accepted) stuck = r;
    }
    assert.ok(stuck !== undefined, `a delivery stays pending (after ${written} lines)`);
    assert.ok(written < 100, `the pipe filled after ${written} lines of 10 kB`);
    let settled = false;
    void stuck.then(() => (settled = true));
    const info = await node.stop(50);
    assert.equal(info.signal, 'SIGTERM', 'closing stdin does not end it; SIGTERM does');
    await until(() => settled, 'the pending delivery to be released once the node is gone');
  } finally {
    await node.stop(10);
  }
});

test('writing to a node that has exited neither throws nor crashes the harness (EPIPE)', async () => {
  const file = script('quitter.js', `process.exit(0);\n`);
  const seen = recorder();
  const node = nodeScript(file).start('n5', seen.handlers);
  await seen.exited;
  for (let i = 0; i < 100; i++) await node.deliver('{"after":"exit"}');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen.exits.length, 1);
  const again = await node.stop(100);
  assert.equal(again.code, 0);
});

test('a stdout line over the size limit is reported and skipped; the next line still counts', async () => {
  const file = script('huge.js', `process.stdout.write('y'.repeat(100000) + '\\n{"after":true}\\n');\n`);
  const seen = recorder();
  new ProcessHost(process.execPath, [file], { maxLineChars: 1000, env: plainEnv }).start('n6', seen.handlers);
  await seen.exited;
  assert.deepEqual(seen.lines, ['{"after":true}']);
  assert.equal(seen.errors.length, 1);
  assert.match(seen.errors[0]!, /^node n6 wrote a stdout line longer than 1000 characters; it was skipped: "y{200}…"$/);
});

test('without onError, a skipped line is reported on stderr', async () => {
  const file = script('huge2.js', `process.stdout.write('z'.repeat(5000) + '\\n');\n`);
  const seen = recorder(false);
  new ProcessHost(process.execPath, [file], { maxLineChars: 1000, env: plainEnv }).start('n7', seen.handlers);
  await seen.exited;
  assert.match(seen.stderr.join('\n'), /^\[eddy\] node n7 wrote a stdout line longer than 1000/);
});

test('a binary that does not exist or cannot be executed is named in the error', () => {
  assert.throws(() => new ProcessHost('./no-such-node-binary'), /cannot run node binary "\.\/no-such-node-binary": .*no-such-node-binary does not exist/);
  assert.throws(() => new ProcessHost('python3-not-here'), /not PATH/);
  const plain = script('not-executable.sh', '#!/bin/sh\necho hi\n');
  fs.chmodSync(plain, 0o644);
  assert.throws(() => new ProcessHost(plain), /cannot run node binary ".*not-executable.sh": .* is not executable/);
  assert.throws(() => new ProcessHost(dir), /is not a file/);
});

test('a binary that disappears before start() is reported through onExit, naming it', async () => {
  const file = script('vanishing.sh', '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, 0o755);
  const host = new ProcessHost(file, [], { env: plainEnv });
  fs.unlinkSync(file);
  const seen = recorder();
  host.start('n9', seen.handlers);
  const info = await seen.exited;
  assert.match(info.error ?? '', /cannot run node binary .*vanishing.sh: ENOENT/);
  assert.match(describeExit('n9', info), /^node n9 could not run: cannot run node binary/);
  assert.equal(seen.exits.length, 1);
});

test('nodes run in the given directory with the given arguments', async () => {
  const file = script('where.js', `process.stdout.write(JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) }) + '\\n');\n`);
  const seen = recorder();
  new ProcessHost(process.execPath, [file, '--flag', 'v'], { cwd: dir, env: plainEnv }).start('n8', seen.handlers);
  await seen.exited;
  assert.deepEqual(JSON.parse(seen.lines[0]!), { cwd: fs.realpathSync(dir), args: ['--flag', 'v'] });
});

test('no node process is left running when the harness exits', async () => {
  const hostModule = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/harness/hosts/process.js');
  const sleeper = script('sleeper.js', `process.stdin.resume(); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);\n`);
  const harness = script(
    'harness.mjs',
    `import { ProcessHost } from ${JSON.stringify(hostModule)};
const h = new ProcessHost(process.execPath, [${JSON.stringify(sleeper)}]);
for (const id of ['n1', 'n2']) h.start(id, { onLine() {}, onStderr() {}, onExit() {} });
setTimeout(() => {
  process.stdout.write(String(process.pid));
  process.exit(0);
}, 200);
`,
  );
  const r = spawnSync(process.execPath, [harness], { encoding: 'utf8', timeout: 5000, env: plainEnv });
  assert.equal(r.status, 0, r.stderr);
  const harnessPid = r.stdout.trim();
  await new Promise((res) => setTimeout(res, 100));
  // Any child of the dead harness would have been re-parented; look for our sleeper by its script path.
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  const left = ps.stdout.split('\n').filter((l) => l.includes(sleeper));
  for (const l of left) process.kill(Number(l.trim().split(/\s+/)[0]), 'SIGKILL');
  assert.deepEqual(left, [], `harness ${harnessPid} left children running`);
});

test('the count of live node processes returns to zero', async () => {
  await until(() => liveProcessCount() === 0, 'all nodes to be gone');
});
