/**
 * What a workload bundles, as Maelstrom's workload files do: its RPC
 * schemas (how an operation becomes a request body and a reply becomes a
 * completion), how the cluster is set up before the operations start, the
 * main-phase generator, the final phase (if any), the checker, the headline
 * figures and the pictures. A workload is one module that exports one
 * `WorkloadDef`, listed once in `registry.ts`; nothing else in eddy knows
 * its name.
 *
 * Two levels:
 * - `WorkloadDef`: the static description (name, flags it reads, checker,
 *   figures, default sim node). `eddy check` uses only this.
 * - `Workload`: one run's instance, made by `def.create(options)`: its
 *   generators hold state (counters, per-key thread groups, offsets).
 */
import { errorKind } from '../../node/errors.js';
import type { Valid } from '../checker/set-full.js';
import type { NetResult } from '../checker/net.js';
import type { Client, RpcResult } from '../client.js';
import type { TestOptions } from '../options.js';
import type { Rng } from '../rng.js';
import type { Body, Op } from '../types.js';

/** An operation as a generator draws it. */
export interface OpSpec {
  f: string;
  value: unknown;
}

/** How an invoked operation ended. */
export interface Completion {
  type: 'ok' | 'fail' | 'info';
  value: unknown;
  error?: unknown;
}

// ---- generators -------------------------------------------------------------

/**
 * What a main-phase generator sees when the global stagger says an operation
 * is due and at least one worker is free (Jepsen's generator context).
 */
export interface DrawContext {
  /** The run's generator rng (shared with the stagger, so draws are replayable). */
  readonly rng: Rng;
  /** Milliseconds since the main phase began (the first poll). */
  readonly nowMs: number;
  /** Number of client worker threads (`--concurrency` resolved). */
  readonly workerCount: number;
  /** Number of server nodes. */
  readonly nodeCount: number;
  isFree(worker: number): boolean;
  /** The worker's current process number (it changes after every `info`). */
  processOf(worker: number): number;
  /**
   * The free worker Jepsen's plain generator would hand the operation to
   * (the rotating index, or a uniform draw for `each-thread` workloads).
   * Reading it costs nothing; generators that do not care which worker
   * gets the operation return it as `worker`.
   */
  readonly defaultWorker: number;
}

/**
 * A drawn operation for a free worker, or Jepsen's `:pending`: nothing for
 * the free workers now; ask again at `untilMs` (null: when some operation
 * completes). A pending draw does not use up the stagger's slot.
 */
export type Draw = { worker: number; f: string; value: unknown } | { pending: true; untilMs: number | null };

/** One finished operation, as generators' `update` sees it (Jepsen's `update` with a completion event). */
export interface CompletionEvent {
  readonly worker: number;
  readonly process: number;
  readonly invoke: Op;
  readonly complete: Op;
}

/** A main-phase generator, under the global stagger, time limit and nemesis. A pure state machine: no clock, no I/O. */
export interface MainGenerator {
  draw(ctx: DrawContext): Draw;
  /** Sees every client completion of the main phase, in history order. */
  update?(ev: CompletionEvent): void;
}

/** What a final-phase generator sees for one worker. */
export interface FinalContext {
  readonly rng: Rng;
  /** Milliseconds since the final phase began. */
  readonly nowMs: number;
  readonly worker: number;
  readonly process: number;
  readonly workerCount: number;
}

/** A final-phase step for one worker: an operation, a pause, or "this worker is finished". */
export type FinalStep = OpSpec | { waitMs: number } | { done: true };

/**
 * The final phase, after heal and the recovery wait: every client worker
 * runs its own copy (not staggered), asking `next` each time it is free.
 */
export interface FinalGenerator {
  next(ctx: FinalContext): FinalStep;
  update?(ev: CompletionEvent): void;
  /** The whole phase stops this many ms after it began (kafka: 10,000); null for no cut-off. */
  readonly cutoffMs: number | null;
}

// ---- clients ------------------------------------------------------------------

/** One worker's connection to its node, as a workload's client sees it. */
export interface Conn {
  readonly client: Client;
  readonly node: string;
  /** The workload's RPC timeout (`rpcTimeoutMs` or the run's default). */
  readonly timeoutMs: number;
  /** True in the final phase. */
  readonly final: boolean;
  /**
   * State the workload keeps for this client (kafka: positions per key).
   * `undefined` for a freshly opened client; reset whenever the client is
   * replaced.
   */
  state: unknown;
}

