import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/eddy-broadcast', import.meta.url));

test('eddy-broadcast --help prints the flags and profiles and exits 0 without reading stdin', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { input: '', encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: eddy-broadcast \[--profile fast\|balanced\|frugal\]/);
  for (const profile of ['fast', 'balanced', 'frugal']) assert.match(r.stdout, new RegExp(`\\n  ${profile} `));
});

test('eddy-broadcast reads its flags from EDDY_BROADCAST_ARGS, and a bad one stops it with the flag named', () => {
  const r = spawnSync(process.execPath, [bin], {
    input: '',
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, EDDY_BROADCAST_ARGS: '--profile turbo' },
  });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--profile.*"turbo"/);
});
