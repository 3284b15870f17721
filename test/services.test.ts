// Maelstrom's four services as state machines, on literal request
// sequences (spec section 3), and then through the harness: the node
// library's KV and TSO clients against each service in `eddy sim` and
// `eddy test`, with the traffic journalled and counted as server traffic.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LinKv, LinTso, LwwKv, SeqKv, edn } from '../src/harness/services/index.js';
import { Rng } from '../src/harness/rng.js';
import { isClientId, type Body } from '../src/harness/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EDDY = path.join(ROOT, 'bin/eddy');
const FIXTURE = path.join(ROOT, 'test/fixtures/services-echo.mjs');

const b = (type: string, fields: Record<string, unknown> = {}): Body => ({ type, ...fields });

const seqkv = (rng: Rng): SeqKv => new SeqKv(() => rng);
const lwwkv = (rng: Rng): LwwKv => new LwwKv(() => rng);

/** An Rng whose int(n) answers are scripted (each must be < n). */
function scripted(answers: number[]): Rng {
  const rng = new Rng(1);
  let i = 0;
  rng.int = (n: number): number => {
    const a = answers[i++];
    if (a === undefined) throw new Error('scripted rng ran out of answers');
    assert.ok(a < n, `scripted answer ${a} is not below ${n}`);
    return a;
  };
  return rng;
}

test('lin-kv: read of a missing key is error 20 with Maelstrom\'s text', () => {
  const kv = new LinKv();
  assert.deepEqual(kv.handle('n1', b('read', { key: 'x' })), { type: 'error', code: 20, text: 'key does not exist' });
});

test('lin-kv: write then read returns the value; a stored null exists', () => {
  const kv = new LinKv();
  assert.deepEqual(kv.handle('n1', b('write', { key: 'x', value: 3 })), { type: 'write_ok' });
  assert.deepEqual(kv.handle('n2', b('read', { key: 'x' })), { type: 'read_ok', value: 3 });
  kv.handle('n1', b('write', { key: 'y', value: null }));
  assert.deepEqual(kv.handle('n2', b('read', { key: 'y' })), { type: 'read_ok', value: null });
});

test('lin-kv: cas succeeds on a match and fails with 22 naming both values in EDN', () => {
  const kv = new LinKv();
  kv.handle('n1', b('write', { key: 'x', value: 'a' }));
  assert.deepEqual(kv.handle('n1', b('cas', { key: 'x', from: 'a', to: [1, 2] })), { type: 'cas_ok' });
  assert.deepEqual(kv.handle('n1', b('cas', { key: 'x', from: 'a', to: 'b' })), { type: 'error', code: 22, text: 'current value [1 2] is not "a"' });
});

test('lin-kv: cas on a missing key is 20, unless create_if_not_exists', () => {
  const kv = new LinKv();
  assert.equal(kv.handle('n1', b('cas', { key: 'x', from: 0, to: 1 }))!['code'], 20);
  assert.equal(kv.handle('n1', b('cas', { key: 'x', from: 0, to: 1, create_if_not_exists: false }))!['code'], 20);
  assert.deepEqual(kv.handle('n1', b('cas', { key: 'x', from: 0, to: 1, create_if_not_exists: true })), { type: 'cas_ok' });
  assert.deepEqual(kv.handle('n1', b('read', { key: 'x' })), { type: 'read_ok', value: 1 });
});

test('lin-kv: keys are JSON values compared by value (1 and "1" differ, maps by content)', () => {
  const kv = new LinKv();
  kv.handle('n1', b('write', { key: 1, value: 'number' }));
  kv.handle('n1', b('write', { key: '1', value: 'string' }));
  kv.handle('n1', b('write', { key: { a: 1, b: 2 }, value: 'map' }));
  assert.equal(kv.handle('n1', b('read', { key: 1 }))!['value'], 'number');
  assert.equal(kv.handle('n1', b('read', { key: '1' }))!['value'], 'string');
  assert.equal(kv.handle('n1', b('read', { key: { b: 2, a: 1 } }))!['value'], 'map');
});

test('every service gives no reply to a type it does not know', () => {
  const rng = new Rng(1);
  assert.equal(new LinKv().handle('n1', b('ts')), null);
  assert.equal(new SeqKv(() => rng).handle('n1', b('frobnicate')), null);
  assert.equal(new LwwKv(() => rng).handle('n1', b('append', { key: 1 })), null);
  assert.equal(new LinTso().handle('n1', b('read', { key: 1 })), null);
});

