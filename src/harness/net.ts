/**
 * The simulated network: Maelstrom's model of message ids, latency, queues,
 * delivery loops and partitions. Every message any node or client sends goes
 * through `Net.send`, which gives it a network-wide id, journals a send event,
 * draws its delay and queues it for its destination; one delivery loop per
 * destination hands messages over and journals the receive events.
 *
 * Only a `Clock` and an `Rng` are used, so the same code runs on wall time
 * for `eddy test` and on a `VirtualClock` for `eddy sim`.
 *
 * The default delivery model is Maelstrom's own (`maelstrom.net/recv!` as
 * driven by `maelstrom.process/stdin-thread`): each destination has ONE loop
 * that takes the head of its queue (the earliest deadline among the messages
 * present at that moment, even if that deadline is still in the future),
 * checks the partition table at that moment, and then waits for that one
 * message's deadline. A message that arrives later with an earlier deadline
 * therefore waits behind it, and a partition that starts after a message was
 * taken does not stop it. Users of Maelstrom see these effects in every
 * latency figure, so they are reproduced, not fixed. The optional
 * `'ideal-not-maelstrom'` delivery mode delivers each message at its own
 * deadline and checks partitions then; its name says it is not Maelstrom.
 */

import type { Clock, Timer } from '../node/clock.js';
import type { Rng } from './rng.js';
import { isClientId, type Body, type Envelope, type JournalEvent } from './types.js';

export type LatencyDist = 'constant' | 'uniform' | 'exponential';
export const LATENCY_DISTS: readonly LatencyDist[] = ['constant', 'uniform', 'exponential'];

/**
 * `'maelstrom'` is Maelstrom's head-of-line delivery loop (see the module
 * comment). `'ideal-not-maelstrom'` delivers every message at its own
 * deadline and applies partitions at delivery time; figures from it are not
 * comparable with Maelstrom's. In both, a destination still takes one
 * message at a time: a delivery that returns a promise holds the next one.
 */
export type DeliveryMode = 'maelstrom' | 'ideal-not-maelstrom';
export const DELIVERY_MODES: readonly DeliveryMode[] = ['maelstrom', 'ideal-not-maelstrom'];

/** Hands a message to its destination. A returned promise holds that destination's loop until it settles. */
export type DeliverFn = (msg: Envelope, line: string) => void | Promise<void>;

export interface NetOptions {
  clock: Clock;
  rng: Rng;
  /** Mean delay of a message between two servers, in ms (`--latency`). Messages to or from a client are never delayed. */
  latencyMs: number;
  /** Shape of the server-to-server delay (`--latency-dist`). */
  latencyDist: LatencyDist;
  /**
   * Receives every journal event, in order. `messageLine` is the message's
   * JSON (the same text a node receives), so that a journal writer can reuse
   * it instead of serialising the message again.
   */
  onJournal(ev: JournalEvent, messageLine: string): void;
  /** @default 'maelstrom' */
  delivery?: DeliveryMode;
  /** Clock time (ms) at which the test started; journal times count from it. @default clock.now() when the Net is built */
  startMs?: number;
}

/**
 * A message the network refuses, with the Maelstrom error code a client
 * would see (1 node-not-found, 14 abort). The runner reports it and goes on.
 */
