/**
 * What Maelstrom's two transactional workloads share (workload/
 * txn_list_append.clj, txn_rw_register.clj): Elle's `wr-txns` generator,
 * the `txn` RPC with its reply check, and the `--consistency-models`
 * check. The two workload modules differ only in the write function
 * (`append` or `w`), what a read may return, and the Elle checker.
 *
 * The generator (Elle 0.2.2 `wr-txns`): a transaction has a length uniform
 * in [1, --max-txn-length]; each micro-op is a read or a write (1/2 each)
 * on a key drawn from the active-key vector with an exponential
 * distribution, base 2 (position i with probability 2^i / (2^K - 1), so
 * the last position is the hottest). A key's writes carry 1, 2, 3, ...;
 * when a write is drawn for a key that has had --max-writes-per-key of
 * them, the key is replaced in place by a fresh one (the largest active
 * key + 1) and the micro-op is drawn again.
 */
import { canonicalModel, MODEL_NAMES } from '../checker/elle/index.js';
import type { Rng } from '../rng.js';
import { OptionError, type TestOptions } from '../options.js';
import type { Body } from '../types.js';
import { failureCompletion, malformedReply, type Completion, type Conn, type MainGenerator, type OpSpec } from './workload.js';

/** A micro-operation as it travels: [f, key, value]. */
export type Mop = [string, unknown, unknown];

/** Elle's default number of active keys when --key-count is absent. */
export const KEY_COUNT_DEFAULT = 10;

export interface TxnGeneratorOptions {
  /** Active keys at any time (`--key-count`, null: 10). */
  keyCount: number | null;
  /** Longest transaction (`--max-txn-length`). */
  maxTxnLength: number;
  /** Writes per key before it is replaced (`--max-writes-per-key`). */
  maxWritesPerKey: number;
  /** The write function: "append" (list-append) or "w" (rw-register). */
  writeF: 'append' | 'w';
}

/**
 * The transaction source as a pure state machine over an Rng: `next(rng)`
 * is one transaction. Kept apart from the DrawContext so that tests can
 * draw thousands of transactions from a bare Rng.
 */
export class TxnSource {
  readonly #o: TxnGeneratorOptions;
  readonly #keyCount: number;
  /** Elle's key-dist-scale for base 2: 2 (2^K - 1). */
  readonly #scale: number;
  readonly #active: number[];
  /** Next value to write, per key (absent: 1). */
  readonly #nextValue = new Map<number, number>();

  constructor(o: TxnGeneratorOptions) {
    this.#o = o;
    this.#keyCount = o.keyCount ?? KEY_COUNT_DEFAULT;
    this.#scale = ((2 ** this.#keyCount - 1) * 2) / (2 - 1);
    this.#active = Array.from({ length: this.#keyCount }, (_, i) => i);
  }

  /** The active keys, in vector order (for tests). */
  get activeKeys(): readonly number[] {
    return this.#active;
  }

