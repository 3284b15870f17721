/**
 * Every knob of an `eddy test` run, in one typed object, and the parsing of
 * the command line onto it. Flags map 1:1 onto fields and keep Maelstrom's
 * names and defaults (maelstrom/core.clj and jepsen/cli.clj), so that a
 * `maelstrom test ...` command line works unchanged with `eddy test`. The
 * few eddy-only fields (seed, store, quiet, the idealised network and the
 * shortened waits for tests) are marked as such.
 *
 * Bad input is rejected here, at the edge, with one sentence naming the
 * flag, the value received and what is allowed (`OptionError`).
 */
import { parseArgs } from 'node:util';
import { challenges, findChallenge } from './challenges.js';
import { findWorkload, workloadNames } from './workloads/registry.js';
import type { WorkloadFlagName } from './workloads/workload.js';

/** A registered workload's name (`workloads/registry.ts` holds the list). */
export type WorkloadName = string;

export type LatencyDist = 'constant' | 'uniform' | 'exponential';
export const LATENCY_DISTS: readonly LatencyDist[] = ['constant', 'uniform', 'exponential'];

/** Kept in step with src/harness/topology.ts (checked by a test). */
export type TopologyChoice = 'grid' | 'line' | 'tree' | 'tree2' | 'tree3' | 'tree4' | 'total';
export const TOPOLOGY_CHOICES: readonly TopologyChoice[] = ['grid', 'line', 'tree', 'tree2', 'tree3', 'tree4', 'total'];

/** `partition` is Maelstrom's; the others are eddy's own (Maelstrom has none of them). */
export type NemesisFault = 'partition' | 'kill' | 'pause' | 'partition-one-way';
export const NEMESIS_FAULTS: readonly NemesisFault[] = ['partition', 'kill', 'pause', 'partition-one-way'];


