// bin/eddy-broadcast as real processes under `eddy test`, briefly: the
// 3a shape (one node) and the 3c shape (five nodes, partitions) must be
// valid with nothing lost. The full-size runs live in bench/broadcast.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function eddyTest(flags: string[], nodeArgs: string[]): { code: number | null; results: Record<string, any>; output: string } {
  const store = mkdtempSync(join(tmpdir(), 'eddy-broadcast-'));
  try {
    const child = spawnSync(process.execPath, [
      join(repo, 'bin', 'eddy'), 'test', '-w', 'broadcast', '--bin', join(repo, 'bin', 'eddy-broadcast'),
      ...flags, '--store', store, '--quiet', '--', ...nodeArgs,
    ], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    const output = `${child.stdout}\n${child.stderr}`;
    const dir = realpathSync(join(store, 'latest'));
    return { code: child.status, results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')), output };
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

test('one node (3a shape): valid, every broadcast read back', () => {
  const { code, results, output } = eddyTest(['--node-count', '1', '--time-limit', '2', '--rate', '10', '--seed', '5', '--recovery-wait', '1'], ['--profile', 'fast']);
  assert.equal(code, 0, output.slice(-2000));
  assert.equal(results['valid?'], true);
  assert.ok(results['workload']['stable-count'] > 0);
  assert.equal(results['workload']['lost-count'], 0);
});

test('five nodes under partitions (3c shape), default profile: valid, nothing lost', () => {
  const { code, results, output } = eddyTest([
    '--node-count', '5', '--time-limit', '6', '--rate', '10', '--nemesis', 'partition', '--nemesis-interval', '1', '--seed', '11',
  ], []);
  assert.equal(code, 0, output.slice(-2000));
  assert.equal(results['valid?'], true);
  assert.equal(results['workload']['lost-count'], 0);
  assert.ok(results['workload']['stable-count'] > 0);
});

test('bin/eddy-broadcast takes flags from EDDY_BROADCAST_ARGS (Maelstrom passes none) and names a bad one', () => {
  const init = JSON.stringify({ src: 'c0', dest: 'n0', body: { type: 'init', msg_id: 1, node_id: 'n0', node_ids: ['n0'] } });
  const bad = spawnSync(process.execPath, [join(repo, 'bin', 'eddy-broadcast')], {
    input: `${init}\n`, encoding: 'utf8', env: { ...process.env, EDDY_BROADCAST_ARGS: '--profile turbo' }, timeout: 20_000,
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--profile.*"turbo"/);
  assert.equal(bad.stdout, '', 'nothing but messages on stdout, and no message here');
  const good = spawnSync(process.execPath, [join(repo, 'bin', 'eddy-broadcast')], {
    input: `${init}\n`, encoding: 'utf8', env: { ...process.env, EDDY_BROADCAST_ARGS: ' --profile fast ' }, timeout: 20_000,
  });
  assert.equal(good.status, 0, good.stderr);
  assert.deepEqual(JSON.parse(good.stdout.trim()), { src: 'n0', dest: 'c0', body: { type: 'init_ok', in_reply_to: 1 } });
});
