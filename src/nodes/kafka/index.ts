/**
 * The kafka node (`bin/eddy-kafka`): Maelstrom's kafka workload (`send`,
 * `poll`, `commit_offsets`, `list_committed_offsets`, Gossip Glomers 5a-5c)
 * without any service.
 *
 * Design: every key has one fixed leader, the node at hash(key) mod n in the
 * sorted node list. The leader alone allocates the key's offsets (0, 1, 2,
 * ... dense), so no two messages ever share an offset and no CAS is needed;
 * another node forwards a send to the leader (one request, one reply). The
 * leader pushes new log entries to the other nodes in batches every
 * `replicateMs`, resending from what each follower last acknowledged until
 * it has everything, so a follower's copy of a log is always a prefix of the
 * leader's. Polls are answered from the local copy (the leader's log or a
 * prefix of it): never a gap, never a conflicting message, and a process
 * (bound to one node) only ever sees its node's copy grow. Committed offsets
 * are kept as a per-key maximum on every node and spread with the
 * replication batches; a node that has not heard of a commit yet answers a
 * lower offset, which only makes a fresh consumer re-read messages.
 *
 * Under a partition, sends to keys led across the cut time out at the
 * forwarding node and are answered with an indefinite error (the leader may
 * have appended the message), so availability drops but nothing acknowledged
 * is lost or reordered. With one node, everything is local: no messages at
 * all between servers.
 *
 * `fault` builds the deliberately wrong fixtures of the tests: `own-offsets`
 * (each node its own counter, no forwarding or replication), `drop` (every
 * 25th send at a leader is acknowledged and then not stored), `skip` (every
 * 10th poll that returns messages for a key leaves out its first one).
 */
import { parseNodeFlags } from '../flags.js';
import { Node, RPCError, type NodeEnv } from '../../node/index.js';

export type KafkaFault = 'own-offsets' | 'drop' | 'skip';

export interface KafkaNodeOptions {
  /** How often a leader sends unacknowledged entries and new commits to the other nodes, ms. @default 50 */
  replicateMs?: number;
  /** How long a forwarded send waits for the leader, ms. @default 1000 */
  forwardTimeoutMs?: number;
  /** A leader not heard from for this many replication beats is taken as unreachable and sends for its keys fail at once. @default 4 */
  suspectBeats?: number;
  /** At most this many entries per key in one poll reply or one replication batch. @default 1000 */
  batchMax?: number;
  /** A deliberate bug, for the checker's tests. @default none */
  fault?: KafkaFault | null;
}

export const USAGE = 'eddy-kafka [--replicate-ms N] [--forward-timeout-ms N] [--batch-max N]';

/** Parses the node's command-line flags; throws with one sentence naming the flag. */
export function parseOptions(args: readonly string[]): KafkaNodeOptions {
  return parseNodeFlags<KafkaNodeOptions>(
    args,
    {
      '--replicate-ms': { key: 'replicateMs' },
      '--forward-timeout-ms': { key: 'forwardTimeoutMs' },
      '--batch-max': { key: 'batchMax' },
      '--fault': { key: 'fault', choices: ['own-offsets', 'drop', 'skip'] },
    },
    USAGE,
  );
}

/** FNV-1a, so every node agrees on the leader without talking. */
export function leaderOf(key: string, nodes: readonly string[]): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return nodes[h % nodes.length]!;
}

/** One key's log; `null` marks an offset the `drop` fixture threw away. */
type Log = unknown[];

interface ReplBody {
  type: 'repl';
  /** key → [first offset, messages...] */
  entries: Record<string, [number, ...unknown[]]>;
  commits: Record<string, number>;
}

/** The disk file: `["e", key, offset, msg]` per log entry and `["c", key, offset]` per raised commit, one a line. */
const KAFKA_FILE = 'kafka-log.jsonl';