export interface TestOptions {
  /** Which workload to run (`-w`, `--workload`). @default 'broadcast' */
  workload: WorkloadName;
  /** The node program (`--bin`). Required. */
  bin: string;
  /** Arguments for the node program (everything after `--`). @default [] */
  args: string[];
  /**
   * How many nodes (`--node-count`). With `null` the nodes are n1..n5, as
   * Maelstrom's default node list; with N they are n0..n(N-1).
   * @default null
   */
  nodeCount: number | null;
  /** Length of the main phase in seconds (`--time-limit`). @default 60 */
  timeLimitS: number;
  /** Operations per second for the whole cluster (`--rate`); 0 means none. @default 5 */
  rateHz: number;
  /** Client workers (`--concurrency`): `K` workers, or `Kn` = K per node. @default '1n' */
  concurrency: string;
  /** Mean latency of server-to-server messages, ms (`--latency`). @default 0 */
  latencyMs: number;
  /** Distribution of that latency (`--latency-dist`). @default 'constant' */
  latencyDist: LatencyDist;
  /** Neighbour map sent to nodes (`--topology`). @default 'grid' */
  topology: TopologyChoice;
  /** Faults to inject (`--nemesis`, comma-separated); empty = none. @default [] */
  nemesis: NemesisFault[];
  /** Mean seconds between nemesis operations (`--nemesis-interval`). @default 10 */
  nemesisIntervalS: number;
  /**
   * Required fraction of ok operations (`--availability`): a number in
   * [0, 1], `'total'` (every operation must succeed), or `null` (no check).
   * @default null
   */
  availability: number | 'total' | null;
  /** Copy node stderr to the console (`--log-stderr`). @default false */
  logStderr: boolean;
  /** Print every message as it is sent (`--log-net-send`). @default false */
  logNetSend: boolean;
  /** Print every message as it is received (`--log-net-recv`). @default false */
  logNetRecv: boolean;
  /**
   * Seed for every random choice of the run (`--seed`, eddy only). `null`
   * picks one at random; the seed used is printed and saved in test.json,
   * so the run's choices can be replayed.
   * @default null
   */
  seed: number | null;
  /** Directory for results (`--store`, eddy only). @default 'store' */
  store: string;
  /** No progress line (`--quiet`, eddy only). @default false */
  quiet: boolean;
  /**
   * Deliver each message exactly at its own deadline and check partitions
   * then (`--ideal-network-unlike-maelstrom`, eddy only). Maelstrom's
   * network instead has one delivery loop per destination that waits on the
   * earliest queued message, so figures differ from Maelstrom's when this
   * is on.
   * @default false
   */
  idealNetworkUnlikeMaelstrom: boolean;
  /**
   * Seconds to wait after healing before the final reads
   * (`--recovery-wait`, eddy only; Maelstrom always waits 10 s). Shorter
   * waits are for quick tests and change what "stable" means.
   * @default 10
   */
  recoveryS: number;
  /**
   * Number of keys (`--key-count`): txn-list-append, txn-rw-register and
   * kafka. `null` leaves Elle's generator default of 10 active keys.
   * @default null
   */
  keyCount: number | null;
  /** Most micro-operations in one transaction (`--max-txn-length`, txn workloads). @default 4 */
  maxTxnLength: number;
  /** Writes to a key before it is retired (`--max-writes-per-key`: txn workloads, kafka). @default 16 */
  maxWritesPerKey: number;
  /** Models the txn checkers judge against (`--consistency-models`). @default ['strict-serializable'] */
  consistencyModels: string[];
  /** Repeat the test this many times, stopping at the first run that is not valid (`--test-count`). @default 1 */
  testCount: number;
  /**
   * Let eddy's checks beyond Maelstrom's decide the verdict too (`--strict`,
   * eddy only). Without it their findings are warnings under "strict".
   * @default false
   */
  strict: boolean;
  /** Seconds a node has to answer `init` (`--init-timeout`, eddy only). @default 10 */
  initTimeoutS: number;
  /** Client RPC timeout in seconds (Maelstrom: 5). Not a CLI flag. @default 5 */
  rpcTimeoutS: number;
  /**
   * The Gossip Glomers challenge the run is judged against (set by `eddy
   * challenge NAME` and `eddy sim --challenge NAME`, not an `eddy test`
   * flag), with the flags given beyond its preset. The judgement goes into
   * results.json under "challenge".
   * @default null
   */
  challenge: { name: string; overrides: string[] } | null;
  /**
   * Strength of the model of Maelstrom's late wake-ups (`--lateness`, eddy
   * only; generator.ts `latenessMs`): 1 issues operations as a typical
   * Maelstrom machine does (about 0.85 x rate x time-limit at rate 100), 0
   * not at all late, 2 twice as late.
   * @default 1
   */
  lateness: number;
  /**
   * The ideal schedule, rate x time-limit operations (`--ideal-rate`, eddy
   * only): what eddy did before it modelled Maelstrom's lateness, the same
   * as lateness 0.
   * @default false
   */
  idealRate: boolean;
}

export const DEFAULT_OPTIONS: Readonly<Omit<TestOptions, 'bin'>> = Object.freeze<Omit<TestOptions, 'bin'>>({
  workload: 'broadcast',
  args: [],
  nodeCount: null,
  timeLimitS: 60,
  rateHz: 5,
  concurrency: '1n',
  latencyMs: 0,
  latencyDist: 'constant',
  topology: 'grid',
  nemesis: [],
  nemesisIntervalS: 10,
  availability: null,
  logStderr: false,
  logNetSend: false,
  logNetRecv: false,
  seed: null,
  store: 'store',
  quiet: false,
  idealNetworkUnlikeMaelstrom: false,
  recoveryS: 10,
  initTimeoutS: 10,
  rpcTimeoutS: 5,
  keyCount: null,
  maxTxnLength: 4,
  maxWritesPerKey: 16,
  consistencyModels: ['strict-serializable'],
  testCount: 1,
  strict: false,
  challenge: null,
  lateness: 1,
  idealRate: false,
});

