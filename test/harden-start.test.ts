// Nodes that end before init in `eddy sim`: the run stops with one sentence
// naming the node, exit 3, and results.json written — never an unhandled
// rejection from the init calls the run gave up on (which used to kill the
// harness when a node ended before init had started waiting).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simCommand } from '../src/cli/sim.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (name: string): string => path.join(repo, 'test', 'fixtures', 'sim', name);

async function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string; store: string }> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-harden-start-'));
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  // eddy's own flags first: everything after a `--` in args goes to the node, and a --store there would be lost (and ./store written).
  const code = await simCommand.run(['--store', store, '--quiet', '--time-limit', '2', '--seed', '1', ...args], io);
  return { code, stdout, stderr, store };
}

/** The run directories under ./store (the default --store), to show the tests above never add one. */
function storeListing(): string[] {
  const root = path.join(process.cwd(), 'store');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((w) => {
    const d = path.join(root, w);
    return fs.statSync(d).isDirectory() ? fs.readdirSync(d).map((r) => `${w}/${r}`) : [w];
  }).sort();
}
const CWD_STORE_BEFORE = storeListing();

function results(store: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(store, 'latest', 'results.json'), 'utf8')) as Record<string, unknown>;
}

test('eddy sim: a node whose run() returns at once stops the run before init, exit 3, named', async () => {
  const r = await sim(['--node', fixture('exits-at-once.mjs')]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /The run could not be carried out: Node n1 exited with code 0 before the test started\. It wrote nothing to stderr\./);
  assert.match(String(results(r.store)['error']), /^Node n1 exited with code 0 before the test started/);
});

test('eddy sim: a node whose run() throws at once: exit 3, its error quoted', async () => {
  const r = await sim(['--node', fixture('exits-at-once.mjs'), '--', 'throw']);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /Node n1 exited with code 1 before the test started\. Its last stderr lines:\n {2}node n1 failed: Error: cannot start: no config/);
});

test('eddy sim: a createNode that throws: exit 3, naming the module and the node', async () => {
  const r = await sim(['--node', fixture('throwing-factory.mjs')]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /Node n1 could not be run \(createNode of .*throwing-factory\.mjs threw for node n1: unknown argument ""\) before the test started\./);
});

test('eddy sim keeps wall-clock figures out of results.json (it must stay a function of the seed); harness.json has them', async () => {
  const r = await sim(['--node', fixture('no-retry-gossip.mjs'), '--node-count', '3', '--rate', '10', '--recovery-wait', '1']);
  assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr);
  assert.equal(results(r.store)['harness'], undefined);
  const figures = JSON.parse(fs.readFileSync(path.join(r.store, 'latest', 'harness.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(typeof figures['peak-rss-mb'], 'number');
  assert.ok((figures['routed-count'] as number) > 0);
  assert.equal(figures['timer-late-max-ms'], null, 'no wall-clock timer probe on virtual time');
});

test('none of these runs wrote into the current directory\'s store/', () => {
  assert.deepEqual(storeListing(), CWD_STORE_BEFORE, 'a run given a node argument after -- must still write only to its --store');
});
