/**
 * The broadcast protocol between servers, as a state machine that sees the
 * world only through a `GossipPort` (send a body, read the clock, set a
 * timer). It knows nothing of stdin or of the Maelstrom client protocol, so
 * unit tests drive it directly, and the node
 * (index.ts) wires it to eddy's `Node`.
 *
 * Every inter-server message is one `gossip` body: the sender's knowledge
 * vector `v` (contiguous high-water mark per origin, see store.ts), the
 * entries `e` the receiver is believed to lack, and two flags: `want_ack`
 * (the sender will retry until the receiver's vector covers `e`) and
 * `relay` (fall-back: please pass these on while the primary hub is cut off).
 * Because every message carries `v`, acknowledgements ride on traffic that
 * flows anyway; a node sends a bare `{v}` only when it owes one and has had
 * nothing else to say for `ackDelayMs`.
 *
 * Reliability lives in `Link`s (sender -> peer, for all origins or only the
 * sender's own): what was sent is tracked per origin, acknowledged by the
 * peer's vector, and sent again (go-back to the peer's mark) after
 * `retryMs` without progress (per origin), doubling up to `retryMaxMs`.
 * Retries never add a stream: a repair link that is retrying sends only on
 * retries, and other links keep their ordinary beat until a second retry
 * has gone unanswered (the peer is then plainly cut off; a merely late
 * acknowledgement must not hold up fresh messages). A receiver that gets
 * nothing but duplicates acknowledges at once, since its sender is clearly
 * waiting. The overlay decides which links exist:
 * - direct: each origin sends new entries straight to every peer, best
 *   effort, except to the primary hub where the send is a reliable link;
 *   every node reports its vector to the hub within `ackDelayMs` of learning
 *   something, and the hub reliably sends each node whatever it still lacks
 *   `repairDelayMs` after the hub got it.
 * - star: each leaf has a reliable link to the primary hub (immediate or
 *   batched every `leafBatchMs`); the hub has a reliable link to every leaf,
 *   flushed every `hubBatchMs`. A leaf that gets no acknowledgement from the
 *   primary for `failoverMs`, or hears nothing from it for that long while
 *   its clients are busy, also sends its entries (or, having none, a
 *   keep-alive) to a fall-back hub, which relays them (best effort) to every
 *   leaf in the same situation.
 */

import type { Timer } from '../../node/clock.js';
import type { BroadcastOptions } from './options.js';
import { MessageStore } from './store.js';

/** [origin index, sequence number, value] */
export type WireEntry = [number, number, unknown];

export interface GossipBody {
  type: 'gossip';
  /** The sender's contiguous high-water mark per origin (node index). */
  v: number[];
  e?: WireEntry[];
  want_ack?: true;
  relay?: true;
  [field: string]: unknown;
}

export interface GossipPort {
  send(dest: string, body: GossipBody): void;
  now(): number;
  setTimer(delayMs: number, fn: () => void): Timer;
  log?(line: string): void;
  /** True while output is congested: timed sends (batches, retries) wait for a later beat. */
  congested?(): boolean;
  /**
   * Makes newly filed entries durable before anything that reflects them
   * (an acknowledgement, a vector) is sent: the node writes and syncs them
   * to its disk (`--nemesis kill`), and a restarted node hands them back
   * with `restore`. Absent: state lives only in memory.
   */
  persist?(entries: readonly WireEntry[]): void;
}

/** Counters for tests and tuning; not part of the protocol. */
export interface GossipStats {
  sent: number;
  retries: number;
  standaloneAcks: number;
  relayed: number;
  failovers: number;
  malformed: number;
}

/**
 * Client operations a leaf must serve while its hub is silent before it
 * calls the silence an outage: one read (say, Maelstrom's final read after
 * a quiet spell) proves nothing.
 */
const SILENCE_CLIENT_OPS = 3;

/** Unanswered retries after which a batched or immediate link stops its ordinary sends. */
const QUIET_AFTER_RETRIES = 2;

/** Most messages one retry sends when what the peer lacks exceeds one message's worth. */
const RETRY_WINDOW_MESSAGES = 8;

type LinkKind = 'immediate' | 'batched' | 'patient';

