// eddy's own faults on real processes (eddy test): kill is SIGKILL and a
// fresh process of the same binary at the next nemesis op, with its own
// EDDY_NODE_DIR kept across restarts; pause is SIGSTOP / SIGCONT.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ExitInfo } from '../src/harness/host.js';
import { ProcessHost } from '../src/harness/hosts/process.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { runTest } from '../src/harness/runner.js';
import { RealClock } from '../src/node/clock.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/counter-ids.mjs');
// Under `node --test`, NODE_TEST_CONTEXT makes child Node processes behave as test reporters.
const plainEnv = { ...process.env };
delete plainEnv['NODE_TEST_CONTEXT'];

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-faults-proc-'));
}

test('the process host: pause holds a node (SIGSTOP), resume lets it answer (SIGCONT), kill ends it with SIGKILL', async () => {
  const host = new ProcessHost(process.execPath, [FIXTURE], { env: plainEnv });
  const lines: string[] = [];
  let exit: ExitInfo | null = null;
  const node = host.start('n0', { onLine: (l) => void lines.push(l), onStderr: () => {}, onExit: (i) => void (exit = i) });
  const wait = async (cond: () => boolean, ms: number): Promise<boolean> => {
    const t0 = Date.now();
    while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 10));
    return cond();
  };
  void node.deliver(JSON.stringify({ src: 'c0', dest: 'n0', body: { type: 'init', msg_id: 1, node_id: 'n0', node_ids: ['n0'] } }));
  assert.ok(await wait(() => lines.length === 1, 3000), 'init answered');
  node.pause!();
  void node.deliver(JSON.stringify({ src: 'c0', dest: 'n0', body: { type: 'generate', msg_id: 2 } }));
  assert.equal(await wait(() => lines.length > 1, 400), false, 'a stopped process answers nothing');
  node.resume!();
  assert.ok(await wait(() => lines.length === 2, 3000), 'answered after SIGCONT');
  assert.match(lines[1]!, /"id":"n0-0"/);
  const info = await node.kill!();
  assert.equal(info.signal, 'SIGKILL');
  assert.equal((exit as ExitInfo | null)?.signal, 'SIGKILL');
});

function killOptions(store: string, nemesis: TestOptions['nemesis']): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    workload: 'unique-ids',
    bin: FIXTURE,
    args: [],
    nodeCount: 3,
    timeLimitS: 3,
    rateHz: 100,
    nemesis,
    nemesisIntervalS: 0.3,
    rpcTimeoutS: 0.5,
    quiet: true,
    seed: 2,
    store,
  } as TestOptions;
}

test('eddy test --nemesis kill: fresh processes of the same binary, the same EDDY_NODE_DIR per node, and the counter node repeats ids', async () => {
  const store = tmp();
  const pidFile = path.join(store, 'pids.txt');
  const host = new ProcessHost(process.execPath, [FIXTURE], { env: { ...plainEnv, EDDY_FIXTURE_PID_FILE: pidFile } });
  const o = await runTest(killOptions(store, ['kill']), { clock: new RealClock(), host, render: false });
  assert.equal(o.error, null);
  const restarts = o.history.filter((op) => op.f === 'restart' && typeof op.value === 'object' && op.value !== null);
  const restarted = restarts.reduce((n, op) => n + Object.keys(op.value as object).length, 0);
  assert.ok(restarted >= 1, 'some node was restarted');
  const starts = fs.readFileSync(pidFile, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]);
  assert.equal(starts.length, 3 + restarted, 'one fresh process per restart');
  assert.equal(new Set(starts.map(([pid]) => pid)).size, starts.length, 'every start is a new pid');
  const dirs = new Set(starts.map(([, dir]) => dir));
  assert.deepEqual([...dirs].sort(), ['n0', 'n1', 'n2'].map((n) => path.join(o.dir, 'nodes', n)), 'one directory per node, the same after a restart');
  for (const d of dirs) assert.ok(fs.statSync(d).isDirectory());
  const w = o.results['workload'] as Record<string, unknown>;
  assert.equal(w['valid?'], false, 'a restarted counter repeats its ids');
});

test('eddy test --nemesis partition: the same counter node is valid', async () => {
  const host = new ProcessHost(process.execPath, [FIXTURE], { env: plainEnv });
  const o = await runTest(killOptions(tmp(), ['partition']), { clock: new RealClock(), host, render: false });
  assert.equal(o.error, null);
  assert.equal((o.results['workload'] as Record<string, unknown>)['valid?'], true);
});

test('eddy test with bin/eddy-unique-ids under kill and pause: unique across restarts, its disk directory in use', async () => {
  const bin = path.join(ROOT, 'bin/eddy-unique-ids');
  const host = new ProcessHost(bin, [], { env: plainEnv });
  const o = await runTest({ ...killOptions(tmp(), ['kill', 'pause']), bin }, { clock: new RealClock(), host, render: false });
  assert.equal(o.error, null);
  assert.ok(o.history.some((op) => op.f === 'restart' && typeof op.value === 'object' && op.value !== null && Object.keys(op.value).length > 0));
  assert.ok(o.history.some((op) => op.f === 'pause' && typeof op.value === 'object' && op.value !== null && Object.keys(op.value).length > 0));
  const w = o.results['workload'] as Record<string, unknown>;
  assert.equal(w['valid?'], true, JSON.stringify(w).slice(0, 300));
  const epochs = ['n0', 'n1', 'n2'].map((n) => Number(fs.readFileSync(path.join(o.dir, 'nodes', n, 'epoch'), 'utf8')));
  assert.ok(epochs.every((e) => e >= 1) && epochs.some((e) => e >= 2), `epochs in EDDY_NODE_DIR: ${epochs.join(', ')}`);
});