test('lin-tso counts from 0 across all nodes', () => {
  const tso = new LinTso();
  assert.deepEqual([tso.handle('n1', b('ts')), tso.handle('n2', b('ts')), tso.handle('n1', b('ts'))], [
    { type: 'ts_ok', ts: 0 },
    { type: 'ts_ok', ts: 1 },
    { type: 'ts_ok', ts: 2 },
  ]);
});

test('seq-kv: a read may see a state older than the newest, but never older than what that node saw', () => {
  // States: 0 empty, 1 x=1 (n1's write), 2 x=2 (n1's write).
  const kv = seqkv(scripted([0, 0, 1, 0, 1]));
  kv.handle('n1', b('write', { key: 'x', value: 1 })); // draw 0 of [0,0]: state 0 changes -> applied to newest, n1 at 1
  kv.handle('n1', b('write', { key: 'x', value: 2 })); // draw 0 of [1,1]: changes -> state 2, n1 at 2
  // n2 has seen nothing (index 0): draws from [0, 2]; scripted 1 -> state 1.
  assert.deepEqual(kv.handle('n2', b('read', { key: 'x' })), { type: 'read_ok', value: 1 });
  // n2 is now at 1: draws from [1, 2]; scripted 0 -> state 1 again, never state 0.
  assert.deepEqual(kv.handle('n2', b('read', { key: 'x' })), { type: 'read_ok', value: 1 });
});

test('seq-kv: a node that wrote sees its write at once', () => {
  const kv = seqkv(scripted([0, 0]));
  kv.handle('n1', b('write', { key: 'x', value: 7 }));
  assert.deepEqual(kv.handle('n1', b('read', { key: 'x' })), { type: 'read_ok', value: 7 });
});

test('seq-kv: a stale read of a missing key is error 20 even after another node wrote it', () => {
  const kv = seqkv(scripted([0, 0]));
  kv.handle('n1', b('write', { key: 'x', value: 7 }));
  assert.deepEqual(kv.handle('n2', b('read', { key: 'x' })), { type: 'error', code: 20, text: 'key does not exist' });
});

test('seq-kv: a cas that would fail on the stale state is judged there (22 against the old value)', () => {
  const kv = seqkv(scripted([0, 0, 0]));
  kv.handle('n1', b('write', { key: 'x', value: 1 })); // state 1
  kv.handle('n1', b('write', { key: 'x', value: 2 })); // state 2
  // n2 draws state 0 (x missing): the cas fails there with 20 and that answer stands.
  assert.equal(kv.handle('n2', b('cas', { key: 'x', from: 2, to: 3 }))!['code'], 20);
});

test('seq-kv: a cas that succeeds on a stale state is applied to the newest instead', () => {
  const kv = seqkv(scripted([0, 0, 1]));
  kv.handle('n1', b('write', { key: 'x', value: 1 })); // state 1: x=1
  kv.handle('n1', b('write', { key: 'x', value: 2 })); // state 2: x=2
  // n2 draws state 1, where cas 1->5 would succeed: it changes the state, so it runs on state 2 and fails with 22.
  assert.deepEqual(kv.handle('n2', b('cas', { key: 'x', from: 1, to: 5 })), { type: 'error', code: 22, text: 'current value 2 is not 1' });
});

test('seq-kv: a node more than 31 states behind meets the state congruent modulo 32 (Maelstrom\'s ring-buffer quirk)', () => {
  const draws: number[] = [];
  for (let i = 0; i < 40; i++) draws.push(0); // n1's 40 writes, each from its newest state
  draws.push(3); // n2 (at 0) draws index 3 of [0, 40]
  const kv = seqkv(scripted(draws));
  for (let v = 1; v <= 40; v++) kv.handle('n1', b('write', { key: 'x', value: v })); // state v holds x=v
  // Kept states are 9..40; index 3 meets the kept one congruent to 3 mod 32: 35.
  assert.deepEqual(kv.handle('n2', b('read', { key: 'x' })), { type: 'read_ok', value: 35 });
});

test('lww-kv: two replicas that never converge, three draws per request', () => {
  // Each request: merge source, merge destination, replica.
  const kv = lwwkv(scripted([0, 1, 0, 1, 0, 1, 0, 0, 0]));
  kv.handle('n1', b('write', { key: 'x', value: 1 })); // replica 0
  assert.equal(kv.handle('n1', b('read', { key: 'x' }))!['code'], 20); // replica 1 never saw it
  assert.deepEqual(kv.handle('n1', b('read', { key: 'x' })), { type: 'read_ok', value: 1 });
});

