/**
 * eddy-txn-list-append: Maelstrom's txn-list-append workload on the
 * `lin-kv` and `lww-kv` services, the way the Datomic chapter builds it
 * (db.ts: a root map CASed in lin-kv, immutable thunks in lww-kv), with
 * group commit. Serializable and strict-serializable at any node count.
 * Every node forwards its transactions to one coordinator (the first node
 * id), which commits them in batches, so nodes do not race each other's
 * CAS; a node that cannot reach the coordinator commits on its own for a
 * while (correct either way: the root's CAS decides). A batch whose root keeps moving fails with txn-conflict (30,
 * definite); a service that does not answer makes the transaction's
 * outcome unknown (the timeout's code 0 is passed on, indefinite).
 */

import { bootStamp } from '../boot.js';
import { KV, Node, RPCError, type Body, type NodeEnv } from '../../node/index.js';
import { DB_DEFAULTS, ListAppendDb, type DbOptions, type Mop, type Root, type Services } from './db.js';

export { ListAppendDb, DB_DEFAULTS, keyOf, type DbOptions, type Mop, type Root, type Services } from './db.js';

/** The lin-kv key holding the root map. */
export const ROOT_KEY = 'root';

export const USAGE = 'eddy-txn-list-append [--max-attempts N] [--max-batch N] [--backoff-ms MS] [--service-timeout-ms MS]\n  [--no-forward] [--forward-timeout-ms MS] [--fallback-ms MS]';

export interface ListAppendOptions extends DbOptions {
  /** How long each service request may take. @default 1000 */
  serviceTimeoutMs: number;
  /**
   * Transactions go to one coordinator (the first node id), which runs them
   * in batches; a node that cannot reach it runs them itself for
   * `fallbackMs`. Without it every node commits on its own, and a node that
   * keeps losing CAS races to a busy one can starve. @default true
   */
  forward: boolean;
  /** How long a forwarded transaction may take before the coordinator is taken to be unreachable. @default 1000 */
  forwardTimeoutMs: number;
  /** How long a node runs transactions itself after the coordinator did not answer. @default 2000 */
  fallbackMs: number;
}

export function parseOptions(args: readonly string[]): ListAppendOptions {
  const o: ListAppendOptions = { ...DB_DEFAULTS, serviceTimeoutMs: 1000, forward: true, forwardTimeoutMs: 1000, fallbackMs: 2000 };
  const flags: Record<string, 'maxAttempts' | 'maxBatch' | 'backoffMs' | 'serviceTimeoutMs' | 'forwardTimeoutMs' | 'fallbackMs'> = {
    '--forward-timeout-ms': 'forwardTimeoutMs',
    '--fallback-ms': 'fallbackMs',
    '--max-attempts': 'maxAttempts',
    '--backoff-ms': 'backoffMs',
    '--max-batch': 'maxBatch',
    '--service-timeout-ms': 'serviceTimeoutMs',
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') continue;
    if (arg === '--no-forward') {
      o.forward = false;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const field = flags[flag];
    if (field === undefined) throw new Error(`Unknown argument ${JSON.stringify(arg)}; usage: ${USAGE}`);
    const value = inline ?? args[++i];
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} expects a whole number from 1 up, got ${JSON.stringify(value)}`);
    o[field] = n;
  }
  return o;
}

/** The services as a Node's KV clients see them. */
export function kvServices(node: Node, timeoutMs: number): Services {
  const lin = new KV<string, Root>(node, 'lin-kv');
  const lww = new KV<string, unknown[]>(node, 'lww-kv');
  const o = { timeoutMs };
  return {
    readRoot: () => lin.readOr(ROOT_KEY, null, o),
    async casRoot(from, to) {
      try {
        if (from === null) await lin.cas(ROOT_KEY, {}, to, { ...o, createIfNotExists: true });
        else await lin.cas(ROOT_KEY, from, to, o);
        return true;
      } catch (err) {
        if (err instanceof RPCError && (err.code === 22 || err.code === 20)) return false;
        throw err;
      }
    },
    readThunk: async (id) => {
      const list = await lww.readOr(id, undefined, o);
      if (list !== undefined && !Array.isArray(list)) throw RPCError.crash(`lww-kv holds ${JSON.stringify(list)} under thunk ${id}, not a list`);
      return list;
    },
    writeThunk: (id, list) => lww.write(id, list, o),
    sleep: (ms) => new Promise((resolve) => node.after(ms, resolve)),
    random: () => node.random(),
  };
}

export function createNode(env: NodeEnv, options?: ListAppendOptions): Node {
  const opts = options ?? parseOptions(env.args);
  const node = new Node({ transport: env.transport, clock: env.clock, random: env.random });
  let next = 0;
  // Thunk ids must never repeat, also after a kill and restart (a restarted counter would overwrite old thunks).
  const boot = bootStamp(env.disk, () => node.random());
  const db = new ListAppendDb(kvServices(node, opts.serviceTimeoutMs), () => `${node.nodeId}-${boot}-${next++}`, opts);
  /** Until when (node clock) this node runs transactions itself because the coordinator did not answer. */
  let fallbackUntilMs = -Infinity;
  node.on('txn', async (req) => {
    if (node.nodeId === '') throw RPCError.temporarilyUnavailable('txn before init');
    const txn = checkTxn(req.body);
    const coordinator = node.nodeIds[0]!;
    const local = !opts.forward || node.nodeId === coordinator || !isClient(req.src) || node.clock.now() < fallbackUntilMs;
    if (local) return { type: 'txn_ok', txn: await db.transact(txn) };
    try {
      const reply = await node.rpc(coordinator, { type: 'txn', txn }, { timeoutMs: opts.forwardTimeoutMs });
      return { type: 'txn_ok', txn: reply['txn'] };
    } catch (err) {
      if (err instanceof RPCError && err.code === 0) {
        fallbackUntilMs = node.clock.now() + opts.fallbackMs;
        // The coordinator may have committed it: the outcome is unknown.
        throw RPCError.crash(`coordinator ${coordinator} did not answer within ${opts.forwardTimeoutMs} ms; the transaction may or may not have committed`);
      }
      throw err;
    }
  });
  return node;
}

/** The request's micro-ops, or a malformed-request error naming what is wrong. */
function checkTxn(body: Body): Mop[] {
  const txn = body['txn'];
  if (!Array.isArray(txn)) throw RPCError.malformedRequest(`txn: expected field txn, an array of [f, k, v] micro-ops, got ${JSON.stringify(txn)}`);
  for (const m of txn) {
    if (!Array.isArray(m) || m.length !== 3 || (m[0] !== 'r' && m[0] !== 'append')) {
      throw RPCError.malformedRequest(`txn: expected micro-ops ["r", k, null] or ["append", k, v], got ${JSON.stringify(m)}`);
    }
  }
  return txn as Mop[];
}

/** Maelstrom's client ids are c1, c2, ...; anything else sending a txn is a node forwarding one. */
function isClient(id: string): boolean {
  return /^c\d+$/.test(id);
}