/** What a workload may use while setting the cluster up. */
export interface SetupContext {
  readonly nodes: readonly string[];
  /** Opens a fresh client (next id c0, c1, ...). The workload closes it. */
  openClient(): Client;
  readonly rpcTimeoutMs: number;
  /**
   * The nodes to set up, when not all of them: a node restarted after
   * `--nemesis kill` gets the same setup again (broadcast: the same
   * topology message), computed over all of `nodes`. @default nodes
   */
  readonly targets?: readonly string[];
}

/** A problem that makes setup impossible; `message` is one sentence naming the node. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
  readonly node: string;
  constructor(node: string, message: string) {
    super(message);
    this.node = node;
  }
}

/** One run's workload instance. */
export interface Workload {
  /** Runs once after init, before any operation (broadcast: topology). */
  setup(ctx: SetupContext): Promise<void>;
  readonly generator: MainGenerator;
  /**
   * The final phase, or null: with one, the runner heals every fault, waits
   * for recovery (10 s) and runs it; without, the run ends at the time limit
   * and nothing is healed (spec 1.2).
   */
  readonly final: FinalGenerator | null;
  /**
   * Whether a worker keeps its client after an `info` (Maelstrom's
   * reusable clients: unique-ids, lin-kv, txn-*) or opens a new one
   * (g-set, counters, kafka, broadcast).
   */
  readonly reusableClient: boolean;
  /** The RPC timeout for this workload's operations, ms (lin-kv: max(10 × latency, 1000)). null: the run's (5 s). */
  readonly rpcTimeoutMs: number | null;
  /**
   * How the default worker of a draw is chosen: Jepsen's rotating index
   * (plain generators) or a uniform draw among free workers (`each-thread`).
   * @default 'round-robin'
   */
  readonly workerChoice?: 'round-robin' | 'uniform';
  /** Performs `op` through `conn` (usually one RPC). A thrown exception makes the op `info`, as in Jepsen. */
  invoke(conn: Conn, op: OpSpec): Promise<Completion>;
}

// ---- checking -------------------------------------------------------------------

/** The workload checker's own result (results.json "workload"). */
export interface WorkloadResult {
  'valid?': Valid;
}

/**
 * eddy's checks beyond Maelstrom's (results.json "strict"): with `--strict`
 * their verdict is merged into the run's; without, they are printed as
 * warnings and change nothing.
 */
export interface StrictResult {
  'valid?': Valid;
  /** One sentence per finding, for the console and the run page. */
  findings: string[];
  [key: string]: unknown;
}

/** What a workload's checker is given. */
export interface CheckInput {
  readonly history: readonly Op[];
  /** The run's options (workload flags included). */
  readonly options: TestOptions;
}

export interface CheckOutput<R extends WorkloadResult = WorkloadResult> {
  workload: R;
  /** null when the workload has no checks beyond Maelstrom's. */
  strict: StrictResult | null;
}

// ---- the registry entry -------------------------------------------------------------

/** A figure shown for a run in the progress line's end, sweep tables, `eddy serve` and benches. */
export interface Figure {
  /** Short column label, e.g. "lost", "msgs/op", "stable p50 ms". */
  readonly label: string;
  /** Which way is better, for comparisons; null when neither. */
  readonly better: 'lower' | 'higher' | null;
  /** Reads the figure from a results.json map; null when the run has none. */
  value(results: Record<string, unknown>): number | null;
  /** Digits after the point when shown. @default 0 */
  readonly digits?: number;
}

/** What a workload's extra pictures get. */
export interface PictureInput {
  readonly history: readonly Op[];
  /** results.json as written (may be an aborted run's). */
  readonly results: Record<string, unknown>;
  /** test.json as written. */
  readonly test: Record<string, unknown>;
  /** Fault intervals in history time, for shading. */
  readonly faults: readonly { startMs: number; endMs: number; kind: 'partition' | 'kill' | 'pause' | 'partition-one-way'; description: string }[];
}

/** One picture a workload draws: a file name (possibly in a sub-directory) and its text. */
export interface Picture {
  readonly file: string;
  /** Caption on the run page. */
  readonly title: string;
  readonly text: string;
}

/** Names of the workload-specific flags a workload may read (the flags table in src/cli/flags.ts). */
export type WorkloadFlagName = 'topology' | 'key-count' | 'max-txn-length' | 'max-writes-per-key' | 'consistency-models';

