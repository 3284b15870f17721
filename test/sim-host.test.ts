// The in-process host as the runner sees it: a node built by a module's
// createNode answers the lines it is handed, its log lines come out as
// stderr, stopping it ends its input and reports a clean exit, and a node
// that never finishes is given up on after the grace period of virtual time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromExports, InProcHost } from '../src/harness/hosts/inproc.js';
import type { ExitInfo } from '../src/harness/host.js';
import { VirtualClock } from '../src/node/clock.js';
import { createNode as createEcho } from '../src/nodes/echo.js';
import { MemoryTransport } from '../src/node/memory.js';
import { Node, type NodeEnv } from '../src/node/index.js';

function recorder() {
  const lines: string[] = [];
  const stderr: string[] = [];
  const exits: ExitInfo[] = [];
  return { lines, stderr, exits, handlers: { onLine: (l: string) => lines.push(l), onStderr: (l: string) => stderr.push(l), onExit: (i: ExitInfo) => exits.push(i) } };
}

test('an echo node in-process: init and echo answered, a bad line logged, stop is a clean exit', async () => {
  const clock = new VirtualClock();
  const host = new InProcHost({ module: fromExports('eddy-echo', { createNode: createEcho }), clock, seed: 1 });
  const r = recorder();
  const node = host.start('n1', r.handlers);
  node.deliver(JSON.stringify({ src: 'c1', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] } }));
  node.deliver(JSON.stringify({ src: 'c1', dest: 'n1', body: { type: 'echo', msg_id: 2, echo: 'hi' } }));
  node.deliver('not json');
  assert.deepEqual(r.lines.map((l) => JSON.parse(l).body.type), ['init_ok', 'echo_ok']);
  assert.equal(JSON.parse(r.lines[1]!).body.echo, 'hi');
  assert.match(r.stderr.join('\n'), /malformed message skipped/);
  assert.equal(host.allExited, false);
  const info = await node.stop(1000);
  assert.equal(info.code, 0);
  assert.equal(info.stopped, true);
  assert.deepEqual(r.exits, [info]);
  assert.equal(host.allExited, true);
  node.deliver(JSON.stringify({ src: 'c1', dest: 'n1', body: { type: 'echo', msg_id: 3, echo: 'late' } }));
  assert.equal(r.lines.length, 2, 'lines for a stopped node are dropped');
});

test('a node that never finishes is abandoned after the grace period, reported as killed', async () => {
  const clock = new VirtualClock();
  const stubborn = fromExports('stubborn', {
    createNode: (env: NodeEnv) => ({ run: () => new Promise<void>(() => void env) }),
  });
  const host = new InProcHost({ module: stubborn, clock, seed: 1 });
  const r = recorder();
  const stopped = host.start('n1', r.handlers).stop(1000);
  assert.equal(r.exits.length, 0);
  clock.advance(999);
  assert.equal(r.exits.length, 0);
  clock.advance(1);
  const info = await stopped;
  assert.equal(info.signal, 'SIGKILL');
  assert.equal(clock.now(), 1000);
});

test('createNode returning something that is not a node: the exit names the module and the node', async () => {
  const clock = new VirtualClock();
  const host = new InProcHost({ module: fromExports('odd.mjs', { createNode: () => ({ transport: new MemoryTransport() }) }), clock, seed: 1 });
  const r = recorder();
  host.start('n4', r.handlers);
  assert.equal(r.exits.length, 0, 'reported after start() returns, as a process would');
  clock.advance(0);
  assert.match(r.exits[0]!.error!, /createNode of odd\.mjs threw for node n4: it returned an object without run\(\)/);
});

test('a Node built without env.transport or env.clock is refused, saying what to pass', async () => {
  const cases: [string, (env: NodeEnv) => Node, RegExp][] = [
    ['stdio.mjs', (env) => new Node({ clock: env.clock }), /createNode of stdio\.mjs threw for node n1: its Node talks over stdin\/stdout, not the simulated network: build it with new Node\(\{ transport: env\.transport, clock: env\.clock/],
    ['wall.mjs', (env) => new Node({ transport: env.transport }), /createNode of wall\.mjs threw for node n1: its Node keeps wall-clock time, so its timers would not follow the simulation/],
  ];
  for (const [name, createNode, pattern] of cases) {
    const clock = new VirtualClock();
    const host = new InProcHost({ module: fromExports(name, { createNode }), clock, seed: 1 });
    const r = recorder();
    host.start('n1', r.handlers);
    clock.advance(0);
    assert.match(r.exits[0]?.error ?? '', pattern);
  }
  // Wired to the environment (random left to its default): accepted.
  const clock = new VirtualClock();
  const host = new InProcHost({ module: fromExports('ok.mjs', { createNode: (env: NodeEnv) => new Node({ transport: env.transport, clock: env.clock }) }), clock, seed: 1 });
  const r = recorder();
  host.start('n1', r.handlers);
  clock.advance(0);
  assert.deepEqual(r.exits, []);
});