/** A bad command line: `message` is one sentence meant for the user. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
}

/** The server node ids of a run: n1..n5 by default, n0..n(N-1) with --node-count. */
export function nodeIds(nodeCount: number | null): string[] {
  if (nodeCount === null) return ['n1', 'n2', 'n3', 'n4', 'n5'];
  return Array.from({ length: nodeCount }, (_, i) => `n${i}`);
}

/** The strength of the lateness model a run uses: 0 under --ideal-rate (options from before these flags count as the default). */
export function lateStrength(o: Pick<TestOptions, 'lateness' | 'idealRate'>): number {
  return o.idealRate === true ? 0 : (o.lateness ?? DEFAULT_OPTIONS.lateness);
}

/** Number of client workers for `concurrency` ('3' or '2n') over `nodeCount` nodes. */
export function workerCount(concurrency: string, nodeCount: number): number {
  const m = /^(\d+)(n?)$/.exec(concurrency);
  if (m === null) throw new OptionError(`--concurrency expects a number of workers like 5, or a multiple of the node count like 2n, got "${concurrency}"`);
  const k = Number(m[1]);
  return m[2] === 'n' ? k * nodeCount : k;
}

/** One row of the flags table: also drives `eddy test --help`. */
interface FlagSpec {
  flag: string;
  short?: string;
  /** Placeholder for the value; absent for boolean switches. */
  arg?: string;
  help: string;
  /** Hidden from the short table but listed under "eddy-only". */
  eddyOnly?: boolean;
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: 'workload', short: 'w', arg: 'NAME', help: 'Workload (see the list below). Default broadcast.' },
  { flag: 'bin', arg: 'PROGRAM', help: 'The node program to test (required). Arguments for it go after --.' },
  { flag: 'node-count', arg: 'N', help: 'Run N nodes n0..n(N-1). Default: five nodes n1..n5.' },
  { flag: 'time-limit', arg: 'SECONDS', help: 'Length of the main phase. Default 60.' },
  { flag: 'rate', arg: 'HZ', help: 'Operations per second, for the whole cluster. Default 5.' },
  { flag: 'concurrency', arg: 'N|Nn', help: 'Client workers: N, or N per node (Nn). Default 1n.' },
  { flag: 'latency', arg: 'MS', help: 'Mean latency of messages between server nodes. Default 0.' },
  { flag: 'latency-dist', arg: 'DIST', help: 'constant, uniform or exponential. Default constant.' },
  { flag: 'topology', arg: 'NAME', help: 'grid, line, tree, tree2, tree3, tree4 or total. Default grid.' },
  { flag: 'nemesis', arg: 'FAULTS', help: 'Comma-separated faults to inject: partition (Maelstrom\'s), kill, pause, partition-one-way (eddy only). Default none.' },
  { flag: 'nemesis-interval', arg: 'SECONDS', help: 'Mean seconds between nemesis operations. Default 10.' },
  { flag: 'availability', arg: 'A', help: 'Fraction of operations that must succeed (0..1), or total. Default: not checked.' },
  { flag: 'key-count', arg: 'N', help: 'Keys in play (txn-list-append, txn-rw-register, kafka). Default: 10 active keys.' },
  { flag: 'max-txn-length', arg: 'N', help: 'Most micro-operations per transaction (txn workloads). Default 4.' },
  { flag: 'max-writes-per-key', arg: 'N', help: 'Writes to a key before it is retired (txn workloads, kafka). Default 16.' },
  { flag: 'consistency-models', arg: 'MODELS', help: 'Models the txn checkers judge against, comma-separated. Default strict-serializable.' },
  { flag: 'test-count', arg: 'N', help: 'Run the test N times, stopping at the first run that is not valid. Default 1.' },
  { flag: 'log-stderr', help: 'Copy node stderr to the console.' },
  { flag: 'log-net-send', help: 'Print every message when it is sent.' },
  { flag: 'log-net-recv', help: 'Print every message when it is received.' },
  { flag: 'seed', arg: 'N', help: 'Seed for every random choice (eddy). Default: random, printed.', eddyOnly: true },
  { flag: 'store', arg: 'DIR', help: 'Where runs are saved (eddy). Default store.', eddyOnly: true },
  { flag: 'quiet', help: 'No progress line (eddy).', eddyOnly: true },
  { flag: 'strict', help: "Let eddy's checks beyond Maelstrom's decide the verdict (eddy). Default: they only warn.", eddyOnly: true },
  {
    flag: 'ideal-network-unlike-maelstrom',
    help: 'Deliver each message exactly at its deadline instead of Maelstrom\'s per-destination loop (eddy).',
    eddyOnly: true,
  },
  { flag: 'recovery-wait', arg: 'SECONDS', help: 'Wait before the final reads (eddy; Maelstrom: 10). Default 10.', eddyOnly: true },
  {
    flag: 'lateness',
    arg: 'F',
    help: "How late operations go out, as on Maelstrom: 1 a typical machine (~0.85 x rate x time-limit ops at rate 100), 0 never (eddy). Default 1.",
    eddyOnly: true,
  },
  { flag: 'ideal-rate', help: 'Issue exactly rate x time-limit operations, unlike Maelstrom (eddy; the same as --lateness 0).', eddyOnly: true },
  { flag: 'init-timeout', arg: 'SECONDS', help: 'Time a node has to answer init (eddy; Maelstrom: 10). Default 10.', eddyOnly: true },
  { flag: 'help', short: 'h', help: 'Show this help.' },
];

