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
import { HistoryFileError, parseHistory, readHistoryFile } from '../src/harness/history-file.js';

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

test('flags given to eddy check are laid over the run\'s own options; flags that cannot change a stored run are refused', async () => {
  const store = tmp();
  const sim = await run(simCommand, ['-w', 'broadcast', '--node-count', '3', '--time-limit', '3', '--rate', '20', '--seed', '4', '--store', store, '--quiet']);
  assert.equal(sim.code, 0, sim.stderr.slice(-500));
  const dir = path.join(store, 'latest');
  const out = path.join(store, 'again.json');
  const r = await run(checkCommand, [dir, '--ideal-rate', '--availability', 'total', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const again = JSON.parse(fs.readFileSync(out, 'utf8'));
  const original = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  assert.equal(original['op-rate'].schedule, 'maelstrom');
  assert.deepEqual([again['op-rate'].schedule, again['op-rate'].lateness], ['ideal', 0]);
  const refused = await run(checkCommand, [dir, '--nemesis', 'kill']);
  assert.equal(refused.code, 4);
  assert.equal(refused.stderr, '--nemesis is a flag of eddy test, eddy challenge and eddy sim, not of eddy check (see eddy check --help for the flags it takes).\n');
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

test('a history larger than one read chunk is read line by line, multi-byte text split across chunks intact', () => {
  const dir = tmp();
  // ~2.6 MiB: lines of reads carrying large sets, and a string with two-, three- and four-byte characters,
  // repeated so that some land across the 1 MiB chunk boundaries.
  const lines: unknown[] = [];
  const big = Array.from({ length: 20_000 }, (_, i) => i);
  for (let p = 0; p < 24; p++) {
    lines.push({ process: p, type: 'invoke', f: 'read', value: null });
    lines.push({ process: p, type: 'ok', f: 'read', value: big, note: 'é–😀'.repeat(p * 7 + 1) });
  }
  lines.push({ process: 99, type: 'invoke', f: 'read', value: null });
  // The test means something only if a chunk boundary cuts a character in two (a continuation byte
  // there): pad the last line until one does.
  let file = '';
  for (let pad = 0; ; pad++) {
    file = writeLines(dir, 'history.jsonl', [...lines, { process: 99, type: 'ok', f: 'read', value: [], pad: 'x'.repeat(pad), note: 'é–😀'.repeat(200_000) }]);
    const bytes = fs.readFileSync(file);
    if ([1 << 20, 2 << 20, 3 << 20, 4 << 20].some((b) => b < bytes.length && (bytes[b]! & 0xc0) === 0x80)) break;
    assert.ok(pad < 9, 'no padding puts a chunk boundary inside a multi-byte character');
  }
  const streamed = readHistoryFile(file);
  assert.deepEqual(streamed, parseHistory(fs.readFileSync(file, 'utf8'), file));
  assert.equal(streamed.length, 50);
  assert.equal((streamed[49] as unknown as { note: string }).note.length, 'é–😀'.length * 200_000);
  assert.equal((streamed[47] as unknown as { note: string }).note, 'é–😀'.repeat(23 * 7 + 1));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a bad line deep in a large history is still named by its line number', () => {
  const dir = tmp();
  const lines: unknown[] = [];
  const big = Array.from({ length: 30_000 }, (_, i) => i);
  for (let p = 0; p < 10; p++) lines.push({ process: p, type: 'invoke', f: 'read', value: null }, { process: p, type: 'ok', f: 'read', value: big });
  lines.push('{"process": 3, "type": "ok"');
  const file = writeLines(dir, 'history.jsonl', lines);
  assert.throws(() => readHistoryFile(file), (e: Error) => e instanceof HistoryFileError && e.message.startsWith(`${file}:21: not JSON`));
  fs.rmSync(dir, { recursive: true, force: true });
});