export function createNode(env: NodeEnv, options?: KafkaNodeOptions): Node {
  const o = { replicateMs: 50, forwardTimeoutMs: 1000, suspectBeats: 4, batchMax: 1000, fault: null, ...(options ?? parseOptions(env.args)) };
  const node = new Node({ transport: env.transport, clock: env.clock, random: env.random });
  const logs = new Map<string, Log>();
  const committed = new Map<string, number>();
  /** Commits changed since the last batch, sent with the next one. */
  let freshCommits = new Map<string, number>();
  /** Leader side: follower → key → entries it acknowledged. */
  const acked = new Map<string, Map<string, number>>();
  let peers: string[] = [];
  let sorted: string[] = [];
  /** When each peer was last heard from (any message), on the node's clock. */
  const lastHeard = new Map<string, number>();
  const heard = (peer: string): void => void lastHeard.set(peer, node.clock.now());
  let sends = 0;
  let polls = 0;

  // With a disk (`--nemesis kill`: EDDY_NODE_DIR, or the simulator's), every
  // log entry and every raised commit is appended and synced before any reply
  // or acknowledgement that reflects it; a restarted node reads them back, so
  // a leader keeps its offsets and a follower's copy stays a prefix.
  const disk = env.disk;
  const persist = (record: unknown[]): void => {
    if (disk === undefined) return;
    disk.append(KAFKA_FILE, JSON.stringify(record) + '\n');
    disk.sync(KAFKA_FILE);
  };
  const logOf = (k: string): Log => {
    let log = logs.get(k);
    if (log === undefined) logs.set(k, (log = []));
    return log;
  };
  const isLeader = (k: string): boolean => o.fault === 'own-offsets' || leaderOf(k, sorted) === node.nodeId;
  const append = (k: string, msg: unknown): number => {
    const log = logOf(k);
    sends++;
    log.push(o.fault === 'drop' && sends % 25 === 0 ? null : msg);
    persist(['e', k, log.length - 1, log[log.length - 1]]);
    return log.length - 1;
  };
  const commit = (k: string, offset: number): void => {
    if (offset > (committed.get(k) ?? -1)) {
      committed.set(k, offset);
      freshCommits.set(k, offset);
      persist(['c', k, offset]);
    }
  };
  for (const line of (disk?.read(KAFKA_FILE) ?? '').split('\n')) {
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      continue; // empty, or cut short by a kill before it was synced (so never acknowledged)
    }
    if (!Array.isArray(r) || typeof r[1] !== 'string' || typeof r[2] !== 'number') continue;
    if (r[0] === 'e') {
      const log = logOf(r[1]);
      if (r[2] === log.length) log.push(r[3]);
    } else if (r[0] === 'c' && r[2] > (committed.get(r[1]) ?? -1)) committed.set(r[1], r[2]);
  }

  node.onInit(() => {
    sorted = [...node.nodeIds].sort();
    peers = sorted.filter((n) => n !== node.nodeId);
    for (const p of peers) {
      acked.set(p, new Map());
      lastHeard.set(p, node.clock.now());
    }
    if (peers.length > 0 && o.fault !== 'own-offsets') node.every(o.replicateMs, replicate);
  });

  /** Sends each follower what it lacks of the logs this node leads, plus the new commits. */
  const replicate = (): void => {
    if (node.congested) return;
    const commits = Object.fromEntries(freshCommits);
    freshCommits = new Map();
    for (const peer of peers) {
      const have = acked.get(peer)!;
      const entries: Record<string, [number, ...unknown[]]> = {};
      for (const [k, log] of logs) {
        if (!isLeader(k)) continue;
        const from = have.get(k) ?? 0;
        if (from >= log.length) continue;
        entries[k] = [from, ...log.slice(from, from + o.batchMax)];
      }
      // Sent every beat even when empty: it is also the heartbeat that tells a forwarder its leader is reachable.
      node.send(peer, { type: 'repl', entries, commits } satisfies ReplBody);
    }
  };

  node.on('repl', (req) => {
    heard(req.src);
    const body = req.body as unknown as ReplBody;
    const lengths: Record<string, number> = {};
    for (const [k, [from, ...msgs]] of Object.entries(body.entries ?? {})) {
      const log = logOf(k);
      // Entries arrive in order from the one leader; anything past a gap waits for the resend.
      for (let i = 0; i < msgs.length; i++) {
        if (from + i !== log.length) continue;
        log.push(msgs[i]);
        persist(['e', k, from + i, msgs[i]]);
      }
      lengths[k] = log.length;
    }
    for (const [k, c] of Object.entries(body.commits ?? {})) {
      if (typeof c === 'number' && c > (committed.get(k) ?? -1)) {
        committed.set(k, c);
        persist(['c', k, c]);
      }
    }
    if (Object.keys(lengths).length > 0) node.send(req.src, { type: 'repl_ack', lengths });
  });

  node.on('repl_ack', (req) => {
    heard(req.src);
    const have = acked.get(req.src);
    if (have === undefined) return;
    for (const [k, n] of Object.entries((req.body['lengths'] ?? {}) as Record<string, number>)) have.set(k, Math.max(have.get(k) ?? 0, n));
  });

  node.on('send', async (req) => {
    const key = req.body['key'];
    if (typeof key !== 'string') throw RPCError.malformedRequest(`send: expected field key (a string), got ${JSON.stringify(key)}`);
    if (!('msg' in req.body)) throw RPCError.malformedRequest('send: expected field msg (any JSON value), got nothing');
    const msg = req.body['msg'];
    if (isLeader(key)) return { type: 'send_ok', offset: append(key, msg) };
    const leader = leaderOf(key, sorted);
    // Nothing heard from the leader for a few beats: most likely cut off. Refusing before
    // forwarding is a definite failure (the message surely was not appended) and costs nothing.
    if (node.clock.now() - (lastHeard.get(leader) ?? 0) > o.suspectBeats * o.replicateMs) {
      throw RPCError.temporarilyUnavailable(`send to key ${key}: its leader ${leader} has not been heard from lately`);
    }
    try {
      const reply = await node.rpc(leader, { type: 'fwd_send', key, msg }, { timeoutMs: o.forwardTimeoutMs });
      heard(leader);
      return { type: 'send_ok', offset: reply['offset'] as number };
    } catch (e) {
      // The leader may have appended it: the outcome is unknown, so the error must be indefinite.
      if (e instanceof RPCError && e.code !== 0) throw e;
      throw RPCError.crash(`send to key ${key}: its leader ${leader} did not answer within ${o.forwardTimeoutMs} ms`);
    }
  });

  node.on('fwd_send', (req) => {
    heard(req.src);
    const key = req.body['key'] as string;
    if (!isLeader(key)) throw RPCError.temporarilyUnavailable(`fwd_send: ${node.nodeId} does not lead key ${key}`);
    return { type: 'fwd_send_ok', offset: append(key, req.body['msg']) };
  });

  node.on('poll', (req) => {
    const offsets = req.body['offsets'];
    if (typeof offsets !== 'object' || offsets === null) throw RPCError.malformedRequest(`poll: expected field offsets (an object of key to offset), got ${JSON.stringify(offsets)}`);
    const msgs: Record<string, [number, unknown][]> = {};
    for (const [k, from] of Object.entries(offsets as Record<string, unknown>)) {
      const log = logs.get(k);
      if (log === undefined || typeof from !== 'number') continue;
      const pairs: [number, unknown][] = [];
      for (let i = Math.max(0, from); i < log.length && pairs.length < o.batchMax; i++) if (log[i] !== null) pairs.push([i, log[i]]);
      if (o.fault === 'skip' && pairs.length > 1 && ++polls % 10 === 0) pairs.shift();
      // Keys with nothing are left out: Maelstrom's checker crashes on a key only ever polled empty.
      if (pairs.length > 0) msgs[k] = pairs;
    }
    return { type: 'poll_ok', msgs };
  });

  node.on('commit_offsets', (req) => {
    const offsets = req.body['offsets'];
    if (typeof offsets !== 'object' || offsets === null) throw RPCError.malformedRequest(`commit_offsets: expected field offsets (an object of key to offset), got ${JSON.stringify(offsets)}`);
    for (const [k, c] of Object.entries(offsets as Record<string, unknown>)) if (typeof c === 'number') commit(k, c);
    return { type: 'commit_offsets_ok' };
  });

  node.on('list_committed_offsets', (req) => {
    const keys = req.body['keys'];
    if (!Array.isArray(keys)) throw RPCError.malformedRequest(`list_committed_offsets: expected field keys (an array of strings), got ${JSON.stringify(keys)}`);
    const out: Record<string, number> = {};
    for (const k of keys) {
      const c = committed.get(String(k));
      if (c !== undefined) out[String(k)] = c;
    }
    return { type: 'list_committed_offsets_ok', offsets: out };
  });

  return node;
}
