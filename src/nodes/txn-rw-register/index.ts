/**
 * eddy-txn-rw-register: Maelstrom's txn-rw-register workload (Gossip
 * Glomers 6a-6c), totally available. Each node answers every `txn` at once
 * from its own full copy (store.ts: atomic, last-writer-wins by Lamport
 * timestamp) and sends what it committed to every other node, which
 * acknowledge; what a peer has not acknowledged is sent again, so commits
 * made during a partition arrive after it heals. No services are used.
 */

import { Node, RPCError, type Body, type NodeEnv } from '../../node/index.js';
import { parseOptions, type RwRegisterOptions } from './options.js';
import { RegisterStore, type Commit, type Mop } from './store.js';

export { parseOptions, profileOptions, PROFILES, OptionsError, USAGE, type RwRegisterOptions, type Profile } from './options.js';
export { RegisterStore, type Commit, type Mop } from './store.js';

/** One commit of this node's log, numbered 1, 2, ... */
type LogEntry = [seq: number, ts: number, writes: Commit['writes']];

interface Peer {
  /** Highest seq the peer acknowledged. */
  acked: number;
  /** Highest seq sent to it, and when. */
  sent: number;
  sentAtMs: number;
}

export function createNode(env: NodeEnv, options?: RwRegisterOptions): Node {
  const opts = options ?? parseOptions(env.args);
  const node = new Node({ transport: env.transport, clock: env.clock, random: env.random });
  let store: RegisterStore | null = null;
  const peers = new Map<string, Peer>();
  /** This node's commits not yet acknowledged by every peer (seq order). */
  let log: LogEntry[] = [];
  let nextSeq = 1;
  /** Per origin: the highest seq of its commits merged here with none missing below. */
  const heard = new Map<string, number>();

  node.onInit(() => {
    store = new RegisterStore(node.nodeIds.indexOf(node.nodeId));
    for (const id of node.nodeIds) if (id !== node.nodeId) peers.set(id, { acked: 0, sent: 0, sentAtMs: -Infinity });
    if (peers.size > 0) node.every(opts.gossipMs > 0 ? opts.gossipMs : Math.min(100, opts.retryMs), () => gossip());
  });

  const gossip = (): void => {
    if (node.congested || log.length === 0) return;
    const now = node.clock.now();
    const last = log[log.length - 1]![0];
    for (const [id, p] of peers) {
      // Nothing heard back for a while: start again from what the peer acknowledged.
      if (p.sent > p.acked && now - p.sentAtMs >= opts.retryMs) p.sent = p.acked;
      if (p.sent >= last) continue;
      const from = log.findIndex((e) => e[0] > p.sent);
      const entries = log.slice(from, from + opts.maxCommitsPerMessage);
      p.sent = entries[entries.length - 1]![0];
      p.sentAtMs = now;
      node.send(id, { type: 'txn_gossip', commits: entries });
    }
  };

  node.on('txn', (req) => {
    if (store === null) throw RPCError.temporarilyUnavailable('txn before init');
    const txn = checkTxn(req.body);
    const { completed, commit } = store.apply(txn);
    if (commit !== null && peers.size > 0) {
      log.push([nextSeq++, commit.ts, commit.writes]);
      if (opts.gossipMs === 0) gossip();
    }
    return { type: 'txn_ok', txn: completed };
  });

  node.on('txn_gossip', (req) => {
    if (store === null) return;
    const origin = req.src;
    const commits = req.body['commits'] as LogEntry[];
    const index = node.nodeIds.indexOf(origin);
    let upto = heard.get(origin) ?? 0;
    for (const [seq, ts, writes] of commits) {
      store.merge({ ts, node: index, writes });
      if (seq === upto + 1) upto = seq;
    }
    heard.set(origin, upto);
    node.send(origin, { type: 'txn_gossip_ok', upto });
  });

  node.on('txn_gossip_ok', (req) => {
    const p = peers.get(req.src);
    const upto = req.body['upto'];
    if (p === undefined || typeof upto !== 'number') return;
    if (upto > p.acked) p.acked = upto;
    if (p.sent < p.acked) p.sent = p.acked;
    let everyone = Infinity;
    for (const q of peers.values()) everyone = Math.min(everyone, q.acked);
    if (log.length > 0 && log[0]![0] <= everyone) log = log.filter((e) => e[0] > everyone);
  });
  return node;
}

/** The request's micro-ops, or a malformed-request error naming what is wrong. */
function checkTxn(body: Body): Mop[] {
  const txn = body['txn'];
  if (!Array.isArray(txn)) throw RPCError.malformedRequest(`txn: expected field txn, an array of [f, k, v] micro-ops, got ${JSON.stringify(txn)}`);
  for (const m of txn) {
    if (!Array.isArray(m) || m.length !== 3 || (m[0] !== 'r' && m[0] !== 'w')) {
      throw RPCError.malformedRequest(`txn: expected micro-ops ["r", k, null] or ["w", k, v], got ${JSON.stringify(m)}`);
    }
  }
  return txn as Mop[];
}