  next(rng: Rng): Mop[] {
    const length = 1 + rng.int(this.#o.maxTxnLength);
    const txn: Mop[] = [];
    while (txn.length < length) {
      const write = rng.int(2) === 1;
      const i = this.#keyIndex(rng);
      const k = this.#active[i]!;
      if (!write) {
        txn.push(['r', k, null]);
        continue;
      }
      const v = this.#nextValue.get(k) ?? 1;
      if (v > this.#o.maxWritesPerKey) {
        // Elle replaces the key at the position of its first occurrence and draws again.
        this.#active[this.#active.indexOf(k)] = Math.max(...this.#active) + 1;
        continue;
      }
      this.#nextValue.set(k, v + 1);
      txn.push([this.#o.writeF, k, v]);
    }
    return txn;
  }

  /** Elle's `rand-key` for the exponential distribution, base 2. */
  #keyIndex(rng: Rng): number {
    const i = Math.floor(Math.log(rng.float() * this.#scale + 2) / Math.LN2 - 1);
    // Floating-point rounding at the very top of the range must not step outside the vector.
    return Math.min(Math.max(i, 0), this.#keyCount - 1);
  }
}

/** The main-phase generator: one `txn` operation per draw, for Jepsen's default worker. */
export function txnGenerator(o: TxnGeneratorOptions): MainGenerator {
  const source = new TxnSource(o);
  return {
    draw(ctx) {
      return { worker: ctx.defaultWorker, f: 'txn', value: source.next(ctx.rng) };
    },
  };
}

/**
 * Checks every `--consistency-models` name against Elle's list (friendly or
 * canonical names); an unknown one is refused at the command line, with
 * the list, instead of crashing the checker after the run as Maelstrom does.
 */
export function validateConsistencyModels(options: TestOptions): void {
  const unknown = options.consistencyModels.filter((m) => canonicalModel(m) === null);
  if (unknown.length === 0) return;
  // The flags table's one form (src/cli/flags.ts), quoting only the names that are not known.
  throw new OptionError(`--consistency-models expects model names from ${[...MODEL_NAMES].join(', ')}, got ${unknown.map((m) => `"${m}"`).join(', ')}`);
}

/** How a workload's reads look. */
export interface ReadShape {
  /** What a read's value must be, in words (for the malformed-reply sentence). */
  readonly expected: string;
  accepts(value: unknown): boolean;
}

/**
 * One `txn` RPC: `{type: "txn", txn: [[f, k, v], ...]}` → `txn_ok` with the
 * completed transaction. with-errors, nothing idempotent: a timeout or an
 * indefinite error is `info`, a definite error `fail` (the value stays the
 * invocation's). The reply must hold the request's micro-ops in order, with
 * the same functions and keys, writes with the same values and reads with
 * a value of the right shape; anything else is a malformed reply (`info`)
 * naming node and request. Maelstrom's schema lets a reply with other mops
 * through (issue #57); eddy does not.
 */
export async function invokeTxn(conn: Conn, op: OpSpec, read: ReadShape): Promise<Completion> {
  const txn = op.value as Mop[];
  const r = await conn.client.rpc(conn.node, { type: 'txn', txn }, conn.timeoutMs);
  const failed = failureCompletion(r, op, false);
  if (failed !== null) return failed;
  const body: Body = r.kind === 'reply' ? r.body : { type: '?' };
  const problem = replyProblem(txn, body, read);
  if (problem !== null) return malformedReply(op, `a txn_ok whose txn ${problem} (request ${JSON.stringify(txn)})`, body, conn.node);
  return { type: 'ok', value: body['txn'] };
}

/** What is wrong with a txn reply, as the end of "a txn_ok whose txn ...", or null when nothing is. */
export function replyProblem(request: readonly Mop[], body: Body, read: ReadShape): string | null {
  if (body.type !== 'txn_ok') return 'echoes the request (got a reply of another type)';
  const got = body['txn'];
  if (!Array.isArray(got)) return 'is an array of micro-ops (got no txn array)';
  if (got.length !== request.length) return `has the request's ${request.length} micro-op(s) (got ${got.length})`;
  for (let i = 0; i < request.length; i++) {
    const [f, k, v] = request[i]!;
    const m: unknown = got[i];
    const at = `micro-op ${i}`;
    if (!Array.isArray(m) || m.length !== 3) return `has ${at} as a 3-element [f, k, v] array (got ${JSON.stringify(m)})`;
    if (m[0] !== f) return `has ${at} with function "${f}" (got ${JSON.stringify(m[0])})`;
    if (!sameJson(m[1], k)) return `has ${at} on key ${JSON.stringify(k)} (got ${JSON.stringify(m[1])})`;
    if (f === 'r') {
      if (!read.accepts(m[2])) return `has ${at}, a read, with ${read.expected} (got ${JSON.stringify(m[2])})`;
    } else if (!sameJson(m[2], v)) {
      return `has ${at}, ${f === 'w' ? 'a write' : 'an append'}, with value ${JSON.stringify(v)} (got ${JSON.stringify(m[2])})`;
    }
  }
  return null;
}

/** Equality of JSON values by value (keys and written values are numbers, but nodes may send anything). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
