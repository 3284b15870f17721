// The two transactional node executables as processes: --help, flags from
// the environment, a bad flag named, and one transaction over stdin/stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = (name: string): string => fileURLToPath(new URL(`../../bin/${name}`, import.meta.url));

test('eddy-txn-rw-register and eddy-txn-list-append --help print their flags and exit 0', () => {
  const rw = spawnSync(process.execPath, [bin('eddy-txn-rw-register'), '--help'], { input: '', encoding: 'utf8', timeout: 10_000 });
  assert.equal(rw.status, 0);
  assert.match(rw.stdout, /^Usage: eddy-txn-rw-register \[--profile fast\|balanced\|frugal\]/);
  const la = spawnSync(process.execPath, [bin('eddy-txn-list-append'), '--help'], { input: '', encoding: 'utf8', timeout: 10_000 });
  assert.equal(la.status, 0);
  assert.match(la.stdout, /^Usage: eddy-txn-list-append /);
  assert.match(la.stdout, /lin-kv/);
});

test('eddy-txn-rw-register: a bad flag from EDDY_TXN_RW_REGISTER_ARGS stops it with the flag named', () => {
  const r = spawnSync(process.execPath, [bin('eddy-txn-rw-register')], {
    input: '',
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, EDDY_TXN_RW_REGISTER_ARGS: '--gossip-ms soon' },
  });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--gossip-ms expects a whole number from 0 up, got "soon"/);
});

test('eddy-txn-rw-register answers a transaction over stdin, reading its own write', () => {
  const lines = [
    { src: 'c0', dest: 'n0', body: { type: 'init', msg_id: 1, node_id: 'n0', node_ids: ['n0'] } },
    { src: 'c1', dest: 'n0', body: { type: 'txn', msg_id: 1, txn: [['r', 1, null], ['w', 1, 7], ['r', 1, null]] } },
    { src: 'c1', dest: 'n0', body: { type: 'txn', msg_id: 2, txn: [['w', 1, 'x', 'extra']] } },
  ];
  const r = spawnSync(process.execPath, [bin('eddy-txn-rw-register')], { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.dest === 'c1');
  const to = (id: number) => replies.find((m) => m.body.in_reply_to === id)?.body;
  assert.deepEqual(to(1), { type: 'txn_ok', in_reply_to: 1, txn: [['r', 1, null], ['w', 1, 7], ['r', 1, 7]] });
  assert.equal(to(2).type, 'error');
  assert.equal(to(2).code, 12);
  assert.match(to(2).text, /expected micro-ops \["r", k, null\] or \["w", k, v\]/);
});
