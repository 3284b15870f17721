/**
 * Every knob of an `eddy test` run, in one typed object, with its defaults
 * and the check of an object built in code. The command line is read onto
 * it by src/cli/flags.ts, whose flags map 1:1 onto these fields and keep
 * Maelstrom's names and defaults (maelstrom/core.clj and jepsen/cli.clj), so
 * that a `maelstrom test ...` command line works unchanged with `eddy
 * test`. The few eddy-only fields (seed, store, quiet, the idealised network
 * and the shortened waits for tests) are marked as such.
 *
 * Bad input is rejected with one sentence naming the field or flag, the
 * value received and what is allowed (`OptionError`).
 */
import { challenges, findChallenge } from './challenges.js';
import { findWorkload, workloadNames } from './workloads/registry.js';

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
