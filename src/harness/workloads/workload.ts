/**
 * What a workload bundles, as Maelstrom's workload files do: how an
 * operation becomes a request body and a reply becomes a completion, how the
 * cluster is set up before the operations start, which operations the
 * generator draws, which final operations run after recovery, and which
 * checker reads the history. The runner knows nothing about broadcast or
 * echo beyond this interface.
 */
import { errorKind } from '../../node/errors.js';
import type { Client, RpcResult } from '../client.js';
import type { Rng } from '../rng.js';
import type { Body, Op } from '../types.js';

/** An operation as the generator draws it. */
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

/** What a workload may use while setting the cluster up. */
export interface SetupContext {
  readonly nodes: readonly string[];
  /** Opens a fresh client (next id c0, c1, ...). The workload closes it. */
  openClient(): Client;
  readonly rpcTimeoutMs: number;
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

export interface Workload {
  readonly name: string;
  /** Runs once after init, before any operation (broadcast: topology). */
  setup(ctx: SetupContext): Promise<void>;
  /** Draws the next main-phase operation (for the OpGenerator's `next`). */
  readonly nextOp: (rng: Rng) => OpSpec;
  /** Jepsen's rotating worker index, or a random free worker for `each-thread` workloads. */
  readonly workerChoice: 'round-robin' | 'uniform';
  /** Performs `op` on `node` through `client`, one RPC. */
  invoke(client: Client, node: string, op: OpSpec, timeoutMs: number): Promise<Completion>;
  /** One operation per worker after recovery, or null for none (and no recovery wait). */
  readonly finalOp: OpSpec | null;
  /** Builds results.json from the history and the network statistics. */
  check(history: readonly Op[], net: unknown, extra: { availability: number | 'total' | null }): Record<string, unknown>;
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
 * A reply of the wrong shape. Maelstrom's schema check throws here, and
 * Jepsen records an exception in a client as an indeterminate `info`.
 */
export function malformedReply(op: OpSpec, expected: string, body: Body): Completion {
  const shown = JSON.stringify(body);
  return {
    type: 'info',
    value: op.value,
    error: `malformed-rpc-response: expected ${expected}, got ${shown.length > 200 ? shown.slice(0, 200) + '...' : shown}`,
  };
}