interface Link {
  readonly peer: number;
  /** Only this node's own entries (else every origin's). */
  readonly ownOnly: boolean;
  readonly kind: LinkKind;
  readonly batchMs: number;
  readonly patienceMs: number;
  /** Send an owed acknowledgement with every flush, even with no entries. */
  readonly eagerAck: boolean;
  /** Per origin: everything up to here was sent or is known to be held by the peer. */
  readonly sentUpTo: number[];
  /** Entries that filled a hole below `sentUpTo` after the pointer passed them. */
  late: Array<[number, number]>;
  /**
   * Per origin: since when the peer has lacked something we sent it (reset
   * when its mark for that origin moves), or null. A retry is due when the
   * oldest of these is `retryMs` old, so progress on one origin cannot
   * postpone the repair of another.
   */
  readonly pendingSinceMs: Array<number | null>;
  /** Since when the peer has not acknowledged everything we sent, with no progress at all; drives fail-over. */
  unackedSinceMs: number | null;
  retryMs: number;
  /** Retries since the last progress. */
  retries: number;
}

interface Failover {
  /** Index of the fall-back hub relaying for us (may be ourselves). */
  via: number;
  /** Own entries up to here have been handed to a relay. */
  relayedUpTo: number;
  lastSentMs: number;
  lastHeardMs: number;
}

export class Gossip {
  readonly #opts: BroadcastOptions;
  readonly #port: GossipPort;
  readonly #ids: readonly string[];
  readonly #index = new Map<string, number>();
  readonly #me: number;
  readonly #n: number;
  readonly #store: MessageStore;
  /** Per peer: the highest vector it has reported (a lower bound of what it holds). */
  readonly #known: number[][];
  /** Per peer: since when we owe it our vector, or null. */
  readonly #ackOwedSinceMs: Array<number | null>;
  readonly #links = new Map<number, Link>();
  readonly #immediateDirty = new Set<Link>();
  readonly #hubs: number[];
  readonly #batchTimers = new Map<number, Timer>();
  readonly #lastBatchAtMs = new Map<number, number>();
  #tickTimer: Timer | null = null;
  #stopped = false;

  #failover: Failover | null = null;
  /** When the primary hub was last heard from (null: never, so silence means nothing yet). */
  #lastHeardPrimaryMs: number | null = null;
  /** When a client last asked this node anything. */
  #lastClientMs = -Infinity;
  #clientOpsSinceHub = 0;
  /** Fall-back hub side: leaves relaying through us, and when we last heard from each. */
  readonly #relayClients = new Map<number, number>();
  readonly #relayLog: Array<[number, number]> = [];
  readonly #relayLogged = new Set<string>();
  readonly #relayPos = new Map<number, number>();

  readonly stats: GossipStats = { sent: 0, retries: 0, standaloneAcks: 0, relayed: 0, failovers: 0, malformed: 0 };

  constructor(opts: BroadcastOptions, nodeIds: readonly string[], me: string, port: GossipPort) {
    this.#opts = opts;
    this.#port = port;
    this.#ids = nodeIds.slice();
    this.#ids.forEach((id, i) => this.#index.set(id, i));
    const meIndex = this.#index.get(me);
    if (meIndex === undefined) throw new Error(`node id ${me} is not among node_ids ${JSON.stringify(nodeIds)}`);
    this.#me = meIndex;
    this.#n = this.#ids.length;
    this.#store = new MessageStore(this.#n);
    this.#known = Array.from({ length: this.#n }, () => new Array<number>(this.#n).fill(0));
    this.#ackOwedSinceMs = new Array<number | null>(this.#n).fill(null);
    this.#hubs = Array.from({ length: Math.min(opts.hubCount, this.#n) }, (_, i) => i);
    this.#buildLinks();
  }