export class NetError extends Error {
  override readonly name = 'NetError';
  readonly code: number;
  readonly definite = true;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** Counters for tests, benchmarks and progress lines. */
export interface NetCounts {
  /** Messages accepted by `send` (journaled as send events). */
  sent: number;
  /** Messages handed to their destination (journaled as recv events). */
  delivered: number;
  /** Messages discarded because of a partition. */
  dropped: number;
  /** Messages that reached a node while it was dead (journalled as `drop` events). */
  droppedDead?: number;
  /** Messages still queued or waiting for their deadline. */
  queued: number;
}

interface Queued {
  readonly deadlineMs: number;
  readonly msg: Envelope;
  readonly line: string;
}

/** What a destination's delivery loop is doing. */
const enum LoopState {
  /** Nothing queued, no timer, nothing in hand. */
  Idle,
  /** A timer is set: to start the loop (a message is due now) or for a deadline. */
  Waiting,
  /** Inside `#pump`. */
  Running,
  /** Waiting for a `deliver` promise (back-pressure). */
  Delivering,
  /** The destination is paused (`setHeld`): nothing is delivered until it is released. */
  Held,
}

class Endpoint {
  readonly id: string;
  readonly deliver: DeliverFn;
  readonly queue: Queued[] = [];
  state = LoopState.Idle;
  /** The one clock timer this destination may have. */
  timer: Timer | null = null;
  /** When `timer` fires (ideal mode re-arms it for an earlier deadline). */
  timerAtMs = 0;
  /** Maelstrom mode: the message the loop has taken and is waiting to deliver. */
  taken: Queued | null = null;
  removed = false;
  /** Null while the node is up; while it is down (killed, or restarting), the sources whose messages still reach it. */
  down: ReadonlySet<string> | null = null;
  /** True while the node is paused: its messages wait. */
  held = false;
  /** Bound once so that timers and promise callbacks allocate nothing per message. */
  readonly wake: () => void;
  readonly fail: (err: unknown) => void;

  constructor(id: string, deliver: DeliverFn, pump: (ep: Endpoint) => void) {
    this.id = id;
    this.deliver = deliver;
    this.wake = () => pump(this);
    this.fail = (err: unknown) => {
      pump(this);
      // A host whose delivery promise rejects has a bug; keep the network
      // going for everyone else but let the failure surface loudly.
      throw err;
    };
  }
}

export class Net {
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #onJournal: NetOptions['onJournal'];
  readonly #ideal: boolean;
  readonly #latencyMs: number;
  readonly #latencyDist: LatencyDist;
  readonly #startMs: number;
  readonly #endpoints = new Map<string, Endpoint>();
  /** Partitions, as `grudge.ts` describes them: destination -> sources it drops. */
  #grudge = new Map<string, Set<string>>();
  #nextId = 0;
  #closed = false;
  #sent = 0;
  #delivered = 0;
  #dropped = 0;
  #droppedDead = 0;
  /** Messages sent and not yet delivered or dropped, and the characters of their lines: what the network holds in memory. */
  #backlog = 0;
  #backlogChars = 0;
  readonly #pump: (ep: Endpoint) => void;

  constructor(opts: NetOptions) {
    if (!(Number.isFinite(opts.latencyMs) && opts.latencyMs >= 0)) {
      throw new RangeError(`Expected latencyMs to be a number from 0 up, got ${String(opts.latencyMs)}`);
    }
    if (!LATENCY_DISTS.includes(opts.latencyDist)) {
      throw new RangeError(`Expected latencyDist to be one of ${LATENCY_DISTS.join(', ')}, got ${JSON.stringify(opts.latencyDist)}`);
    }
    const delivery = opts.delivery ?? 'maelstrom';
    if (!DELIVERY_MODES.includes(delivery)) {
      throw new RangeError(`Expected delivery to be one of ${DELIVERY_MODES.join(', ')}, got ${JSON.stringify(delivery)}`);
    }
    this.#clock = opts.clock;
    this.#rng = opts.rng;
    this.#onJournal = opts.onJournal;
    this.#ideal = delivery === 'ideal-not-maelstrom';
    this.#latencyMs = opts.latencyMs;
    this.#latencyDist = opts.latencyDist;
    this.#startMs = opts.startMs ?? opts.clock.now();
    this.#pump = this.#ideal ? (ep) => this.#pumpIdeal(ep) : (ep) => this.#pumpMaelstrom(ep);
  }

