/**
 * The Raft lin-kv node (`bin/eddy-lin-kv`): Maelstrom's lin-kv workload
 * (doc/06-raft) served by a replicated key-value state machine, no service.
 *
 * Raft as in the paper (Ongaro & Ousterhout, figure 2):
 * - Leader election: a follower that hears nothing from a leader for a
 *   randomised election timeout (`electionMs` .. 2 × `electionMs`) becomes a
 *   candidate, bumps its term and asks for votes; a vote is granted at most
 *   once a term, only to a candidate whose log is at least as up to date.
 *   A new leader appends a no-op entry of its term so earlier entries commit.
 * - Log replication: AppendEntries with the consistency check (prevLogIndex,
 *   prevLogTerm). Each follower has at most one AppendEntries in flight;
 *   entries proposed meanwhile go out together when its reply arrives
 *   (batching, at most `batchMax` entries), and an idle follower gets an
 *   empty one every `heartbeatMs`. A refusal carries the follower's hint
 *   (its log end, or the first index of the conflicting term) and the
 *   leader backs nextIndex off to it.
 * - Commit: the leader advances commitIndex to the highest N that a
 *   majority's matchIndex reaches and whose entry is of the current term
 *   (the current-term rule: older entries commit only under a newer one).
 * - State machine: read, write and cas of keys, applied in log order on
 *   every node; reads go through the log too, so they are linearizable.
 *   Errors are Maelstrom's: 20 (key does not exist), 22 (cas precondition
 *   failed), 11 (temporarily unavailable: no leader known, or this node's
 *   entry was overwritten by another leader's, so it surely never took
 *   effect).
 * - Clients' requests to a follower are forwarded to the leader it knows
 *   (once; a forwarded request is never forwarded again), or refused with 11
 *   if it knows none. A leader that has not heard from a majority for an
 *   election timeout steps down (check-quorum), so a leader cut off by a
 *   partition refuses at once instead of letting requests time out.
 * - Pre-vote and leader stickiness (thesis 9.6, 4.2.3): a node cut off by a
 *   partition does not raise its term, so it cannot depose a working leader
 *   when it returns.
 *
 * `fault` builds the deliberately wrong fixtures of the tests:
 * `stale-reads` answers reads from the local state machine at once, without
 * the log (a follower, or a deposed leader in a minority, serves stale
 * values); `early-ack` acknowledges a write as soon as the leader appends it,
 * before it commits (a leader cut off in a minority acknowledges writes
 * that the majority's new leader then overwrites). `early-ack` also turns
 * check-quorum, pre-vote and leader stickiness off, as a naive Raft would
 * have it, so a deposed leader keeps acknowledging longer.
 */
import { parseNodeFlags } from '../flags.js';
import { Node, RPCError, type Body, type Message, type NodeEnv, type Timer } from '../../node/index.js';

export type RaftFault = 'stale-reads' | 'early-ack';

export interface RaftNodeOptions {
  /** A leader's AppendEntries to an idle follower, every this many ms. @default 50 */
  heartbeatMs?: number;
  /** Election timeout: random in [electionMs, 2 × electionMs), ms. @default 300 */
  electionMs?: number;
  /** At most this many log entries in one AppendEntries. @default 500 */
  batchMax?: number;
  /** A client request not answered by then gets an indefinite error, ms (the client's own timeout is at least 1 s). @default 900 */
  requestTimeoutMs?: number;
  /** A deliberate bug, for the checker's tests. @default none */
  fault?: RaftFault | null;
}

export const USAGE = 'eddy-lin-kv [--heartbeat-ms N] [--election-ms N] [--batch-max N] [--request-timeout-ms N]';

/** Parses the node's command-line flags; throws with one sentence naming the flag. */
export function parseOptions(args: readonly string[]): RaftNodeOptions {
  const o: RaftNodeOptions = parseNodeFlags<RaftNodeOptions>(
    args,
    {
      '--heartbeat-ms': { key: 'heartbeatMs' },
      '--election-ms': { key: 'electionMs' },
      '--batch-max': { key: 'batchMax' },
      '--request-timeout-ms': { key: 'requestTimeoutMs' },
      '--fault': { key: 'fault', choices: ['stale-reads', 'early-ack'] },
    },
    USAGE,
  );
  if (o.heartbeatMs !== undefined && o.electionMs !== undefined && o.heartbeatMs >= o.electionMs) {
    throw new Error(`Expected --heartbeat-ms (${o.heartbeatMs}) to be below --election-ms (${o.electionMs}), or followers would start elections under a live leader`);
  }
  return o;
}