  /**
   * Files entries a previous life of this node made durable (see
   * `GossipPort.persist`), before any message is handled: own sequence
   * numbers continue where they were, and the vector this node reports
   * never goes back below what it reported before it was killed.
   */
  restore(entries: readonly WireEntry[]): void {
    const now = this.#port.now();
    for (const [o, s, value] of entries) {
      if (Number.isSafeInteger(o) && o >= 0 && o < this.#n && Number.isSafeInteger(s) && s >= 1) this.#store.add(o, s, value, now);
    }
    // What a previous life held may never have left it: every link starts over from the peer's (unknown) mark.
    if (entries.length > 0) {
      for (const link of this.#links.values()) this.#wake(link);
      this.#afterEvent();
    }
  }

  /** Values held, each once. */
  read(): unknown[] {
    this.#noteClient();
    return this.#store.values();
  }

  /** This node's knowledge vector (for tests). */
  vector(): number[] {
    return this.#store.vector();
  }

  /** Whether this node is currently relaying through a fall-back hub (for tests). */
  get failingOver(): boolean {
    return this.#failover !== null;
  }

  /** A client's broadcast: file it and start it on its way. Duplicates cost nothing. */
  broadcast(value: unknown): void {
    if (this.#stopped) return;
    const now = this.#port.now();
    this.#noteClient();
    const seq = this.#store.originate(this.#me, value, now);
    if (seq === null) return;
    this.#port.persist?.([[this.#me, seq, value]]);
    if (this.#opts.overlay === 'direct') {
      const entry: WireEntry = [this.#me, seq, value];
      const v = this.#store.vector();
      for (let p = 0; p < this.#n; p++) {
        if (p === this.#me) continue;
        const link = this.#links.get(p);
        if (link !== undefined && link.ownOnly) this.#immediateDirty.add(link);
        else this.#send(p, { type: 'gossip', v, e: [entry] });
      }
    } else if (this.#me === 0) {
      this.#scheduleBatch(this.#opts.hubBatchMs);
    } else {
      this.#wake(this.#links.get(0)!);
    }
    this.#afterEvent();
  }

  /** A gossip message from peer `src`. Malformed input is counted and ignored. */
  receive(src: string, body: unknown): void {
    if (this.#stopped) return;
    const q = this.#index.get(src);
    if (q === undefined || q === this.#me) return;
    const msg = this.#check(body);
    if (msg === null) {
      this.stats.malformed++;
      this.#port.log?.(`ignoring malformed gossip from ${src}: ${JSON.stringify(body).slice(0, 200)}`);
      return;
    }
    const now = this.#port.now();

    let learnt = false;
    const filed: WireEntry[] = [];
    for (const [o, s, value] of msg.e ?? []) {
      if (!this.#store.add(o, s, value, now)) continue;
      learnt = true;
      if (this.#port.persist !== undefined) filed.push([o, s, value]);
      for (const link of this.#links.values()) {
        if (link.peer === q || link.peer === o || (link.ownOnly && o !== this.#me)) continue;
        if (s <= link.sentUpTo[o]!) link.late.push([o, s]);
      }
    }
    if (filed.length > 0) this.#port.persist!(filed);

    const known = this.#known[q]!;
    const grew: number[] = [];
    for (let o = 0; o < this.#n; o++) {
      const reported = msg.v[o]!;
      if (reported > known[o]!) {
        known[o] = reported;
        grew.push(o);
      }
    }
    const link = this.#links.get(q);
    if (link !== undefined) this.#onAck(link, grew, now);

    if (this.#failover !== null && this.#failover.via === q) this.#failover.lastHeardMs = now;
    if (q === 0) {
      this.#lastHeardPrimaryMs = now;
      this.#clientOpsSinceHub = 0;
    }
    if (msg.want_ack && (msg.e?.length ?? 0) > 0) {
      // Only duplicates: the sender is retrying because it did not hear our
      // acknowledgement, so answer at the next tick instead of after the delay.
      this.#owe(q, learnt ? now : now - this.#opts.ackDelayMs);
    }
    if (learnt && this.#opts.overlay === 'direct' && this.#me !== 0) this.#owe(0, now);
    if (msg.relay) this.#acceptRelay(q, msg.e ?? [], now);

    if (learnt) {
      if (this.#opts.overlay === 'star' && this.#me === 0) this.#scheduleBatch(this.#opts.hubBatchMs);
      for (const l of this.#links.values()) if (l.late.length > 0) this.#wake(l);
    }
    this.#afterEvent();
  }

  /** Cancels every timer; the engine ignores input afterwards. */
  stop(): void {
    this.#stopped = true;
    this.#tickTimer?.cancel();
    this.#tickTimer = null;
    for (const t of this.#batchTimers.values()) t.cancel();
    this.#batchTimers.clear();
  }

  // ---- links -------------------------------------------------------------

  #buildLinks(): void {
    if (this.#n === 1) return;
    const o = this.#opts;
    const make = (peer: number, ownOnly: boolean, kind: LinkKind, batchMs: number, patienceMs: number, eagerAck: boolean): void => {
      this.#links.set(peer, {
        peer, ownOnly, kind, batchMs, patienceMs, eagerAck,
        sentUpTo: new Array<number>(this.#n).fill(0),
        late: [], pendingSinceMs: new Array<number | null>(this.#n).fill(null),
        unackedSinceMs: null, retryMs: o.retryMs, retries: 0,
      });
    };
    if (this.#me === 0) {
      for (let p = 1; p < this.#n; p++) {
        if (o.overlay === 'direct') make(p, false, 'patient', 0, o.repairDelayMs, false);
        else make(p, false, 'batched', o.hubBatchMs, 0, true);
      }
    } else if (o.overlay === 'direct') {
      make(0, true, 'immediate', 0, 0, false);
    } else {
      make(0, true, o.leafBatchMs > 0 ? 'batched' : 'immediate', o.leafBatchMs, 0, false);
    }
  }

  /** Marks a link as having something to send, per its kind. */
  #wake(link: Link): void {
    if (link.kind === 'immediate') this.#immediateDirty.add(link);
    else if (link.kind === 'batched') this.#scheduleBatch(link.batchMs);
    // Patient links are flushed by the housekeeping tick.
  }

  #scheduleBatch(batchMs: number): void {
    if (this.#batchTimers.has(batchMs)) return;
    // Phase-aligned, so a steady stream of arrivals is flushed on a fixed beat.
    const now = this.#port.now();
    let delayMs = batchMs - (now % batchMs);
    // Real timers fire up to a millisecond early or late: never flush twice in one beat.
    const last = this.#lastBatchAtMs.get(batchMs);
    if (last !== undefined && now + delayMs - last < batchMs / 2) delayMs += batchMs;
    this.#batchTimers.set(batchMs, this.#port.setTimer(delayMs, () => this.#onBatch(batchMs)));
  }

  #onBatch(batchMs: number): void {
    this.#batchTimers.delete(batchMs);
    this.#lastBatchAtMs.set(batchMs, this.#port.now());
    if (this.#stopped) return;
    if (this.#port.congested?.() === true) {
      // Output is not being read: sending more now would only queue it in memory. Next beat.
      this.#scheduleBatch(batchMs);
      return;
    }
    let more = false;
    for (const link of this.#links.values()) {
      if (link.kind !== 'batched' || link.batchMs !== batchMs) continue;
      this.#flush(link, false);
      if (this.#hasPending(link)) more = true;
    }
    if (batchMs === this.#opts.hubBatchMs && this.#flushRelay()) more = true;
    if (more) this.#scheduleBatch(batchMs);
    this.#afterEvent();
  }

  /** Entries the link would send now, and the pointers it would move to. */
  #collect(link: Link, now: number): WireEntry[] {
    const out: WireEntry[] = [];
    const cap = this.#opts.maxEntriesPerMessage;
    const known = this.#known[link.peer]!;
    const late = link.late;
    link.late = [];
    for (let i = 0; i < late.length; i++) {
      const [o, s] = late[i]!;
      if (out.length >= cap) {
        link.late.push(...late.slice(i));
        break;
      }
      const entry = this.#store.get(o, s);
      if (entry !== undefined && known[o]! < s) out.push([o, s, entry.value]);
    }
    for (let o = 0; o < this.#n && out.length < cap; o++) {
      if (o === link.peer || (link.ownOnly && o !== this.#me)) continue;
      let s = link.sentUpTo[o]!;
      const max = this.#store.max(o);
      while (s < max && out.length < cap) {
        const entry = this.#store.get(o, s + 1);
        if (entry !== undefined) {
          if (link.patienceMs > 0 && now - entry.heldAtMs < link.patienceMs) break;
          out.push([o, s + 1, entry.value]);
        }
        // A hole here is skipped: when it fills, `late` carries it.
        s++;
      }
      link.sentUpTo[o] = s;
    }
    return out;
  }

  #hasPending(link: Link): boolean {
    if (link.late.length > 0) return true;
    for (let o = 0; o < this.#n; o++) {
      if (o === link.peer || (link.ownOnly && o !== this.#me)) continue;
      if (link.sentUpTo[o]! < this.#store.max(o)) return true;
    }
    return false;
  }

  /** True while ordinary flushes skip the link and only retries reach the peer. */
  #quiet(link: Link): boolean {
    return link.retries >= (link.kind === 'patient' ? 1 : QUIET_AFTER_RETRIES);
  }

  /** Sends what the link owes its peer; `retry` sends even while the link is quiet. */
  #flush(link: Link, retry: boolean): void {
    if (this.#quiet(link) && !retry) return;
    const now = this.#port.now();
    const entries = this.#collect(link, now);
    const oweAck = link.eagerAck && this.#ackOwedSinceMs[link.peer] !== null;
    if (entries.length === 0 && !oweAck) return;
    const body: GossipBody = { type: 'gossip', v: this.#store.vector() };
    if (entries.length > 0) {
      body.e = entries;
      body.want_ack = true;
    }
    this.#send(link.peer, body);
    if (entries.length > 0) this.#refresh(link, now);
  }

  /**
   * Re-derives what the peer still lacks of what we sent. Entries above a
   * hole of our own cannot be acknowledged contiguously until the hole is
   * filled, so they count from the moment they can.
   */
  #refresh(link: Link, now: number): void {
    const known = this.#known[link.peer]!;
    let pending = false;
    for (let o = 0; o < this.#n; o++) {
      if (o === link.peer || (link.ownOnly && o !== this.#me)) continue;
      if (known[o]! >= Math.min(link.sentUpTo[o]!, this.#store.have(o))) {
        link.pendingSinceMs[o] = null;
      } else {
        link.pendingSinceMs[o] ??= now;
        pending = true;
      }
    }
    if (!pending) {
      link.unackedSinceMs = null;
      link.retries = 0;
      link.retryMs = this.#opts.retryMs;
    } else {
      link.unackedSinceMs ??= now;
    }
  }

  #oldestPending(link: Link): number | null {
    let oldest: number | null = null;
    for (const t of link.pendingSinceMs) if (t !== null && (oldest === null || t < oldest)) oldest = t;
    return oldest;
  }

  /** The peer's vector arrived: settle what it acknowledges. `grew` lists the origins whose mark moved. */
  #onAck(link: Link, grew: readonly number[], now: number): void {
    const known = this.#known[link.peer]!;
    for (let o = 0; o < this.#n; o++) {
      if (known[o]! > link.sentUpTo[o]!) link.sentUpTo[o] = known[o]!;
    }
    let progressed = false;
    for (const o of grew) {
      if (o === link.peer || (link.ownOnly && o !== this.#me)) continue;
      if (link.pendingSinceMs[o] !== null) {
        link.pendingSinceMs[o] = now;
        progressed = true;
      }
    }
    const wasQuiet = this.#quiet(link);
    if (progressed) {
      link.unackedSinceMs = now;
      link.retries = 0;
      link.retryMs = this.#opts.retryMs;
    }
    this.#refresh(link, now);
    if (wasQuiet && !this.#quiet(link) && this.#hasPending(link)) this.#wake(link);
  }

  /** Go back to the peer's acknowledged marks and send everything it lacks again. */
  #retry(link: Link, now: number): void {
    const known = this.#known[link.peer]!;
    for (let o = 0; o < this.#n; o++) link.sentUpTo[o] = known[o]!;
    link.late = [];
    link.pendingSinceMs.fill(null);
    if (!this.#hasPending(link)) {
      this.#refresh(link, now);
      return;
    }
    this.stats.retries++;
    link.retries++;
    // What is missing goes out now, in as many bounded messages as it takes (up to a window).
    for (let chunk = 0; chunk < RETRY_WINDOW_MESSAGES && this.#hasPending(link); chunk++) this.#flush(link, true);
    // Every origin still pending now waits a full (longer) period for the next retry.
    for (let o = 0; o < this.#n; o++) if (link.pendingSinceMs[o] !== null) link.pendingSinceMs[o] = now;
    link.retryMs = Math.min(2 * link.retryMs, this.#opts.retryMaxMs);
  }

  // ---- acknowledgements --------------------------------------------------

  /** Records that we owe `peer` our vector, counting from `sinceMs` (the earliest claim wins). */
  #owe(peer: number, sinceMs: number): void {
    const owed = this.#ackOwedSinceMs[peer];
    if (owed === null || owed === undefined || sinceMs < owed) this.#ackOwedSinceMs[peer] = sinceMs;
  }

  #send(peer: number, body: GossipBody): void {
    // Every message carries our vector, so it settles whatever we owed this peer.
    this.#ackOwedSinceMs[peer] = null;
    this.stats.sent++;
    this.#port.send(this.#ids[peer]!, body);
  }

  // ---- fall-back relay (star) --------------------------------------------

  #mayFailOver(): boolean {
    return this.#opts.overlay === 'star' && this.#me !== 0 && this.#hubs.length >= 2;
  }

  #noteClient(): void {
    this.#lastClientMs = this.#port.now();
    this.#clientOpsSinceHub++;
    this.#ensureTick();
  }

  /** Leaf side: called from the tick. */
  #checkFailover(now: number): void {
    if (!this.#mayFailOver()) return;
    const link = this.#links.get(0)!;
    const failoverMs = this.#opts.failoverMs;
    // Cut off, as far as a leaf can tell: the hub sits on our messages, or
    // it has gone quiet while clients are busy (so there must be news).
    const unacked = link.unackedSinceMs !== null && now - link.unackedSinceMs >= failoverMs;
    const silent = this.#lastHeardPrimaryMs !== null && now - this.#lastHeardPrimaryMs >= failoverMs &&
      now - this.#lastClientMs < failoverMs && this.#clientOpsSinceHub >= SILENCE_CLIENT_OPS;
    if (this.#failover === null) {
      if (!unacked && !silent) return;
      this.stats.failovers++;
      this.#failover = { via: this.#hubs[1]!, relayedUpTo: this.#known[0]![this.#me]!, lastSentMs: -Infinity, lastHeardMs: now };
    } else if (link.unackedSinceMs === null && !silent) {
      this.#failover = null;
      return;
    }
    const f = this.#failover;
    if (f.via !== this.#me && now - f.lastHeardMs > 2 * this.#opts.failoverMs && this.#hubs.length > 2) {
      // The fall-back is silent too: try the next one.
      const pos = this.#hubs.indexOf(f.via);
      f.via = this.#hubs[pos + 1 < this.#hubs.length ? pos + 1 : 1]!;
      f.relayedUpTo = this.#known[0]![this.#me]!;
      f.lastHeardMs = now;
    }
    this.#relayOwn(now);
  }

  /** Hands own entries the primary has not acknowledged to the fall-back hub. */
  #relayOwn(now: number): void {
    const f = this.#failover;
    if (f === null) return;
    const from = Math.max(f.relayedUpTo, this.#known[0]![this.#me]!);
    const upTo = this.#store.max(this.#me);
    const entries: WireEntry[] = [];
    for (let s = from + 1; s <= upTo && entries.length < this.#opts.maxEntriesPerMessage; s++) {
      entries.push([this.#me, s, this.#store.get(this.#me, s)!.value]);
    }
    f.relayedUpTo = from + entries.length;
    if (f.via === this.#me) {
      if (entries.length > 0) this.#appendRelay(entries);
      return;
    }
    // An empty relay message now and then keeps us on the fall-back's list.
    if (entries.length === 0 && now - f.lastSentMs < this.#opts.failoverMs) return;
    f.lastSentMs = now;
    const body: GossipBody = { type: 'gossip', v: this.#store.vector(), relay: true };
    if (entries.length > 0) body.e = entries;
    this.#send(f.via, body);
  }

  /** Fall-back hub side: a leaf cut off from the primary hands us entries. */
  #acceptRelay(q: number, entries: readonly WireEntry[], now: number): void {
    if (!this.#relayClients.has(q)) this.#relayPos.set(q, 0);
    this.#relayClients.set(q, now);
    if (entries.length > 0) this.#appendRelay(entries);
  }

  #appendRelay(entries: readonly WireEntry[]): void {
    for (const [o, s] of entries) {
      const key = `${o}:${s}`;
      if (this.#relayLogged.has(key)) continue;
      this.#relayLogged.add(key);
      this.#relayLog.push([o, s]);
    }
    this.#scheduleBatch(this.#opts.hubBatchMs);
  }

  /** Sends relayed entries to each active relay client. Returns true if called again is useful. */
  #flushRelay(): boolean {
    if (this.#relayClients.size === 0) return false;
    const now = this.#port.now();
    const cap = this.#opts.maxEntriesPerMessage;
    let more = false;
    for (const [q, heardMs] of this.#relayClients) {
      if (now - heardMs > 3 * this.#opts.failoverMs) {
        this.#relayClients.delete(q);
        this.#relayPos.delete(q);
        continue;
      }
      let pos = this.#relayPos.get(q) ?? this.#relayLog.length;
      const known = this.#known[q]!;
      const entries: WireEntry[] = [];
      while (pos < this.#relayLog.length && entries.length < cap) {
        const [o, s] = this.#relayLog[pos++]!;
        if (o !== q && known[o]! < s) entries.push([o, s, this.#store.get(o, s)!.value]);
      }
      this.#relayPos.set(q, pos);
      if (pos < this.#relayLog.length) more = true;
      if (entries.length === 0) continue;
      this.stats.relayed += entries.length;
      this.#send(q, { type: 'gossip', v: this.#store.vector(), e: entries });
    }
    return more;
  }

  // ---- housekeeping ------------------------------------------------------

  #afterEvent(): void {
    if (this.#failover !== null) this.#relayOwn(this.#port.now());
    for (const link of this.#immediateDirty) this.#flush(link, false);
    this.#immediateDirty.clear();
    this.#ensureTick();
  }

  #ensureTick(): void {
    if (this.#tickTimer !== null || this.#stopped || !this.#needsTick()) return;
    this.#tickTimer = this.#port.setTimer(this.#opts.tickMs, () => {
      this.#tickTimer = null;
      this.#tick();
    });
  }

  #needsTick(): boolean {
    if (this.#failover !== null || this.#relayClients.size > 0) return true;
    // A leaf watches for a silent hub while clients are active.
    if (this.#mayFailOver() && this.#port.now() - this.#lastClientMs < this.#opts.failoverMs) return true;
    if (this.#ackOwedSinceMs.some((t) => t !== null)) return true;
    for (const link of this.#links.values()) {
      if (link.unackedSinceMs !== null) return true;
      if (link.kind === 'patient' && this.#hasPending(link)) return true;
    }
    return false;
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#port.congested?.() === true) {
      // Retries and acknowledgements can wait for output to drain; they are all still owed next tick.
      this.#ensureTick();
      return;
    }
    const now = this.#port.now();
    for (const link of this.#links.values()) {
      // Holes we filled since the last look may have made earlier sends acknowledgeable.
      this.#refresh(link, now);
      const oldest = this.#oldestPending(link);
      if (oldest !== null && now - oldest >= link.retryMs) this.#retry(link, now);
      else if (link.kind === 'patient') this.#flush(link, false);
    }
    for (let p = 0; p < this.#n; p++) {
      const since = this.#ackOwedSinceMs[p];
      if (since !== null && since !== undefined && now - since >= this.#opts.ackDelayMs) {
        this.stats.standaloneAcks++;
        this.#send(p, { type: 'gossip', v: this.#store.vector() });
      }
    }
    this.#checkFailover(now);
    if (this.#relayClients.size > 0) this.#scheduleBatch(this.#opts.hubBatchMs);
    this.#afterEvent();
  }

  // ---- input validation --------------------------------------------------

  #check(body: unknown): GossipBody | null {
    if (typeof body !== 'object' || body === null) return null;
    const b = body as Record<string, unknown>;
    const v = b['v'];
    if (!Array.isArray(v) || v.length !== this.#n) return null;
    for (const x of v) if (!Number.isSafeInteger(x) || (x as number) < 0) return null;
    const e = b['e'];
    if (e !== undefined) {
      if (!Array.isArray(e)) return null;
      for (const item of e) {
        if (!Array.isArray(item) || item.length !== 3) return null;
        const [o, s] = item as unknown[];
        if (!Number.isInteger(o) || (o as number) < 0 || (o as number) >= this.#n) return null;
        if (!Number.isSafeInteger(s) || (s as number) < 1) return null;
      }
    }
    return body as GossipBody;
  }
}