test('lww-kv: cas ignores create_if_not_exists and prints from with str (unquoted)', () => {
  const kv = lwwkv(scripted([0, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(kv.handle('n1', b('cas', { key: 'x', from: 'a', to: 'b', create_if_not_exists: true }))!['code'], 20);
  kv.handle('n1', b('write', { key: 'x', value: 'z' }));
  assert.deepEqual(kv.handle('n1', b('cas', { key: 'x', from: 'a', to: 'b' })), { type: 'error', code: 22, text: 'current value "z" is not a' });
});

test('values print as Clojure would print the parsed JSON', () => {
  assert.equal(edn(null), 'nil');
  assert.equal(edn([1, 'a', [true]]), '[1 "a" [true]]');
  assert.equal(edn({ a: 1, b: [2] }), '{:a 1, :b [2]}');
});

test('isClientId means c followed by digits only', () => {
  assert.equal(isClientId('c0'), true);
  assert.equal(isClientId('c123'), true);
  assert.equal(isClientId('c'), false);
  assert.equal(isClientId('coordinator'), false);
  assert.equal(isClientId('c1a'), false);
  assert.equal(isClientId('n1'), false);
  assert.equal(isClientId('lin-kv'), false);
});

// ---- through the harness ----------------------------------------------------------

const SERVICES = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'];

function runEddy(args: string[]): { code: number | null; stdout: string; stderr: string; dir: string } {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-services-'));
  const r = spawnSync(process.execPath, [EDDY, args[0]!, '--store', store, ...args.slice(1)], { encoding: 'utf8', timeout: 60_000, cwd: os.tmpdir() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, dir: fs.realpathSync(path.join(store, 'latest')) };
}

function checkServiceRun(dir: string): void {
  const journal = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message: { src: string; dest: string; body: Body } });
  for (const svc of SERVICES) {
    assert.ok(journal.some((e) => e.type === 'recv' && e.message.dest === svc), `the journal shows a request delivered to ${svc}`);
    assert.ok(journal.some((e) => e.type === 'recv' && e.message.src === svc), `the journal shows a reply from ${svc}`);
  }
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  assert.equal(results['valid?'], true);
  const stats = results.net.stats;
  assert.ok(stats.servers['msg-count'] > 0, 'service traffic is server traffic');
  assert.equal(stats.clients['msg-count'], journal.filter((e) => e.type === 'send' && (isClientId(e.message.src) || isClientId(e.message.dest))).length);
  // Every echo reply carries what lin-kv read back and a lin-tso timestamp; timestamps are distinct.
  const oks = fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.type === 'ok');
  assert.ok(oks.length > 0);
  const ts = oks.map((o) => o.value.ts as number);
  assert.equal(new Set(ts).size, ts.length);
  const svg = fs.readFileSync(path.join(dir, 'messages.svg'), 'utf8');
  for (const svc of SERVICES) assert.ok(svg.includes(`>${svc}<`), `the Lamport diagram has a ${svc} column`);
}

test('eddy sim -w echo: a node using all four services through the KV and TSO clients', () => {
  const r = runEddy(['sim', '-w', 'echo', '--node', FIXTURE, '--seed', '3', '--node-count', '2', '--time-limit', '2', '--rate', '10', '--latency', '5']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  checkServiceRun(r.dir);
});

test('eddy test -w echo: the same node as real processes', () => {
  const r = runEddy(['test', '-w', 'echo', '--bin', FIXTURE, '--node-count', '2', '--time-limit', '2', '--rate', '10', '--latency', '5']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  checkServiceRun(r.dir);
});

test('a request of a type the service does not know: no reply, and a warning naming the node and the type', () => {
  const r = runEddy(['sim', '-w', 'echo', '--node', FIXTURE, '--seed', '4', '--node-count', '1', '--time-limit', '1', '--rate', '5', '--', '--bad']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout + r.stderr, /Node n0 sent lin-kv a message of type "frobnicate", which lin-kv does not know/);
  const journal = fs.readFileSync(path.join(r.dir, 'journal.jsonl'), 'utf8');
  assert.ok(journal.includes('"frobnicate"'));
  assert.ok(!/"src":"lin-kv"[^\n]*"in_reply_to":null/.test(journal), 'nothing answers it');
});
