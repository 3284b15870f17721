// The flags table as a user meets it through every command: a bad or
// missing value of any flag is refused in the one form naming the flag,
// a flag of another command is refused naming the command that takes it,
// each --help lists exactly the command's flags, typographic dashes and
// arguments after `--` are treated alike everywhere, and README's flag
// tables list what the table holds. In-process, through the CLI's main().
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { badValue, FLAGS, flagsOf, parseTestArgs, type CommandName, type FlagSpec } from '../src/cli/flags.js';
import { main } from '../src/cli/main.js';
import { parseSimArgs } from '../src/cli/sim.js';

async function eddy(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const COMMANDS: readonly CommandName[] = ['test', 'challenge', 'sim', 'check', 'serve'];

/** What each command needs before a flag so that the flag is the first thing wrong. */
function prefix(command: CommandName, flag: string): string[] {
  switch (command) {
    case 'test':
      return flag === 'bin' ? [] : ['--bin', 'bin/eddy-echo'];
    case 'challenge':
      return flag === 'bin' ? ['3a'] : ['3a', '--bin', 'bin/eddy-echo'];
    case 'check':
      return ['no/such/run'];
    default:
      return [];
  }
}

/** A value each value flag's reader refuses. */
const BAD: Readonly<Record<string, string>> = {
  workload: 'raft',
  bin: '',
  'node-count': '0',
  'time-limit': 'soon',
  rate: 'fast',
  concurrency: '0n',
  latency: '-1',
  'latency-dist': 'normal',
  topology: 'ring',
  nemesis: 'partition,crash',
  'nemesis-interval': '0',
  availability: '2',
  'key-count': '0',
  'max-txn-length': 'x',
  'max-writes-per-key': '1.5',
  'consistency-models': ' , ',
  'test-count': '0',
  seed: 'abc',
  store: '',
  'recovery-wait': 'ten',
  lateness: '11',
  'init-timeout': '0',
  node: '',
  challenge: '',
  seeds: '0',
  jobs: '65',
  out: '',
  port: '70000',
  host: 'my host',
};

const valueFlags = (command: CommandName): FlagSpec[] => flagsOf(command).filter((f) => f.arg !== undefined);

test('every value flag of the table has a bad value in this test', () => {
  for (const f of FLAGS.filter((x) => x.arg !== undefined)) assert.ok(f.flag in BAD, `--${f.flag} has no bad value here`);
});

test('the one form, written out: what every command prints for a bad value', async () => {
  for (const [argv, stderr] of [
    [['test', '--bin', 'n', '--rate', 'fast'], '--rate expects a non-negative number of operations per second, got "fast".\n'],
    [['sim', '--jobs', '65'], '--jobs expects a whole number of threads from 1 to 64, got "65".\n'],
    [['check', 'x', '--out='], '--out expects a file to write the results to, got "".\n'],
    [['serve', '--port', 'http'], '--port expects a port number from 0 to 65535, got "http".\n'],
    [['challenge', '3a', '--bin', 'n', '--nemesis', 'crash'], '--nemesis expects a comma-separated list of faults from partition, kill, pause, partition-one-way, got "crash".\n'],
  ] as [string[], string][]) {
    const r = await eddy(argv);
    assert.equal(r.code, 4, argv.join(' '));
    assert.equal(r.stderr, stderr);
  }
});

for (const command of COMMANDS) {
  test(`eddy ${command}: a bad value of each of its value flags is refused in the one form, naming the flag, exit 4`, async () => {
    for (const f of valueFlags(command)) {
      const bad = BAD[f.flag]!;
      const r = await eddy([command, ...prefix(command, f.flag), `--${f.flag}`, bad]);
      assert.equal(r.code, 4, `--${f.flag} ${bad}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `${badValue(f.flag, f.expects!, bad)}.\n`);
      assert.ok(r.stderr.startsWith(`--${f.flag} expects `) && r.stderr.includes(`got "${bad}"`), r.stderr);
    }
  });

  test(`eddy ${command}: each value flag given last without its value says so, exit 4`, async () => {
    for (const f of valueFlags(command)) {
      const r = await eddy([command, ...prefix(command, f.flag), `--${f.flag}`]);
      assert.equal(r.code, 4, r.stderr);
      assert.equal(r.stderr, `--${f.flag} expects a value (${f.arg}), but none was given.\n`);
    }
  });

  test(`eddy ${command}: a flag of another command is refused, naming the commands that take it`, async () => {
    const foreign = FLAGS.filter((f) => !f.commands.includes(command));
    assert.ok(foreign.length > 0);
    for (const f of foreign) {
      const r = await eddy([command, ...prefix(command, f.flag), `--${f.flag}`, ...(f.arg === undefined ? [] : ['1'])]);
      assert.equal(r.code, 4, `--${f.flag}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`--${f.flag} is a flag of `), r.stderr);
      assert.ok(r.stderr.includes(`, not of eddy ${command} (`), r.stderr);
      for (const other of f.commands) assert.ok(r.stderr.includes(`eddy ${other}`), `${r.stderr} does not name eddy ${other}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  test(`eddy ${command}: a flag pasted with a typographic dash is refused`, async () => {
    for (const pasted of [['\u2014nemesis', 'partition'], ['\u2013-port', '1'], ['\u2212h']]) {
      const r = await eddy([command, ...prefix(command, 'x'), ...pasted]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /starts with a typographic dash, not "-" .*did you mean `-{1,2}(nemesis|port|h)`\?/);
    }
  });
}

test('eddy serve --seeds 3 and eddy check --port 1: the sentence says which command takes the flag', async () => {
  const serve = await eddy(['serve', '--seeds', '3']);
  assert.equal(serve.code, 4);
  assert.equal(serve.stderr, '--seeds is a flag of eddy sim, not of eddy serve (see eddy serve --help for the flags it takes).\n');
  const check = await eddy(['check', 'store/latest', '--port', '1']);
  assert.equal(check.code, 4);
  assert.equal(check.stderr, '--port is a flag of eddy serve, not of eddy check (see eddy check --help for the flags it takes).\n');
  const sim = await eddy(['sim', '--bin', 'x']);
  assert.equal(sim.stderr, '--bin is a flag of eddy test and eddy challenge, not of eddy sim (eddy sim builds nodes in-process from a module: use --node MODULE).\n');
});

/** The flags a --help text lists: one row per flag, `  -w, --workload NAME  ...` or `      --rate HZ  ...`. */
function listed(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, | {4})--([a-z][\w-]*)/gm)].map((m) => m[1]!);
}

for (const command of ['test', 'sim', 'check', 'serve'] as const) {
  test(`eddy ${command} --help lists exactly the flags eddy ${command} takes, each once`, async () => {
    const r = await eddy([command, '--help']);
    assert.equal(r.code, 0);
    const names = listed(r.stdout);
    assert.deepEqual([...names].sort(), flagsOf(command).map((f) => f.flag).sort());
    assert.equal(new Set(names).size, names.length);
  });
}

test('eddy challenge --help lists its own flags and points at eddy test --help for the rest', async () => {
  const r = await eddy(['challenge', '--help']);
  assert.equal(r.code, 0);
  assert.deepEqual(listed(r.stdout).sort(), ['help', 'list']);
  assert.match(r.stdout, /eddy test --help lists the other flags/);
  // And it does take the rest: every eddy test flag but --help is eddy challenge's too.
  for (const f of flagsOf('test')) assert.ok(f.commands.includes('challenge'), `--${f.flag}`);
});

test('arguments after -- go to the node and are never read as eddy flags', () => {
  const t = parseTestArgs(['--bin', 'n', '--', '--rate', 'fast', '--bin', 'other']);
  assert.deepEqual(t.options.args, ['--rate', 'fast', '--bin', 'other']);
  assert.equal(t.options.rateHz, 5);
  assert.equal(t.options.bin, 'n');
  const s = parseSimArgs(['--seed', '1', '--', '--seeds', 'x', '--store', 'elsewhere', '--bin', 'y']);
  assert.deepEqual(s.options.args, ['--seeds', 'x', '--store', 'elsewhere', '--bin', 'y']);
  assert.equal(s.seeds, null);
  assert.equal(s.options.store, 'store');
});

test('a flag read the same by test and sim gives the same options, whichever command reads it', () => {
  const shared = ['-w', 'kafka', '--rate', '50', '--nemesis', 'kill,partition', '--availability', '0.5', '--lateness', '0.5', '--strict'];
  const t = parseTestArgs([...shared, '--bin', 'in-process']).options;
  const s = parseSimArgs(shared).options;
  assert.deepEqual(s, t);
});

// ---- README ------------------------------------------------------------------------

const README = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8').split('\n');

/** The lines of the README section under `heading`, up to the next heading (code blocks skipped). */
function section(heading: string): string[] {
  const start = README.indexOf(heading);
  assert.ok(start !== -1, `README has no "${heading}"`);
  const out: string[] = [];
  let fenced = false;
  for (const line of README.slice(start + 1)) {
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && line.startsWith('#')) break;
    if (!fenced) out.push(line);
  }
  return out;
}

/** The flags in the first cell of each table row of a README section. */
function tableFlags(lines: readonly string[]): string[] {
  const firsts = lines.filter((l) => l.startsWith('| `-')).map((l) => l.split('|')[1]!);
  const names = firsts.flatMap((cell) => [...cell.matchAll(/(?:^|[\s`])-(-[a-z][\w-]*|[a-z])\b/g)].map((m) => m[1]!));
  // -w stands for --workload.
  return [...new Set(names.map((n) => (n.startsWith('-') ? n.slice(1) : FLAGS.find((f) => f.short === n)?.flag ?? n)))].sort();
}

const without = (names: string[], ...drop: string[]): string[] => names.filter((n) => !drop.includes(n)).sort();

test("README's flag tables list the table's flags for eddy test, sim, check and serve", () => {
  assert.deepEqual(tableFlags(section('### Flags')), without(flagsOf('test').map((f) => f.flag), 'help'));
  // eddy sim's table holds its own flags and --seed (read differently); the text says every other eddy test flag but --bin works the same.
  const simOwn = flagsOf('sim').filter((f) => !f.commands.includes('test') || f.flag === 'seed');
  assert.deepEqual(tableFlags(section('## Deterministic simulation: `eddy sim`')), without(simOwn.map((f) => f.flag), 'help'));
  for (const f of flagsOf('test')) if (f.flag !== 'bin') assert.ok(f.commands.includes('sim'), `--${f.flag} is not eddy sim's`);
  assert.deepEqual(tableFlags(section('## Checking stored histories: `eddy check`')), without(flagsOf('check').map((f) => f.flag), 'help'));
  assert.deepEqual(tableFlags(section('### Looking at runs: `eddy serve`')), without(flagsOf('serve').map((f) => f.flag), 'help'));
});

test("README marks eddy's own eddy test flags (eddy) and no Maelstrom flag", () => {
  for (const line of section('### Flags').filter((l) => l.startsWith('| `-'))) {
    const names = tableFlags([line]);
    const eddyOnly = names.map((n) => FLAGS.find((f) => f.flag === n)!).every((f) => f.origin === 'eddy');
    assert.equal(line.split('|')[1]!.includes('(eddy)'), eddyOnly, line);
  }
});