/** A client operation, as it goes into the log. null: the new leader's no-op. */
export type KvOp = { f: 'read'; key: unknown } | { f: 'write'; key: unknown; value: unknown } | { f: 'cas'; key: unknown; from: unknown; to: unknown };

export interface Entry {
  term: number;
  op: KvOp | null;
}

type Outcome = { ok: Body } | { err: RPCError };

interface Pending {
  term: number;
  settle: (o: Outcome) => void;
}

interface AppendBody {
  type: 'raft_append';
  term: number;
  prevIndex: number;
  prevTerm: number;
  entries: Entry[];
  commit: number;
}

interface AppendResBody {
  type: 'raft_append_res';
  term: number;
  success: boolean;
  /** On success: the last index the follower now shares with the leader. On refusal: where the leader should try next. */
  index: number;
}

/** The key-value state machine: deterministic, applied in log order on every node. */
export class KvStore {
  readonly #data = new Map<string, unknown>();

  apply(op: KvOp): Outcome {
    const k = JSON.stringify(op.key);
    if (op.f === 'write') {
      this.#data.set(k, op.value);
      return { ok: { type: 'write_ok' } };
    }
    if (!this.#data.has(k)) return { err: RPCError.keyDoesNotExist(`key ${k} does not exist`) };
    const cur = this.#data.get(k);
    if (op.f === 'read') return { ok: { type: 'read_ok', value: cur } };
    if (JSON.stringify(cur) !== JSON.stringify(op.from)) {
      return { err: RPCError.preconditionFailed(`cas on key ${k}: expected ${JSON.stringify(op.from)}, but it holds ${JSON.stringify(cur)}`) };
    }
    this.#data.set(k, op.to);
    return { ok: { type: 'cas_ok' } };
  }

  read(key: unknown): Outcome {
    return this.apply({ f: 'read', key });
  }
}

function opOf(body: Body): KvOp {
  const t = body.type;
  if (!('key' in body)) throw RPCError.malformedRequest(`${t}: expected field key, got nothing`);
  if (t === 'read') return { f: 'read', key: body['key'] };
  if (t === 'write') {
    if (!('value' in body)) throw RPCError.malformedRequest('write: expected field value, got nothing');
    return { f: 'write', key: body['key'], value: body['value'] };
  }
  if (!('from' in body) || !('to' in body)) throw RPCError.malformedRequest('cas: expected fields from and to');
  return { f: 'cas', key: body['key'], from: body['from'], to: body['to'] };
}

export function createNode(env: NodeEnv, options?: RaftNodeOptions): Node<Record<never, never>> {
  const o = { heartbeatMs: 50, electionMs: 300, batchMax: 500, requestTimeoutMs: 900, fault: null as RaftFault | null, ...(options ?? parseOptions(env.args)) };
  const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
  const now = (): number => node.clock.now();

  // Persistent state: on env.disk when the node has one (eddy's --nemesis
  // kill restarts a node with its memory gone and its disk kept), else in
  // memory only (Maelstrom never restarts a node).
  let term = 0;
  let votedFor: string | null = null;
  /** log[0] is a sentinel of term 0; real entries start at index 1. */
  const log: Entry[] = [{ term: 0, op: null }];
  const disk = env.disk;
  /** What of term, votedFor and the log is on disk (synced). */
  let savedMeta = '{"term":0,"votedFor":null}';
  let savedLen = 0;
  if (disk !== undefined) {
    const meta = disk.read('raft-meta');
    if (meta !== null) {
      const m = JSON.parse(meta) as { term: number; votedFor: string | null };
      term = m.term;
      votedFor = m.votedFor;
      savedMeta = meta;
    }
    for (const line of (disk.read('raft-log') ?? '').split('\n')) {
      if (line === '') continue;
      try {
        log.push(JSON.parse(line) as Entry);
      } catch {
        break; // a line cut short by the kill: it was never synced, so never acknowledged
      }
    }
    savedLen = log.length - 1;
  }
  /**
   * Makes term, vote and log durable before anything leaves the node (a
   * vote, an append's answer, a leader's own entries counted towards a
   * majority): Raft's rule that persistent state is on stable storage
   * before responding to RPCs.
   */
  const durable = (): void => {
    if (disk === undefined) return;
    const meta = JSON.stringify({ term, votedFor });
    if (meta !== savedMeta) {
      disk.write('raft-meta', meta);
      disk.sync('raft-meta');
      savedMeta = meta;
    }
    const len = log.length - 1;
    if (len === savedLen) return;
    if (len < savedLen) disk.write('raft-log', log.slice(1).map((e) => JSON.stringify(e) + '\n').join(''));
    else disk.append('raft-log', log.slice(savedLen + 1).map((e) => JSON.stringify(e) + '\n').join(''));
    disk.sync('raft-log');
    savedLen = len;
  };
  const send = (dest: string, body: Body): void => {
    durable();
    node.send(dest, body);
  };
  // Volatile state.
  let role: 'follower' | 'candidate' | 'leader' = 'follower';
  let leader: string | null = null;
  let commitIndex = 0;
  let lastApplied = 0;
  const kv = new KvStore();
  let peers: string[] = [];
  let majority = 1;
  let votes = new Set<string>();
  let electionTimer: Timer | null = null;
  // Leader state.
  const nextIndex = new Map<string, number>();
  const matchIndex = new Map<string, number>();
  /** When the AppendEntries in flight to a peer was sent; absent: none in flight. */
  const inFlight = new Map<string, number>();
  const lastSent = new Map<string, number>();
  /** When each peer last answered this leader (check-quorum). */
  const lastAck = new Map<string, number>();
  let leaderSince = 0;
  /** This node's clients' requests, by the log index they were appended at. */
  const pending = new Map<number, Pending>();

  const lastIndex = (): number => log.length - 1;
  const lastTerm = (): number => log[log.length - 1]!.term;

  const resetElection = (): void => {
    electionTimer?.cancel();
    const ms = o.electionMs * (1 + node.random());
    electionTimer = node.after(ms, o.fault === 'early-ack' ? startElection : startPreVote);
  };

  const becomeFollower = (newTerm: number, newLeader: string | null): void => {
    // A leader has no election timer running; a follower always has one.
    if (role === 'leader') resetElection();
    if (newTerm > term) {
      term = newTerm;
      votedFor = null;
    }
    role = 'follower';
    leader = newLeader;
    inFlight.clear();
  };

  /** When this node last heard from the leader of its term (AppendEntries accepted). */
  let leaderContact = -Infinity;
  /** The pre-vote round under way: for which term, and who would vote. */
  let preVoteTerm = 0;
  let preVotes = new Set<string>();

  /**
   * Pre-vote (Raft thesis 9.6): before bumping its term, a would-be
   * candidate asks whether a majority would vote for it, and they say yes
   * only if they too have not heard from a leader lately. A node cut off by a
   * partition so never raises its term, and does not depose a working
   * leader when it comes back.
   */
  const startPreVote = (): void => {
    if (role === 'leader') return;
    leader = null;
    preVoteTerm = term + 1;
    preVotes = new Set([node.nodeId]);
    resetElection();
    if (preVotes.size >= majority) return startElection();
    for (const p of peers) send(p, { type: 'raft_prevote', term: preVoteTerm, lastIndex: lastIndex(), lastTerm: lastTerm() });
  };

  const logUpToDate = (b: { lastIndex: number; lastTerm: number }): boolean => b.lastTerm > lastTerm() || (b.lastTerm === lastTerm() && b.lastIndex >= lastIndex());
  /** Heard from a live leader within the minimum election timeout (or is it). */
  const leaderAlive = (): boolean => role === 'leader' || (leader !== null && now() - leaderContact < o.electionMs);

  const startElection = (): void => {
    if (role === 'leader') return;
    term++;
    role = 'candidate';
    leader = null;
    votedFor = node.nodeId;
    votes = new Set([node.nodeId]);
    resetElection();
    if (votes.size >= majority) return becomeLeader();
    for (const p of peers) send(p, { type: 'raft_vote', term, lastIndex: lastIndex(), lastTerm: lastTerm() });
  };

  const becomeLeader = (): void => {
    role = 'leader';
    leader = node.nodeId;
    electionTimer?.cancel();
    electionTimer = null;
    leaderSince = now();
    for (const p of peers) {
      nextIndex.set(p, lastIndex() + 1);
      matchIndex.set(p, 0);
      lastAck.set(p, now());
    }
    inFlight.clear();
    log.push({ term, op: null });
    advanceCommit();
    for (const p of peers) replicate(p);
  };

  /** Sends `peer` what it lacks from nextIndex on (or a heartbeat), unless one is still in flight. */
  const replicate = (peer: string, heartbeat = false): void => {
    if (role !== 'leader') return;
    const sentAt = inFlight.get(peer);
    // An AppendEntries unanswered for a heartbeat is taken as lost (a partition, most likely).
    if (sentAt !== undefined && now() - sentAt < o.heartbeatMs) return;
    const next = nextIndex.get(peer)!;
    if (!heartbeat && next > lastIndex() && sentAt === undefined) return;
    const prevIndex = next - 1;
    const entries = log.slice(next, next + o.batchMax);
    inFlight.set(peer, now());
    lastSent.set(peer, now());
    send(peer, { type: 'raft_append', term, prevIndex, prevTerm: log[prevIndex]!.term, entries, commit: commitIndex } satisfies AppendBody);
  };

  const advanceCommit = (): void => {
    if (role !== 'leader') return;
    durable(); // the leader's own entries count towards the majority only once on its disk
    for (let n = lastIndex(); n > commitIndex; n--) {
      // The current-term rule: an entry of an older term is committed only by one of this term above it.
      if (log[n]!.term !== term) break;
      let count = 1;
      for (const p of peers) if (matchIndex.get(p)! >= n) count++;
      if (count >= majority) {
        commitIndex = n;
        break;
      }
    }
    apply();
  };

  const apply = (): void => {
    while (lastApplied < commitIndex) {
      lastApplied++;
      const entry = log[lastApplied]!;
      const outcome: Outcome = entry.op === null ? { ok: { type: 'noop' } } : kv.apply(entry.op);
      const p = pending.get(lastApplied);
      if (p !== undefined) {
        pending.delete(lastApplied);
        if (p.term === entry.term) p.settle(outcome);
        // Another leader's entry took that index: ours is in no log that can commit, so it never happened.
        else p.settle({ err: RPCError.temporarilyUnavailable(`the entry was overwritten by a leader of term ${entry.term}; not applied`) });
      }
    }
  };

  /** Appends `op` as leader and resolves once it is applied (or fails definitely / times out indefinitely). */
  const propose = (op: KvOp): Promise<Body> => {
    const index = log.length;
    log.push({ term, op });
    const result = new Promise<Body>((resolve, reject) => {
      const timer = node.after(o.requestTimeoutMs, () => {
        if (pending.get(index) !== entry) return;
        pending.delete(index);
        reject(RPCError.crash(`entry ${index} of term ${entry.term} not committed within ${o.requestTimeoutMs} ms; it may still be`));
      });
      const entry: Pending = {
        term,
        settle: (outcome) => {
          timer.cancel();
          if ('ok' in outcome) resolve(outcome.ok);
          else reject(outcome.err);
        },
      };
      pending.set(index, entry);
    });
    advanceCommit();
    for (const p of peers) replicate(p);
    if (o.fault === 'early-ack' && op.f === 'write') {
      result.catch(() => {});
      return Promise.resolve({ type: 'write_ok' });
    }
    return result;
  };

  node.onInit(() => {
    peers = node.nodeIds.filter((n) => n !== node.nodeId);
    majority = Math.floor(node.nodeIds.length / 2) + 1;
    if (peers.length === 0) {
      // Alone: leader of term 1 at once.
      term = 1;
      becomeLeader();
      return;
    }
    resetElection();
    node.every(o.heartbeatMs, tick);
  });

  const tick = (): void => {
    if (role !== 'leader') return;
    if (o.fault !== 'early-ack' && now() - leaderSince >= o.electionMs) {
      let heard = 1;
      for (const p of peers) if (now() - lastAck.get(p)! < o.electionMs) heard++;
      if (heard < majority) {
        // Check-quorum: cut off from a majority, this leader would only make clients wait.
        becomeFollower(term, null);
        resetElection();
        return;
      }
    }
    if (node.congested) return;
    for (const p of peers) if (now() - (lastSent.get(p) ?? 0) >= o.heartbeatMs || inFlight.has(p)) replicate(p, true);
  };

  node.on('raft_prevote', (req) => {
    const b = req.body as unknown as { term: number; lastIndex: number; lastTerm: number };
    // Nothing changes here: a pre-vote is only a question.
    const grant = b.term > term && !leaderAlive() && logUpToDate(b);
    send(req.src, { type: 'raft_prevote_res', term: b.term, granted: grant });
  });

  node.on('raft_prevote_res', (req) => {
    const b = req.body as unknown as { term: number; granted: boolean };
    if (role === 'leader' || b.term !== preVoteTerm || preVoteTerm !== term + 1 || !b.granted) return;
    preVotes.add(req.src);
    if (preVotes.size >= majority) {
      preVoteTerm = 0;
      startElection();
    }
  });

  node.on('raft_vote', (req) => {
    const b = req.body as unknown as { term: number; lastIndex: number; lastTerm: number };
    // Leader stickiness (thesis 4.2.3): a follower that hears from its leader ignores candidates.
    if (o.fault !== 'early-ack' && role === 'follower' && leaderAlive() && b.term > term) {
      send(req.src, { type: 'raft_vote_res', term, granted: false });
      return;
    }
    if (b.term > term) becomeFollower(b.term, null);
    const grant = b.term === term && (votedFor === null || votedFor === req.src) && logUpToDate(b);
    if (grant) {
      votedFor = req.src;
      resetElection();
    }
    send(req.src, { type: 'raft_vote_res', term, granted: grant });
  });

  node.on('raft_vote_res', (req) => {
    const b = req.body as unknown as { term: number; granted: boolean };
    if (b.term > term) {
      becomeFollower(b.term, null);
      resetElection();
      return;
    }
    if (role !== 'candidate' || b.term !== term || !b.granted) return;
    votes.add(req.src);
    if (votes.size >= majority) becomeLeader();
  });

  node.on('raft_append', (req) => {
    const b = req.body as unknown as AppendBody;
    const refuse = (index: number): void => send(req.src, { type: 'raft_append_res', term, success: false, index } satisfies AppendResBody);
    if (b.term < term) return refuse(0);
    if (b.term > term || role !== 'follower' || leader !== req.src) becomeFollower(b.term, req.src);
    leaderContact = now();
    resetElection();
    if (b.prevIndex > lastIndex()) return refuse(lastIndex() + 1);
    if (log[b.prevIndex]!.term !== b.prevTerm) {
      // Skip the whole conflicting term at once rather than one entry per round trip.
      const bad = log[b.prevIndex]!.term;
      let i = b.prevIndex;
      while (i > commitIndex + 1 && log[i - 1]!.term === bad) i--;
      return refuse(Math.max(1, i));
    }
    for (let i = 0; i < b.entries.length; i++) {
      const index = b.prevIndex + 1 + i;
      if (index <= lastIndex()) {
        if (log[index]!.term === b.entries[i]!.term) continue;
        // A conflict: everything from here on is not the leader's, and none of it was committed.
        log.length = index;
      }
      log.push(b.entries[i]!);
    }
    const matched = b.prevIndex + b.entries.length;
    if (b.commit > commitIndex) commitIndex = Math.max(commitIndex, Math.min(b.commit, matched));
    apply();
    send(req.src, { type: 'raft_append_res', term, success: true, index: matched } satisfies AppendResBody);
  });

  node.on('raft_append_res', (req) => {
    const b = req.body as unknown as AppendResBody;
    if (b.term > term) {
      becomeFollower(b.term, null);
      resetElection();
      return;
    }
    if (role !== 'leader' || b.term !== term) return;
    const p = req.src;
    lastAck.set(p, now());
    inFlight.delete(p);
    if (b.success) {
      if (b.index > matchIndex.get(p)!) matchIndex.set(p, b.index);
      nextIndex.set(p, Math.max(nextIndex.get(p)!, b.index + 1));
      advanceCommit();
    } else {
      // A follower whose log ends below what it acknowledged lost it (restarted without a disk):
      // start over from its own end, or the back-off below would never let nextIndex reach it.
      if (b.index <= matchIndex.get(p)!) matchIndex.set(p, Math.max(0, b.index - 1));
      // Back off, never below what the follower is known to hold.
      nextIndex.set(p, Math.max(matchIndex.get(p)! + 1, Math.min(nextIndex.get(p)! - 1, b.index)));
      if (nextIndex.get(p)! < 1) nextIndex.set(p, 1);
    }
    replicate(p);
  });

  /** A client's request at this node: proposed here if leader, else forwarded to the leader. */
  const serve = async (body: Body, forwarded: boolean): Promise<Body> => {
    const op = opOf(body);
    if (o.fault === 'stale-reads' && op.f === 'read') {
      const r = kv.read(op.key);
      if ('err' in r) throw r.err;
      return r.ok;
    }
    if (role === 'leader') return propose(op);
    if (forwarded || leader === null) {
      throw RPCError.temporarilyUnavailable(`${node.nodeId} is not the leader and knows none (term ${term})`);
    }
    const reply = await node.rpc(leader, { type: 'raft_client', request: body }, { timeoutMs: o.requestTimeoutMs });
    const { in_reply_to: _r, msg_id: _m, ...rest } = reply;
    return { ...rest, type: String(body.type) + '_ok' };
  };

  const clientHandler = (req: Message): Promise<Body> => serve(req.body, false);
  node.on('read', clientHandler);
  node.on('write', clientHandler);
  node.on('cas', clientHandler);
  node.on('raft_client', (req) => serve(req.body['request'] as Body, true));

  return node;
}