export interface WorkloadDef {
  readonly name: string;
  /** What it checks, one line (the README's workload table, `--help`). */
  readonly summary: string;
  /** The Gossip Glomers challenge(s) it serves, e.g. "3a-3e", or null. */
  readonly challenge: string | null;
  /**
   * The operation names (`f`) its generator issues, the most telling first:
   * lets eddy tell which workload a history without test.json came from.
   */
  readonly ops?: readonly string[];
  /** Workload flags it reads; others given for it are warned about and ignored. */
  readonly flags: readonly WorkloadFlagName[];
  /** Checks the options against what the workload can run; throws OptionError with one sentence. */
  validate?(options: TestOptions): void;
  create(options: TestOptions): Workload;
  /** The checker: a pure function of the history and options (`eddy check` calls it too). */
  check(input: CheckInput): CheckOutput;
  /**
   * eddy's reference node for this workload: the default in-process node of
   * `eddy sim` (a module path relative to `src/nodes/`, as compiled, e.g.
   * 'broadcast/index.js') and the executable's name.
   */
  readonly defaultNode: { readonly module: string; readonly bin: string } | null;
  /** Headline figures, most important first. */
  readonly figures: readonly Figure[];
  /** The workload's own pictures (beyond messages, latency, rate, timeline). */
  pictures?(input: PictureInput): Picture[];
}

// ---- helpers for workload modules ------------------------------------------------------

/** A generator that draws each operation with `next` and gives it to Jepsen's default worker. */
export function plainGenerator(next: (rng: Rng) => OpSpec): MainGenerator {
  return {
    draw(ctx) {
      const { f, value } = next(ctx.rng);
      return { worker: ctx.defaultWorker, f, value };
    },
  };
}

/** A final phase of one operation per worker (broadcast, g-set, counters: one read each). */
export function oncePerWorker(op: OpSpec): FinalGenerator {
  const done = new Set<number>();
  return {
    cutoffMs: null,
    next(ctx) {
      if (done.has(ctx.worker)) return { done: true };
      done.add(ctx.worker);
      return { f: op.f, value: op.value };
    },
  };
}

/**
 * Maelstrom's `with-errors` (the completion keeps the invocation's value): a timeout or an error reply becomes `fail`
 * when the operation surely did not happen (a definite error, or any
 * failure of an idempotent `f` such as read) and `info` otherwise.
 */
export function failureCompletion(result: RpcResult, op: OpSpec, idempotent: boolean): Completion | null {
  if (result.kind === 'timeout') return { type: idempotent ? 'fail' : 'info', value: op.value, error: 'net-timeout' };
  if (result.body.type !== 'error') return null;
  const code = result.body['code'];
  const kind = errorKind(typeof code === 'number' ? code : 13);
  const text = result.body['text'];
  return {
    type: kind.definite || idempotent ? 'fail' : 'info',
    value: op.value,
    error: [kind.name, typeof text === 'string' ? text : null],
  };
}

/**
 * Workloads without `with-errors` (g-set, counters): every timeout and every
 * error reply, definite or not, is an indeterminate `info` carrying the
 * exception's text, as Jepsen's interpreter records a client exception.
 */
export function indeterminateCompletion(result: RpcResult, op: OpSpec): Completion | null {
  if (result.kind === 'timeout') return { type: 'info', value: op.value, error: 'indeterminate: Client read timeout' };
  if (result.body.type !== 'error') return null;
  const code = result.body['code'];
  const kind = errorKind(typeof code === 'number' ? code : 13);
  const text = result.body['text'];
  return { type: 'info', value: op.value, error: `indeterminate: ${kind.name} ${typeof text === 'string' ? JSON.stringify(text) : ''}`.trimEnd() };
}

/**
 * A reply of the wrong shape. Maelstrom's schema check throws here, and
 * Jepsen records an exception in a client as an indeterminate `info`.
 * `request` names what was asked, so the sentence names node, request and
 * what was expected.
 */
export function malformedReply(op: OpSpec, expected: string, body: Body, node?: string): Completion {
  const shown = JSON.stringify(body);
  const from = node === undefined ? '' : ` from node ${node} to ${op.f}`;
  return {
    type: 'info',
    value: op.value,
    error: `malformed-rpc-response: expected ${expected}${from}, got ${shown.length > 200 ? shown.slice(0, 200) + '...' : shown}`,
  };
}
