// `eddy check` as a user drives it: a stored run checked again gives the
// run's own results, a bare history needs -w, many histories in one call,
// and one sentence naming file and line for each way a history can be bad.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkCommand } from '../src/cli/check.js';
import { simCommand } from '../src/cli/sim.js';

type Out = { code: number; stdout: string; stderr: string };
async function run(cmd: typeof checkCommand, args: string[]): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const code = await cmd.run(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-check-'));
function writeLines(dir: string, name: string, lines: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

test('eddy check on a simulated run directory reproduces its results.json, and --out writes it', async () => {
  const store = tmp();
  const sim = await run(simCommand, ['-w', 'broadcast', '--node-count', '5', '--time-limit', '5', '--rate', '20', '--nemesis', 'partition', '--recovery-wait', '3', '--seed', '4', '--store', store, '--quiet']);
  assert.equal(sim.code, 0, sim.stderr.slice(-500));
  const out = path.join(store, 'again.json');
  const r = await run(checkCommand, [path.join(store, 'latest'), '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /latest: Everything looks good/);
  const original = JSON.parse(fs.readFileSync(path.join(store, 'latest', 'results.json'), 'utf8'));
  delete original.warnings;
  assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), original);
});

test('a bare history.jsonl needs -w, and many paths are checked in one call with the worst exit code', async () => {
  const dir = tmp();
  const good = writeLines(dir, 'good.jsonl', [
    { process: 0, type: 'invoke', f: 'broadcast', value: 1, time: 0 },
    { process: 0, type: 'ok', f: 'broadcast', value: 1, time: 10 },
    { process: 1, type: 'invoke', f: 'read', value: null, time: 20 },
    { process: 1, type: 'ok', f: 'read', value: [1], time: 30 },
  ]);
  const lost = writeLines(dir, 'lost.jsonl', [
    { process: 0, type: 'invoke', f: 'broadcast', value: 1, time: 0 },
    { process: 0, type: 'ok', f: 'broadcast', value: 1, time: 10 },
    { process: 1, type: 'invoke', f: 'read', value: null, time: 20 },
    { process: 1, type: 'ok', f: 'read', value: [1], time: 30 },
    { process: 1, type: 'invoke', f: 'read', value: null, time: 40 },
    { process: 1, type: 'ok', f: 'read', value: [], time: 50 },
  ]);
  const noW = await run(checkCommand, [good]);
  assert.equal(noW.code, 4);
  assert.match(noW.stderr, /good\.jsonl is a history file; say which workload made it with -w/);
  const r = await run(checkCommand, ['-w', 'broadcast', '--quiet', good, lost]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /good\.jsonl: Everything looks good/);
  assert.match(r.stdout, /lost\.jsonl: Analysis invalid/);
});

test('a line that is not JSON is named by file and line, and nothing is written', async () => {
  const dir = tmp();
  const bad = writeLines(dir, 'h.jsonl', [{ process: 0, type: 'invoke', f: 'read', value: null }, '{"process": 0, "type": "ok", "f": "read", "val']);
  const out = path.join(dir, 'out.json');
  const r = await run(checkCommand, ['-w', 'broadcast', bad, '--out', out]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /h\.jsonl:2: not JSON/);
  assert.equal(fs.existsSync(out), false);
});

test('an operation of the wrong shape says which field and what was expected', async () => {
  const dir = tmp();
  const bad = writeLines(dir, 'h.jsonl', [{ process: 'c1', type: 'invoke', f: 'read', value: null }]);
  const r = await run(checkCommand, ['-w', 'broadcast', bad]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /h\.jsonl:1: "process" must be a non-negative integer or "nemesis", got "c1"/);
  const badType = writeLines(dir, 't.jsonl', [{ process: 0, type: 'done', f: 'read', value: null }]);
  assert.match((await run(checkCommand, ['-w', 'broadcast', badType])).stderr, /t\.jsonl:1: "type" must be one of invoke, ok, fail, info, got "done"/);
});

test('a completion with no invocation before it is refused with its line', async () => {
  const dir = tmp();
  const bad = writeLines(dir, 'h.jsonl', [
    { process: 0, type: 'invoke', f: 'read', value: null },
    { process: 0, type: 'ok', f: 'read', value: [] },
    { process: 0, type: 'ok', f: 'read', value: [] },
  ]);
  const r = await run(checkCommand, ['-w', 'broadcast', bad]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /h\.jsonl:3: an ok completion of read by process 0 with no invocation before it/);
});