  /** Registers an endpoint (server node or client) and the function that hands it messages. */
  addEndpoint(id: string, deliver: DeliverFn): void {
    if (this.#endpoints.has(id)) throw new Error(`Net.addEndpoint: ${JSON.stringify(id)} is already in the network`);
    this.#endpoints.set(id, new Endpoint(id, deliver, this.#pump));
  }

  /**
   * Takes an endpoint out of the network, as Maelstrom does when a client
   * closes: whatever was queued for it is never received (those messages
   * stay sends only), and later sends to it are refused.
   */
  removeEndpoint(id: string): void {
    const ep = this.#endpoints.get(id);
    if (ep === undefined) return;
    this.#endpoints.delete(id);
    this.#retire(ep);
  }

  hasEndpoint(id: string): boolean {
    return this.#endpoints.has(id);
  }

  /**
   * Sends a message: assigns its id, journals the send, and queues it for
   * its destination with deadline = now + delay. Throws `NetError` code 1 if
   * the source or destination is not in the network (Maelstrom rejects such
   * a message after it has used up an id, and so does this), code 14 after
   * `close()`.
   *
   * `nodeLine`, when the message is exactly what a node wrote (the line
   * `parseNodeLine` accepted), lets the network build the envelope's JSON by
   * putting `"id":N,` in front of the node's own fields instead of
   * serialising the message again: the same JSON value, in the node's own
   * key order and spacing.
   */
  send(m: { src: string; dest: string; body: Body }, nodeLine?: string): Envelope {
    if (this.#closed) {
      throw new NetError(14, `the network is closed; message from ${m.src} to ${m.dest} not sent`);
    }
    const id = this.#nextId++;
    const srcEp = this.#endpoints.get(m.src);
    if (srcEp === undefined) {
      throw new NetError(1, `no such node in the network: ${JSON.stringify(m.src)} (the src of a message to ${m.dest})`);
    }
    const ep = this.#endpoints.get(m.dest);
    if (ep === undefined) {
      throw new NetError(1, `no such node in the network: ${JSON.stringify(m.dest)} (the dest of a message from ${m.src})`);
    }
    const msg: Envelope = { id, src: m.src, dest: m.dest, body: m.body };
    const line =
      nodeLine !== undefined && nodeLine.charCodeAt(0) === 123 /* { */ && (m as { id?: unknown }).id === undefined
        ? `{"id":${id},${nodeLine.slice(1)}`
        : JSON.stringify(msg);
    const nowMs = this.#clock.now();
    this.#sent++;
    this.#onJournal({ type: 'send', time: this.#ns(nowMs), message: msg }, line);

    const delayMs = isClientId(m.src) || isClientId(m.dest) ? 0 : this.#drawLatencyMs();
    const q: Queued = { deadlineMs: nowMs + delayMs, msg, line };
    this.#backlog++;
    this.#backlogChars += line.length;

    if (this.#ideal) {
      heapPush(ep.queue, q);
      if (ep.state === LoopState.Idle) {
        this.#arm(ep, q.deadlineMs, nowMs);
      } else if (ep.state === LoopState.Waiting && q.deadlineMs < ep.timerAtMs) {
        ep.timer!.cancel();
        this.#arm(ep, q.deadlineMs, nowMs);
      }
      return msg;
    }

    if (ep.state !== LoopState.Idle) {
      heapPush(ep.queue, q);
      return msg;
    }
    const waitMs = Math.trunc(delayMs);
    if (waitMs > 0) {
      // An idle loop is blocked in its queue's poll and takes this message at
      // once: the partition check happens now, and the wait begins now.
      if (this.#isDropped(q.msg.src, ep.id)) {
        this.#drop(q);
      } else {
        ep.taken = q;
        this.#arm(ep, nowMs + waitMs, nowMs);
      }
    } else {
      // Due now: run the loop from a timer rather than inside send(), so a
      // delivery never runs inside the sender's call stack.
      heapPush(ep.queue, q);
      this.#arm(ep, nowMs, nowMs);
    }
    return msg;
  }

  /** Replaces the partition table: `grudge.get(dest)` holds the sources `dest` drops. */
  setGrudge(grudge: ReadonlyMap<string, ReadonlySet<string>>): void {
    const copy = new Map<string, Set<string>>();
    for (const [dest, srcs] of grudge) if (srcs.size > 0) copy.set(dest, new Set(srcs));
    this.#grudge = copy;
  }

  /** Ends all partitions. */
  heal(): void {
    this.#grudge = new Map();
  }

  /**
   * Marks a node dead (`allowed` = the sources whose messages still reach
   * it, e.g. the client that inits it again; empty while it is dead) or up
   * again (null). A message that comes due for a dead node is dropped and
   * journalled as a `drop` event.
   */
  setDown(id: string, allowed: ReadonlySet<string> | null): void {
    const ep = this.#endpoints.get(id);
    if (ep !== undefined) ep.down = allowed;
  }

  /**
   * Holds every delivery to a node (paused) or releases them: whatever came
   * due meanwhile is then delivered at once, in deadline order.
   */
  setHeld(id: string, held: boolean): void {
    const ep = this.#endpoints.get(id);
    if (ep === undefined || ep.held === held) return;
    ep.held = held;
    if (!held && ep.state === LoopState.Held) {
      const nowMs = this.#clock.now();
      this.#arm(ep, nowMs, nowMs);
    }
  }

  /** Counters since the network was built. */
  counts(): NetCounts {
    let queued = 0;
    for (const ep of this.#endpoints.values()) queued += ep.queue.length + (ep.taken === null ? 0 : 1);
    const counts: NetCounts = { sent: this.#sent, delivered: this.#delivered, dropped: this.#dropped, queued };
    if (this.#droppedDead > 0) counts.droppedDead = this.#droppedDead;
    return counts;
  }

  /**
   * What the network holds right now: messages sent and not yet delivered
   * or dropped, and the characters of their JSON lines. The runner uses it
   * to push back on nodes that send faster than their peers can take.
   */
  get backlogMessages(): number {
    return this.#backlog;
  }

  get backlogChars(): number {
    return this.#backlogChars;
  }

  /** Cancels every timer and stops every loop; later sends throw `NetError` code 14. */
  close(): void {
    this.#closed = true;
    for (const ep of this.#endpoints.values()) this.#retire(ep);
    this.#endpoints.clear();
  }

  #retire(ep: Endpoint): void {
    ep.removed = true;
    ep.timer?.cancel();
    ep.timer = null;
    if (ep.taken !== null) this.#forget(ep.taken);
    for (const q of ep.queue) this.#forget(q);
    ep.taken = null;
    ep.queue.length = 0;
  }

  #ns(ms: number): number {
    return Math.round((ms - this.#startMs) * 1e6);
  }

  /** Maelstrom truncates every draw to whole milliseconds (`(long (draw dist))` in `latency-for`). */
  #drawLatencyMs(): number {
    const mean = this.#latencyMs;
    switch (this.#latencyDist) {
      case 'constant':
        return Math.trunc(mean);
      case 'uniform': {
        // incanter's (integer-distribution 0 (* 2 mean)) excludes its upper
        // end: draws are 0 .. 2*mean-1. Maelstrom refuses mean 0 here (the
        // distribution's precondition fails); eddy delivers at once instead.
        const n = Math.trunc(2 * mean);
        return n >= 1 ? this.#rng.int(n) : 0;
      }
      case 'exponential':
        // Maelstrom divides by the mean to get the rate, so mean 0 fails
        // there; eddy delivers at once instead.
        return mean > 0 ? Math.trunc(this.#rng.exponential(mean)) : 0;
    }
  }

  #drop(q: Queued): void {
    this.#dropped++;
    this.#forget(q);
  }

  /** The message has left the network's memory (delivered, dropped, or its destination is gone). */
  #forget(q: Queued): void {
    this.#backlog--;
    this.#backlogChars -= q.line.length;
  }

  #isDropped(src: string, dest: string): boolean {
    if (this.#grudge.size === 0) return false;
    const srcs = this.#grudge.get(dest);
    return srcs !== undefined && srcs.has(src);
  }

  /** Sets the destination's single timer to fire at `atMs`. */
  #arm(ep: Endpoint, atMs: number, nowMs: number): void {
    ep.state = LoopState.Waiting;
    ep.timerAtMs = atMs;
    ep.timer = this.#clock.setTimer(atMs - nowMs, ep.wake);
  }

  /** Journals the receive and hands the message over; true if the loop must now wait for a promise. */
  #handOver(ep: Endpoint, q: Queued, nowMs: number): boolean {
    if (ep.down !== null && !ep.down.has(q.msg.src)) {
      this.#droppedDead++;
      this.#forget(q);
      this.#onJournal({ type: 'drop', time: this.#ns(nowMs), message: q.msg }, q.line);
      return false;
    }
    this.#delivered++;
    this.#forget(q);
    this.#onJournal({ type: 'recv', time: this.#ns(nowMs), message: q.msg }, q.line);
    const r = ep.deliver(q.msg, q.line);
    if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
      ep.state = LoopState.Delivering;
      (r as Promise<void>).then(ep.wake, ep.fail);
      return true;
    }
    return false;
  }