/** The `eddy test --help` text. */
export function flagsHelp(): string {
  const rows = FLAGS.map((f) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${f.flag}${f.arg ? ` ${f.arg}` : ''}`;
    return `  ${name.padEnd(40)} ${f.help}`;
  });
  return rows.join('\n');
}

export interface ParsedTestArgs {
  options: TestOptions;
  help: boolean;
  /** One sentence per workload flag given that the chosen workload does not read (the run goes on without it). */
  warnings: string[];
}

/** The flags only some workloads read; giving one to another workload is warned about. */
const WORKLOAD_FLAGS: readonly WorkloadFlagName[] = ['topology', 'key-count', 'max-txn-length', 'max-writes-per-key', 'consistency-models'];

/**
 * Parses `eddy test` arguments (without the `test` word). Throws
 * `OptionError` with one sentence on any bad flag or value.
 */
export function parseTestArgs(argv: readonly string[]): ParsedTestArgs {
  rejectTypographicDashes(argv);
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? argv.slice() : argv.slice(0, dashDash);
  const binArgs = dashDash === -1 ? [] : argv.slice(dashDash + 1);

  const spec: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const f of FLAGS) spec[f.flag] = f.short ? { type: f.arg ? 'string' : 'boolean', short: f.short } : { type: f.arg ? 'string' : 'boolean' };

  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: own, options: spec, strict: true, allowPositionals: true });
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (e) {
    throw new OptionError(explainParseError(e, own));
  }
  if (values['help'] === true) return { options: { ...DEFAULT_OPTIONS, bin: '', args: [] } as TestOptions, help: true, warnings: [] };
  if (positionals.length > 0) {
    throw new OptionError(`Unexpected argument "${positionals[0]}": arguments for the node program go after --, e.g. eddy test --bin node.js -- ${positionals[0]}`);
  }

  const str = (name: string): string | undefined => values[name] as string | undefined;
  const bool = (name: string): boolean => values[name] === true;

  const bin = str('bin');
  if (bin === undefined || bin === '') throw new OptionError('--bin is required: expected the path of the node program to test, e.g. --bin bin/eddy-broadcast');

  const options: TestOptions = {
    ...DEFAULT_OPTIONS,
    bin,
    args: binArgs,
    nemesis: [],
  };

  const w = str('workload');
  if (w !== undefined) options.workload = oneOf('--workload', w, workloadNames());
  const nc = str('node-count');
  if (nc !== undefined) options.nodeCount = positiveInt('--node-count', nc, 'a positive whole number of nodes');
  const tl = str('time-limit');
  if (tl !== undefined) options.timeLimitS = positiveNumber('--time-limit', tl, 'a positive number of seconds');
  const rate = str('rate');
  if (rate !== undefined) options.rateHz = nonNegativeNumber('--rate', rate, 'a non-negative number of operations per second');
  const conc = str('concurrency');
  if (conc !== undefined) {
    const m = /^(\d+)(n?)$/.exec(conc);
    if (m === null || Number(m[1]) < 1) {
      throw new OptionError(`--concurrency expects a positive number of workers like 5, or a multiple of the node count like 2n, got "${conc}"`);
    }
    options.concurrency = conc;
  }
  const lat = str('latency');
  if (lat !== undefined) options.latencyMs = nonNegativeNumber('--latency', lat, 'a non-negative number of milliseconds');
  const ld = str('latency-dist');
  if (ld !== undefined) options.latencyDist = oneOf('--latency-dist', ld, LATENCY_DISTS);
  const topo = str('topology');
  if (topo !== undefined) options.topology = oneOf('--topology', topo, TOPOLOGY_CHOICES);
  const nem = str('nemesis');
  if (nem !== undefined) {
    const faults = nem.split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const f of faults) {
      if (!(NEMESIS_FAULTS as readonly string[]).includes(f)) {
        throw new OptionError(`--nemesis does not know the fault "${f}"; it takes a comma-separated list of ${NEMESIS_FAULTS.join(', ')}`);
      }
    }
    options.nemesis = [...new Set(faults as NemesisFault[])];
  }
  const ni = str('nemesis-interval');
  if (ni !== undefined) options.nemesisIntervalS = positiveNumber('--nemesis-interval', ni, 'a positive number of seconds');
  const av = str('availability');
  if (av !== undefined) {
    if (av === 'total') options.availability = 'total';
    else {
      const a = Number(av);
      if (av.trim() === '' || !Number.isFinite(a) || a < 0 || a > 1) {
        throw new OptionError(`--availability expects a number from 0 to 1 or "total", got "${av}"`);
      }
      options.availability = a;
    }
  }
  const kc = str('key-count');
  if (kc !== undefined) options.keyCount = positiveInt('--key-count', kc, 'a positive whole number of keys');
  const mtl = str('max-txn-length');
  if (mtl !== undefined) options.maxTxnLength = positiveInt('--max-txn-length', mtl, 'a positive whole number of micro-operations');
  const mwk = str('max-writes-per-key');
  if (mwk !== undefined) options.maxWritesPerKey = positiveInt('--max-writes-per-key', mwk, 'a positive whole number of writes');
  const cm = str('consistency-models');
  if (cm !== undefined) options.consistencyModels = parseConsistencyModels(cm);
  const tc = str('test-count');
  if (tc !== undefined) options.testCount = positiveInt('--test-count', tc, 'a positive whole number of runs');
  options.strict = bool('strict');
  options.logStderr = bool('log-stderr');
  options.logNetSend = bool('log-net-send');
  options.logNetRecv = bool('log-net-recv');
  const seed = str('seed');
  if (seed !== undefined) {
    const s = Number(seed);
    if (!/^\d+$/.test(seed) || !Number.isSafeInteger(s)) {
      throw new OptionError(`--seed expects a non-negative whole number, got "${seed}"`);
    }
    options.seed = s;
  }
  const store = str('store');
  if (store !== undefined) {
    if (store === '') throw new OptionError('--store expects a directory path, got ""');
    options.store = store;
  }
  options.quiet = bool('quiet');
  options.idealNetworkUnlikeMaelstrom = bool('ideal-network-unlike-maelstrom');
  const rw = str('recovery-wait');
  if (rw !== undefined) options.recoveryS = nonNegativeNumber('--recovery-wait', rw, 'a non-negative number of seconds');
  const it = str('init-timeout');
  if (it !== undefined) options.initTimeoutS = positiveNumber('--init-timeout', it, 'a positive number of seconds');
  const lateness = str('lateness');
  if (lateness !== undefined) {
    const f = parseNumber(lateness);
    if (!Number.isFinite(f) || f < 0 || f > 10) {
      throw new OptionError(`--lateness expects a strength from 0 to 10 (1 = a typical Maelstrom machine, 0 = never late), got "${lateness}"`);
    }
    options.lateness = f;
  }
  options.idealRate = bool('ideal-rate');
  if (options.idealRate && lateness !== undefined && options.lateness !== 0) {
    throw new OptionError(`--ideal-rate and --lateness ${lateness} contradict each other: --ideal-rate means no lateness; give one of them`);
  }
  // What the workload itself cannot run (lin-kv's concurrency rule, txn model names) is refused here too, as a bad flag.
  findWorkload(options.workload)?.validate?.(options);
  const reads = findWorkload(options.workload)?.flags ?? [];
  const warnings = WORKLOAD_FLAGS.filter((f) => values[f] !== undefined && !reads.includes(f)).map(
    (f) => `-w ${options.workload} does not use --${f}; it is ignored${reads.length > 0 ? ` (${options.workload} reads ${reads.map((r) => `--${r}`).join(', ')})` : ''}.`,
  );
  return { options, help: false, warnings };
}

/**
 * Checks an options object built in code (not from the CLI), e.g. by the
 * simulator or a test. Throws `OptionError` naming the field.
 */
export function validateOptions(o: TestOptions): void {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new OptionError(`Option ${field} expects ${expected}, got ${JSON.stringify(value)}`);
  };
  const def = findWorkload(o.workload);
  if (def === undefined) fail('workload', o.workload, `one of ${workloadNames().join(', ')}`);
  if (typeof o.bin !== 'string') fail('bin', o.bin, 'a string');
  if (o.nodeCount !== null && !(Number.isInteger(o.nodeCount) && o.nodeCount >= 1)) fail('nodeCount', o.nodeCount, 'a positive whole number or null');
  if (!(o.timeLimitS > 0)) fail('timeLimitS', o.timeLimitS, 'a positive number');
  if (!(o.rateHz >= 0)) fail('rateHz', o.rateHz, 'a non-negative number');
  if (!/^[1-9]\d*n?$/.test(o.concurrency)) fail('concurrency', o.concurrency, 'N or Nn with N >= 1');
  if (!(o.latencyMs >= 0)) fail('latencyMs', o.latencyMs, 'a non-negative number');
  if (!LATENCY_DISTS.includes(o.latencyDist)) fail('latencyDist', o.latencyDist, `one of ${LATENCY_DISTS.join(', ')}`);
  if (!TOPOLOGY_CHOICES.includes(o.topology)) fail('topology', o.topology, `one of ${TOPOLOGY_CHOICES.join(', ')}`);
  if (!(o.nemesisIntervalS > 0)) fail('nemesisIntervalS', o.nemesisIntervalS, 'a positive number');
  if (!(o.recoveryS >= 0)) fail('recoveryS', o.recoveryS, 'a non-negative number');
  if (!(o.initTimeoutS > 0)) fail('initTimeoutS', o.initTimeoutS, 'a positive number');
  if (!(o.rpcTimeoutS > 0)) fail('rpcTimeoutS', o.rpcTimeoutS, 'a positive number');
  if (o.keyCount !== null && !(Number.isInteger(o.keyCount) && o.keyCount >= 1)) fail('keyCount', o.keyCount, 'a positive whole number or null');
  if (!(Number.isInteger(o.maxTxnLength) && o.maxTxnLength >= 1)) fail('maxTxnLength', o.maxTxnLength, 'a positive whole number');
  if (!(Number.isInteger(o.maxWritesPerKey) && o.maxWritesPerKey >= 1)) fail('maxWritesPerKey', o.maxWritesPerKey, 'a positive whole number');
  if (!Array.isArray(o.consistencyModels) || o.consistencyModels.length === 0) fail('consistencyModels', o.consistencyModels, 'a non-empty list of model names');
  if (!(Number.isInteger(o.testCount) && o.testCount >= 1)) fail('testCount', o.testCount, 'a positive whole number');
  if (o.challenge !== null && o.challenge !== undefined) {
    const c = findChallenge(String(o.challenge.name));
    if (c === undefined) fail('challenge', o.challenge.name, `one of ${challenges().map((x) => x.name).join(', ')}`);
    else if (c.workload !== o.workload) fail('workload', o.workload, `${c.workload}, the workload of challenge ${c.name}`);
  }
  if (!(typeof o.lateness === 'number' && o.lateness >= 0 && o.lateness <= 10)) fail('lateness', o.lateness, 'a number from 0 to 10');
  if (typeof o.idealRate !== 'boolean') fail('idealRate', o.idealRate, 'true or false');
  def?.validate?.(o);
}

/**
 * `--consistency-models`: names separated by commas and/or spaces. Maelstrom
 * splits only on " , " (spaces on both sides), so "a,b" there is one unknown
 * name; eddy takes it as the two names it was surely meant to be. Whether
 * each name is known is the workload's `validate` to say.
 */
export function parseConsistencyModels(value: string): string[] {
  const names = value.split(/[\s,]+/).filter((n) => n !== '');
  if (names.length === 0) throw new OptionError(`--consistency-models expects one or more model names such as serializable, got "${value}"`);
  return [...new Set(names)];
}

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

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OptionError(`${flag} expects one of ${allowed.join(', ')}, got "${value}"`);
}

function parseNumber(value: string): number {
  return value.trim() === '' ? NaN : Number(value);
}

function positiveNumber(flag: string, value: string, expected: string): number {
  const n = parseNumber(value);
  if (!Number.isFinite(n) || n <= 0) throw new OptionError(`${flag} expects ${expected}, got "${value}"`);
  return n;
}

function nonNegativeNumber(flag: string, value: string, expected: string): number {
  const n = parseNumber(value);
  if (!Number.isFinite(n) || n < 0) throw new OptionError(`${flag} expects ${expected}, got "${value}"`);
  return n;
}

function positiveInt(flag: string, value: string, expected: string): number {
  const n = parseNumber(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new OptionError(`${flag} expects ${expected}, got "${value}"`);
  return n;
}

/** Turns util.parseArgs's errors into one sentence naming the flag. */
function explainParseError(e: unknown, argv: readonly string[]): string {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  const flagInMsg = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `Unknown flag ${flagInMsg ?? '?'}; see eddy test --help for the flags eddy understands`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (msg.includes('ambiguous')) {
      const i = argv.findIndex((a) => a === flagInMsg);
      return `${flagInMsg} was followed by "${argv[i + 1] ?? ''}", which looks like a flag; write ${flagInMsg}=${argv[i + 1] ?? ''} if it is the value`;
    }
    const f = FLAGS.find((s) => flagInMsg !== undefined && (flagInMsg === `--${s.flag}` || flagInMsg.startsWith(`-${s.short ?? '\u0000'}`)));
    if (f?.arg) return `--${f.flag} expects a value (${f.arg}), but none was given`;
    if (f) {
      const given = argv.find((a) => a.startsWith(`--${f.flag}=`));
      return `--${f.flag} is a switch and takes no value, got "${given?.slice(f.flag.length + 3) ?? ''}"`;
    }
  }
  return msg.split('\n')[0]!;
}
