/**
 * Every flag of `eddy test`, `challenge`, `sim`, `check` and `serve`, in one
 * table, and the one parser all of them read their command line with. A row
 * says which commands take the flag, whether it is Maelstrom's or eddy's
 * own, what its value looks like and how it is read onto `TestOptions`;
 * each command's `--help` is generated from the rows it takes.
 *
 * Bad input is refused here, at the edge, with an `OptionError` in one of a
 * few fixed shapes, so that every command phrases it the same way:
 * `--flag expects WHAT, got "VALUE"` for a bad value, `--flag expects a
 * value (ARG), but none was given` for a missing one, `Unknown flag --x; ...`
 * and `--x is a flag of eddy C, not of eddy D` for a flag the command does
 * not take.
 */
import { challenges } from '../harness/challenges.js';
import {
  DEFAULT_OPTIONS,
  LATENCY_DISTS,
  NEMESIS_FAULTS,
  OptionError,
  TOPOLOGY_CHOICES,
  type NemesisFault,
  type TestOptions,
} from '../harness/options.js';
import { findWorkload, workloadNames } from '../harness/workloads/registry.js';
import type { WorkloadFlagName } from '../harness/workloads/workload.js';

export type CommandName = 'test' | 'challenge' | 'sim' | 'check' | 'serve';

/** The commands whose arguments after `--` belong to the node, never to eddy. */
const NODE_ARGS_AFTER_DASH_DASH: ReadonlySet<CommandName> = new Set(['test', 'challenge', 'sim']);

/** One row of the flags table. */
export interface FlagSpec {
  /** The long name, without `--`. */
  readonly flag: string;
  readonly short?: string;
  /** Placeholder for the value; absent for switches. */
  readonly arg?: string;
  readonly help: string;
  /** The help line for a command that reads the flag differently (e.g. `--quiet` in eddy check). */
  readonly helpIn?: Partial<Record<CommandName, string>>;
  readonly commands: readonly CommandName[];
  /** Maelstrom's flag (same name and default as `maelstrom test`), or eddy's own. */
  readonly origin: 'maelstrom' | 'eddy';
  /** The `TestOptions` field the flag sets, for the commands that build options. */
  readonly field?: keyof TestOptions;
  /** What a good value is, for the sentence `--flag expects WHAT, got "VALUE"`. Value flags only. */
  readonly expects?: string;
  /** The value read from its text; `undefined` means the text is not a good value. Value flags only. */
  readonly parse?: (text: string) => unknown;
  /** Added when the flag is given to a command that does not take it: what to use there instead. */
  readonly elsewhere?: Partial<Record<CommandName, string>>;
}

// ---- value readers -----------------------------------------------------------------

function toNumber(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

type Value = Pick<FlagSpec, 'expects' | 'parse'>;

/** A number read from its text, good when `ok` says so. */
const numberWhere = (expects: string, ok: (n: number) => boolean): Value => ({
  expects,
  parse: (t) => {
    const n = toNumber(t);
    return ok(n) ? n : undefined;
  },
});

const positiveNumber = (expects: string): Value => numberWhere(expects, (n) => Number.isFinite(n) && n > 0);
const nonNegativeNumber = (expects: string): Value => numberWhere(expects, (n) => Number.isFinite(n) && n >= 0);
const positiveInt = (expects: string): Value => numberWhere(expects, (n) => Number.isSafeInteger(n) && n >= 1);

const wholeNumberUpTo = (expects: string, max: number): Value => ({
  expects,
  parse: (t) => (/^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= max ? Number(t) : undefined),
});

const oneOf = (allowed: readonly string[]): Value => ({
  expects: `one of ${allowed.join(', ')}`,
  parse: (t) => (allowed.includes(t) ? t : undefined),
});

const nonEmpty = (expects: string): Value => ({ expects, parse: (t) => (t === '' ? undefined : t) });

/** The most seeds one sweep may run (a typo like --seeds 1000000 should not run for a day). */
export const MAX_SEEDS = 100_000;
export const MAX_JOBS = 64;

const TEST_LIKE: readonly CommandName[] = ['test', 'challenge', 'sim'];
/** The flags `eddy check` lays over a stored run's own options. */
const CHECKED_TOO: readonly CommandName[] = [...TEST_LIKE, 'check'];

/**
 * `--consistency-models`: names separated by commas and/or spaces. Maelstrom
 * splits only on " , " (spaces on both sides), so "a,b" there is one unknown
 * name; eddy takes it as the two names it was surely meant to be. Whether
 * each name is known is the workload's `validate` to say.
 */
function consistencyModels(text: string): string[] | undefined {
  const names = text.split(/[\s,]+/).filter((n) => n !== '');
  return names.length === 0 ? undefined : [...new Set(names)];
}

function nemesisFaults(text: string): NemesisFault[] | undefined {
  const faults = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!faults.every((f) => (NEMESIS_FAULTS as readonly string[]).includes(f))) return undefined;
  return [...new Set(faults as NemesisFault[])];
}