  /**
   * Maelstrom's loop: take the head, check partitions, wait for its
   * deadline, deliver, repeat. Like Maelstrom (`(Thread/sleep (long dt))`),
   * the wait is the time left truncated to whole ms, and when it is over the
   * message is delivered without looking at the clock again; a real clock's
   * timer firing a fraction early therefore costs no extra round.
   */
  #pumpMaelstrom(ep: Endpoint): void {
    if (ep.removed) return;
    ep.timer = null;
    if (ep.held) {
      ep.state = LoopState.Held;
      return;
    }
    ep.state = LoopState.Running;
    let nowMs = this.#clock.now();
    for (;;) {
      let q = ep.taken;
      if (q === null) {
        const head = heapPop(ep.queue);
        if (head === undefined) {
          ep.state = LoopState.Idle;
          return;
        }
        if (this.#isDropped(head.msg.src, ep.id)) {
          this.#drop(head);
          continue;
        }
        const waitMs = Math.trunc(head.deadlineMs - nowMs);
        if (waitMs > 0) {
          ep.taken = head;
          this.#arm(ep, nowMs + waitMs, nowMs);
          return;
        }
        q = head;
      }
      ep.taken = null;
      if (this.#handOver(ep, q, nowMs)) return;
      if (ep.removed) return;
    }
  }

  /**
   * The idealised loop: deliver each message at its own deadline, checking
   * partitions then. Messages due by the time the timer was set for count as
   * due, so a real clock's timer firing a fraction early costs no extra round.
   */
  #pumpIdeal(ep: Endpoint): void {
    if (ep.removed) return;
    ep.timer = null;
    if (ep.held) {
      ep.state = LoopState.Held;
      return;
    }
    ep.state = LoopState.Running;
    const nowMs = this.#clock.now();
    const dueMs = Math.max(nowMs, ep.timerAtMs);
    for (;;) {
      const q = ep.queue[0];
      if (q === undefined) {
        ep.state = LoopState.Idle;
        return;
      }
      if (q.deadlineMs > dueMs) {
        this.#arm(ep, q.deadlineMs, nowMs);
        return;
      }
      heapPop(ep.queue);
      if (this.#isDropped(q.msg.src, ep.id)) {
        this.#drop(q);
        continue;
      }
      if (this.#handOver(ep, q, nowMs)) return;
      if (ep.removed) return;
    }
  }
}

// A binary min-heap on (deadline, message id): ties go in send order, as
// Maelstrom's PriorityBlockingQueue would not guarantee but a reader expects.

function before(a: Queued, b: Queued): boolean {
  return a.deadlineMs < b.deadlineMs || (a.deadlineMs === b.deadlineMs && a.msg.id < b.msg.id);
}

function heapPush(h: Queued[], q: Queued): void {
  let i = h.length;
  h.push(q);
  while (i > 0) {
    const p = (i - 1) >> 1;
    const parent = h[p]!;
    if (!before(q, parent)) break;
    h[i] = parent;
    i = p;
  }
  h[i] = q;
}

function heapPop(h: Queued[]): Queued | undefined {
  const n = h.length;
  if (n === 0) return undefined;
  const top = h[0]!;
  const last = h.pop()!;
  if (n > 1) {
    const size = n - 1;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