function availability(text: string): number | 'total' | undefined {
  if (text === 'total') return 'total';
  const a = toNumber(text);
  return Number.isFinite(a) && a >= 0 && a <= 1 ? a : undefined;
}

// ---- the table ---------------------------------------------------------------------

export const FLAGS: readonly FlagSpec[] = [
  { flag: 'workload', short: 'w', arg: 'NAME', help: 'Workload (see the list below). Default broadcast.', helpIn: { check: `Workload of a bare history.jsonl: ${workloadNames().join(', ')}.` }, commands: CHECKED_TOO, origin: 'maelstrom', field: 'workload', ...oneOf(workloadNames()) },
  {
    flag: 'bin',
    arg: 'PROGRAM',
    help: 'The node program to test (required). Arguments for it go after --.',
    commands: ['test', 'challenge'],
    origin: 'maelstrom',
    field: 'bin',
    ...nonEmpty('the path of the node program to test'),
    elsewhere: { sim: 'eddy sim builds nodes in-process from a module: use --node MODULE' },
  },
  { flag: 'node-count', arg: 'N', help: 'Run N nodes n0..n(N-1). Default: five nodes n1..n5.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'nodeCount', ...positiveInt('a positive whole number of nodes') },
  { flag: 'time-limit', arg: 'SECONDS', help: 'Length of the main phase. Default 60.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'timeLimitS', ...positiveNumber('a positive number of seconds') },
  { flag: 'rate', arg: 'HZ', help: 'Operations per second, for the whole cluster. Default 5.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'rateHz', ...nonNegativeNumber('a non-negative number of operations per second') },
  {
    flag: 'concurrency',
    arg: 'N|Nn',
    help: 'Client workers: N, or N per node (Nn). Default 1n.',
    commands: CHECKED_TOO,
    origin: 'maelstrom',
    field: 'concurrency',
    expects: 'a positive number of workers like 5, or a multiple of the node count like 2n',
    parse: (t) => {
      const m = /^(\d+)(n?)$/.exec(t);
      return m !== null && Number(m[1]) >= 1 ? t : undefined;
    },
  },
  { flag: 'latency', arg: 'MS', help: 'Mean latency of messages between server nodes. Default 0.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'latencyMs', ...nonNegativeNumber('a non-negative number of milliseconds') },
  { flag: 'latency-dist', arg: 'DIST', help: 'constant, uniform or exponential. Default constant.', commands: TEST_LIKE, origin: 'maelstrom', field: 'latencyDist', ...oneOf(LATENCY_DISTS) },
  { flag: 'topology', arg: 'NAME', help: 'grid, line, tree, tree2, tree3, tree4 or total. Default grid.', commands: TEST_LIKE, origin: 'maelstrom', field: 'topology', ...oneOf(TOPOLOGY_CHOICES) },
  {
    flag: 'nemesis',
    arg: 'FAULTS',
    help: "Comma-separated faults to inject: partition (Maelstrom's), kill, pause, partition-one-way (eddy only). Default none.",
    commands: TEST_LIKE,
    origin: 'maelstrom',
    field: 'nemesis',
    expects: `a comma-separated list of faults from ${NEMESIS_FAULTS.join(', ')}`,
    parse: nemesisFaults,
  },
  { flag: 'nemesis-interval', arg: 'SECONDS', help: 'Mean seconds between nemesis operations. Default 10.', commands: TEST_LIKE, origin: 'maelstrom', field: 'nemesisIntervalS', ...positiveNumber('a positive number of seconds') },
  {
    flag: 'availability',
    arg: 'A',
    help: 'Fraction of operations that must succeed (0..1), or total. Default: not checked.',
    commands: CHECKED_TOO,
    origin: 'maelstrom',
    field: 'availability',
    expects: 'a number from 0 to 1 or "total"',
    parse: availability,
  },
  { flag: 'key-count', arg: 'N', help: 'Keys in play (txn-list-append, txn-rw-register, kafka). Default: 10 active keys.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'keyCount', ...positiveInt('a positive whole number of keys') },
  { flag: 'max-txn-length', arg: 'N', help: 'Most micro-operations per transaction (txn workloads). Default 4.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'maxTxnLength', ...positiveInt('a positive whole number of micro-operations') },
  { flag: 'max-writes-per-key', arg: 'N', help: 'Writes to a key before it is retired (txn workloads, kafka). Default 16.', commands: CHECKED_TOO, origin: 'maelstrom', field: 'maxWritesPerKey', ...positiveInt('a positive whole number of writes') },
  {
    flag: 'consistency-models',
    arg: 'MODELS',
    help: 'Models the txn checkers judge against, comma-separated. Default strict-serializable.',
    commands: CHECKED_TOO,
    origin: 'maelstrom',
    field: 'consistencyModels',
    expects: 'one or more model names such as serializable',
    parse: consistencyModels,
  },
  { flag: 'test-count', arg: 'N', help: 'Run the test N times, stopping at the first run that is not valid. Default 1.', commands: TEST_LIKE, origin: 'maelstrom', field: 'testCount', ...positiveInt('a positive whole number of runs') },
  { flag: 'log-stderr', help: 'Copy node stderr to the console.', commands: TEST_LIKE, origin: 'maelstrom', field: 'logStderr' },
  { flag: 'log-net-send', help: 'Print every message when it is sent.', commands: TEST_LIKE, origin: 'maelstrom', field: 'logNetSend' },
  { flag: 'log-net-recv', help: 'Print every message when it is received.', commands: TEST_LIKE, origin: 'maelstrom', field: 'logNetRecv' },
  {
    flag: 'seed',
    arg: 'N',
    help: 'Seed for every random choice (eddy). Default: random, printed.',
    helpIn: { sim: 'Seed of the run (or the first seed with --seeds). Default: random, printed.' },
    commands: TEST_LIKE,
    origin: 'eddy',
    field: 'seed',
    expects: 'a non-negative whole number',
    parse: (t) => (/^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined),
  },
  {
    flag: 'store',
    arg: 'DIR',
    help: 'Where runs are saved (eddy). Default store.',
    helpIn: { serve: 'The store to serve. Default store.' },
    commands: [...TEST_LIKE, 'serve'],
    origin: 'eddy',
    field: 'store',
    ...nonEmpty('a directory path'),
  },
  {
    flag: 'quiet',
    help: 'No progress line (eddy).',
    helpIn: { check: 'Only the verdict line per PATH, not the results map.' },
    commands: [...TEST_LIKE, 'check'],
    origin: 'eddy',
    field: 'quiet',
  },
  { flag: 'strict', help: "Let eddy's checks beyond Maelstrom's decide the verdict (eddy). Default: they only warn.", commands: CHECKED_TOO, origin: 'eddy', field: 'strict' },
  {
    flag: 'ideal-network-unlike-maelstrom',
    help: "Deliver each message exactly at its deadline instead of Maelstrom's per-destination loop (eddy).",
    commands: TEST_LIKE,
    origin: 'eddy',
    field: 'idealNetworkUnlikeMaelstrom',
  },
  { flag: 'recovery-wait', arg: 'SECONDS', help: 'Wait before the final reads (eddy; Maelstrom: 10). Default 10.', commands: TEST_LIKE, origin: 'eddy', field: 'recoveryS', ...nonNegativeNumber('a non-negative number of seconds') },
  {
    flag: 'lateness',
    arg: 'F',
    help: 'How late operations go out, as on Maelstrom: 1 a typical machine (~0.85 x rate x time-limit ops at rate 100), 0 never (eddy). Default 1.',
    commands: CHECKED_TOO,
    origin: 'eddy',
    field: 'lateness',
    expects: 'a strength from 0 to 10 (1 = a typical Maelstrom machine, 0 = never late)',
    parse: (t) => {
      const f = toNumber(t);
      return Number.isFinite(f) && f >= 0 && f <= 10 ? f : undefined;
    },
  },
  { flag: 'ideal-rate', help: 'Issue exactly rate x time-limit operations, unlike Maelstrom (eddy; the same as --lateness 0).', commands: CHECKED_TOO, origin: 'eddy', field: 'idealRate' },
  { flag: 'init-timeout', arg: 'SECONDS', help: 'Time a node has to answer init (eddy; Maelstrom: 10). Default 10.', commands: TEST_LIKE, origin: 'eddy', field: 'initTimeoutS', ...positiveNumber('a positive number of seconds') },

  // eddy sim's own
  {
    flag: 'node',
    arg: 'MODULE',
    help: "JS or TS module exporting createNode(env). Default: eddy's node for the workload.",
    commands: ['sim'],
    origin: 'eddy',
    ...nonEmpty('the path of a JS or TS module exporting createNode'),
  },
  // Which names exist is resolveChallenge's to say (with exit 3 for a challenge whose workload eddy lacks).
  { flag: 'challenge', arg: 'NAME', help: "Run Gossip Glomers challenge NAME's flags and judge its targets (eddy challenge --list).", commands: ['sim'], origin: 'eddy', ...nonEmpty(`a challenge name such as ${challenges()[0]?.name ?? '1'}`), elsewhere: { test: 'for a challenge run as processes: eddy challenge NAME --bin PROGRAM' } },
  { flag: 'seeds', arg: 'K', help: 'Run K seeds (1..K, or from --seed) and print a summary.', commands: ['sim'], origin: 'eddy', ...wholeNumberUpTo(`a whole number of seeds from 1 to ${MAX_SEEDS}`, MAX_SEEDS) },
  { flag: 'jobs', arg: 'N', help: 'With --seeds, simulate N seeds at once in worker threads. Default: CPUs, at most 4.', commands: ['sim'], origin: 'eddy', ...wholeNumberUpTo(`a whole number of threads from 1 to ${MAX_JOBS}`, MAX_JOBS) },
  { flag: 'keep-all', help: 'With --seeds, keep the run directories of valid seeds too (default: failing only).', commands: ['sim'], origin: 'eddy' },

  // eddy check's own
  { flag: 'out', arg: 'FILE', help: 'Write the results map as JSON (one PATH only).', commands: ['check'], origin: 'eddy', ...nonEmpty('a file to write the results to') },

  // eddy serve's own
  {
    flag: 'port',
    arg: 'PORT',
    help: 'TCP port, 0 to 65535; 0 picks a free one. Default 8080.',
    commands: ['serve'],
    origin: 'eddy',
    expects: 'a port number from 0 to 65535',
    parse: (t) => (/^\d+$/.test(t) && Number(t) <= 65535 ? Number(t) : undefined),
  },
  {
    flag: 'host',
    arg: 'ADDRESS',
    help: 'Address to listen on. Default 127.0.0.1 (this machine only).',
    commands: ['serve'],
    origin: 'eddy',
    expects: 'an address or host name to listen on, such as 127.0.0.1',
    parse: (t) => (t === '' || /\s|\//.test(t) ? undefined : t),
  },

  // eddy challenge's own
  { flag: 'list', help: 'Print every challenge: its flags, targets and reference node.', commands: ['challenge'], origin: 'eddy' },

  { flag: 'help', short: 'h', help: 'Show this help.', commands: ['test', 'challenge', 'sim', 'check', 'serve'], origin: 'eddy' },
];

{
  // Two rows with one name would make the parser's answer depend on row order.
  const seen = new Set<string>();
  for (const f of FLAGS) {
    for (const key of [`--${f.flag}`, ...(f.short === undefined ? [] : [`-${f.short}`])]) {
      if (seen.has(key)) throw new Error(`flags table: ${key} appears twice`);
      seen.add(key);
    }
    if ((f.arg === undefined) !== (f.parse === undefined)) throw new Error(`flags table: --${f.flag} needs both arg and parse, or neither`);
  }
}

/** The rows `command` takes, in table order. */
export function flagsOf(command: CommandName): FlagSpec[] {
  return FLAGS.filter((f) => f.commands.includes(command));
}

/** The help rows of `command`'s flags (those passing `filter`), one per line. */
export function flagsHelp(command: CommandName, filter: (f: FlagSpec) => boolean = () => true): string {
  return flagsOf(command)
    .filter(filter)
    .map((f) => {
      const name = `${f.short ? `-${f.short}, ` : '    '}--${f.flag}${f.arg ? ` ${f.arg}` : ''}`;
      return `  ${name.padEnd(40)} ${f.helpIn?.[command] ?? f.help}`;
    })
    .join('\n');
}

// ---- the parser --------------------------------------------------------------------

/** One flag as given on the command line. */
export interface GivenFlag {
  readonly spec: FlagSpec;
  /** The value's text; null for a switch. */
  readonly text: string | null;
  /** The value as read by the row's `parse`; true for a switch. */
  readonly value: unknown;
  /** As typed, for messages: `--rate 50`, `-w kafka`, `--strict`. */
  readonly typed: string;
}

export interface CommandLine {
  /** Every flag given, in order. */
  readonly given: readonly GivenFlag[];
  /** The value of each flag given, by long name; the last one wins. */
  readonly values: ReadonlyMap<string, unknown>;
  /** Arguments that are not flags (eddy check's paths). */
  readonly positionals: readonly string[];
  /** For test, challenge and sim: everything after `--`, for the node, never read as eddy flags. */
  readonly nodeArgs: readonly string[];
  /** `--help` or `-h` was given: nothing else was read. */
  readonly help: boolean;
}

const commandList = (names: readonly CommandName[]): string => {
  const e = names.map((n) => `eddy ${n}`);
  return e.length <= 1 ? e.join('') : `${e.slice(0, -1).join(', ')} and ${e.at(-1)!}`;
};

/** The sentence for a bad value: the one form every command uses. */
export function badValue(flag: string, expects: string, got: string): string {
  return `--${flag} expects ${expects}, got "${got}"`;
}

/**
 * Reads `argv` (the arguments after the command's name) against the flags
 * `command` takes. Throws `OptionError` with one sentence at the first
 * problem.
 */
export function parseCommandLine(command: CommandName, argv: readonly string[]): CommandLine {
  rejectTypographicDashes(argv);
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? argv.slice() : argv.slice(0, dashDash);
  const after = dashDash === -1 ? [] : argv.slice(dashDash + 1);
  const nodeArgs = NODE_ARGS_AFTER_DASH_DASH.has(command) ? after : [];
  const positionals: string[] = NODE_ARGS_AFTER_DASH_DASH.has(command) ? [] : [...after];
  if (own.includes('--help') || own.includes('-h')) return { given: [], values: new Map(), positionals: [], nodeArgs, help: true };

  const given: GivenFlag[] = [];
  const mine = flagsOf(command);
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    let raw: string;
    let inline: string | null = null;
    let spec: FlagSpec | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      raw = eq === -1 ? a : a.slice(0, eq);
      if (eq !== -1) inline = a.slice(eq + 1);
      spec = FLAGS.find((f) => f.flag === raw.slice(2));
    } else {
      // A short flag: -w NAME, -wNAME or -w=NAME.
      raw = a.slice(0, 2);
      if (a.length > 2) inline = a[2] === '=' ? a.slice(3) : a.slice(2);
      spec = FLAGS.find((f) => f.short === raw.slice(1));
    }
    if (spec === undefined) throw new OptionError(`Unknown flag ${raw}; see eddy ${command} --help for the flags it takes`);
    if (!mine.includes(spec)) {
      const hint = spec.elsewhere?.[command] ?? `see eddy ${command} --help for the flags it takes`;
      throw new OptionError(`--${spec.flag} is a flag of ${commandList(spec.commands.filter((c) => c !== command))}, not of eddy ${command} (${hint})`);
    }
    if (spec.arg === undefined) {
      if (inline !== null) throw new OptionError(`--${spec.flag} expects no value (it is a switch), got "${inline}"`);
      given.push({ spec, text: null, value: true, typed: raw });
      continue;
    }
    let text = inline;
    if (text === null) {
      const next = own[i + 1];
      if (next === undefined) throw new OptionError(`--${spec.flag} expects a value (${spec.arg}), but none was given`);
      // "-5" is a value; "--quiet" or "-w" after a flag that needs one is surely a forgotten value.
      if (/^-[A-Za-z-]/.test(next)) {
        throw new OptionError(`--${spec.flag} expects a value (${spec.arg}), but was followed by "${next}", which looks like a flag; write --${spec.flag}=${next} if it is the value`);
      }
      text = next;
      i++;
    }
    const value = spec.parse!(text);
    if (value === undefined) throw new OptionError(badValue(spec.flag, spec.expects!, text));
    given.push({ spec, text, value, typed: `${raw} ${text}` });
  }
  return { given, values: new Map(given.map((g) => [g.spec.flag, g.value])), positionals, nodeArgs, help: false };
}

/** Refuses a stray argument of a command that takes no positional arguments. */
export function refusePositionals(command: CommandName, line: CommandLine, example: string): void {
  const p = line.positionals[0];
  if (p === undefined) return;
  if (NODE_ARGS_AFTER_DASH_DASH.has(command)) {
    throw new OptionError(`Unexpected argument "${p}": arguments for the node program go after --, e.g. eddy ${command} ${example} -- ${p}`);
  }
  throw new OptionError(`Unexpected argument "${p}": eddy ${command} takes only flags (see eddy ${command} --help)`);
}

// ---- from a command line to TestOptions --------------------------------------------

export interface ParsedTestArgs {
  options: TestOptions;
  help: boolean;
  /** One sentence per workload flag given that the chosen workload does not read (the run goes on without it). */
  warnings: string[];
}

/** The flags only some workloads read; giving one to another workload is warned about. */
const WORKLOAD_FLAGS: readonly WorkloadFlagName[] = ['topology', 'key-count', 'max-txn-length', 'max-writes-per-key', 'consistency-models'];

/**
 * The options a parsed command line asks for: each flag given sets its
 * row's field over the defaults; then what only the flags together can
 * say (--ideal-rate against --lateness, the workload's own rules).
 */
export function testOptionsOf(given: readonly GivenFlag[], bin: string, nodeArgs: readonly string[]): ParsedTestArgs {
  const options: TestOptions = { ...DEFAULT_OPTIONS, bin, args: [...nodeArgs], nemesis: [] };
  const fields = options as unknown as Record<string, unknown>;
  for (const g of given) if (g.spec.field !== undefined && g.spec.field !== 'bin') fields[g.spec.field] = g.value;
  const lateness = [...given].reverse().find((g) => g.spec.flag === 'lateness');
  if (options.idealRate && lateness !== undefined && options.lateness !== 0) {
    throw new OptionError(`--ideal-rate and --lateness ${lateness.text ?? ''} contradict each other: --ideal-rate means no lateness; give one of them`);
  }
  // What the workload itself cannot run (lin-kv's concurrency rule, txn model names) is refused here too, as a bad flag.
  const def = findWorkload(options.workload);
  def?.validate?.(options);
  const reads = def?.flags ?? [];
  const named = new Set(given.map((g) => g.spec.flag));
  const warnings = WORKLOAD_FLAGS.filter((f) => named.has(f) && !reads.includes(f)).map(
    (f) => `-w ${options.workload} does not use --${f}; it is ignored${reads.length > 0 ? ` (${options.workload} reads ${reads.map((r) => `--${r}`).join(', ')})` : ''}.`,
  );
  return { options, help: false, warnings };
}

/** `--bin`'s value, or the sentence saying it is required. */
export function requireBin(line: CommandLine, example: string): string {
  const bin = line.values.get('bin');
  if (typeof bin !== 'string') throw new OptionError(`--bin is required: expected the path of the node program to test, e.g. --bin ${example}`);
  return bin;
}

/**
 * Parses `eddy test` arguments (without the `test` word). Throws
 * `OptionError` with one sentence on any bad flag or value.
 */
export function parseTestArgs(argv: readonly string[]): ParsedTestArgs {
  const line = parseCommandLine('test', argv);
  if (line.help) return { options: { ...DEFAULT_OPTIONS, bin: '', args: [] }, help: true, warnings: [] };
  refusePositionals('test', line, '--bin node.js');
  const bin = requireBin(line, 'bin/eddy-broadcast');
  return testOptionsOf(line.given, bin, line.nodeArgs);
}

// ---- typographic dashes ------------------------------------------------------------

/** Dashes that look like "-" when pasted from a web page. */
const TYPOGRAPHIC_DASHES = /^[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]+-*/;

/**
 * A flag written with an en or em dash (`–-nemesis`, `—nemesis`, as pasted
 * from the Gossip Glomers pages) would otherwise be taken as a positional
 * argument or, after `--`, handed to the node, silently turning the fault off.
 */
export function rejectTypographicDashes(argv: readonly string[]): void {
  for (const arg of argv) {
    const m = TYPOGRAPHIC_DASHES.exec(arg);
    if (m === null) continue;
    const rest = arg.slice(m[0].length);
    if (!/^[A-Za-z]/.test(rest)) continue;
    const name = rest.split('=')[0]!;
    const suggestion = rest.length === 1 ? `-${rest}` : `--${rest}`;
    throw new OptionError(`"${arg}" starts with a typographic dash, not "-" (pasted from a web page?); did you mean \`${suggestion}\`? eddy refuses it rather than pass "${name}" on silently`);
  }
}
