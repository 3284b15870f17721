/**
 * Back-pressure: when eddy stops taking what nodes write, and when it takes
 * it again. Two places hold output back, both by the same rule (hold above
 * a high-water mark, release once at or below half of it, so that a level
 * hovering at the mark does not flap):
 *
 * - the network's backlog (`BackPressure`): a node that forwards what it
 *   receives without de-duplication makes the network's undelivered
 *   messages grow without end, so above `BACKLOG_MAX` eddy stops reading
 *   every node's output until the backlog halves, and says which nodes were
 *   loudest;
 * - the process host's output queue (`OUTPUT_QUEUE_CHARS_MAX`, used by
 *   hosts/process.ts): chunks read from the nodes' pipes but not yet handled.
 *
 * Hosts supply only the mechanism (`HostedNode.pauseOutput`/`resumeOutput`:
 * stop reading, and the node waits on its own full pipe); the thresholds,
 * the decisions and the held-back figures live here.
 */
import type { Clock } from '../../node/clock.js';
import { wallNow } from '../ambient.js';
import type { HostedNode } from '../host.js';

export interface BacklogLimits {
  messages: number;
  chars: number;
}

/**
 * How much the network may hold undelivered before eddy stops reading the
 * nodes' output. About 300 bytes of memory per message plus its text keeps
 * a full backlog well under the 1 GiB a storm run may use.
 */
export const BACKLOG_MAX: Readonly<BacklogLimits> = { messages: 500_000, chars: 128 * 1024 * 1024 };

/**
 * Characters the process host's output queue may hold before the streams
 * that fill it are paused (see `OutputQueue` in hosts/process.ts for why
 * there is a queue at all).
 */
export const OUTPUT_QUEUE_CHARS_MAX = 4 * 1024 * 1024;

/** How often a held-back network is looked at to see whether it has drained. */
const HOLD_BACK_CHECK_MS = 10;

/**
 * The rule both holds follow: full above `max`, drained at or below half of
 * it. Where two measures are held (messages and characters), either being
 * full holds and both must drain to release.
 */
export class HighWater {
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  full(level: number): boolean {
    return level > this.max;
  }

  drained(level: number): boolean {
    return level <= this.max / 2;
  }
}

/** What back-pressure reads of the network. */
export interface Backlog {
  readonly backlogMessages: number;
  readonly backlogChars: number;
}

/** What a node's host lets eddy do to its output. */
export type OutputFlow = Pick<HostedNode, 'pauseOutput' | 'resumeOutput'>;

export interface BackPressureOptions {
  clock: Clock;
  net: Backlog;
  /** The nodes' outputs as they are now (a restarted node has a new one). */
  outputs: () => Iterable<OutputFlow>;
  /** Given the backlog warning (key 'backlog'). */
  warn(key: string, sentence: string): void;
  /** @default BACKLOG_MAX */
  max?: BacklogLimits;
}

/** What back-pressure cost a run, for the harness figures. */
export interface HoldBackFigures {
  /** Most messages the network held undelivered at once. */
  backlogPeak: number;
  heldBackCount: number;
  /** Wall-clock ms the nodes' output was held back in all. */
  heldBackMs: number;
}

/**
 * The network's hold-back. The runner counts each node's lines and calls
 * `afterSend` after every message the network accepts; the run's timers go
 * on while output is held, and `stop` lets go for good when the nodes are
 * being stopped (paused output would keep their pipes from closing).
 */
export class BackPressure {
  readonly #clock: Clock;
  readonly #net: Backlog;
  readonly #outputs: () => Iterable<OutputFlow>;
  readonly #warn: (key: string, sentence: string) => void;
  readonly #messages: HighWater;
  readonly #chars: HighWater;
  /** No host can be held back: the limits no longer apply. */
  #unlimited = false;
  #stopped = false;
  /** Lines each node wrote (to name the loudest when the network is full). */
  readonly #linesFrom = new Map<string, number>();
  #heldBack = false;
  #heldBackSinceMs = 0;
  #heldBackCount = 0;
  #heldBackMs = 0;
  #backlogPeak = 0;

  constructor(o: BackPressureOptions) {
    this.#clock = o.clock;
    this.#net = o.net;
    this.#outputs = o.outputs;
    this.#warn = o.warn;
    const max = o.max ?? BACKLOG_MAX;
    this.#messages = new HighWater(max.messages);
    this.#chars = new HighWater(max.chars);
  }

  /** Node `id` wrote a line. */
  countLine(id: string): void {
    this.#linesFrom.set(id, (this.#linesFrom.get(id) ?? 0) + 1);
  }

  /** Forgets the lines counted so far (start-up chatter does not make a node loud). */
  resetCounts(): void {
    this.#linesFrom.clear();
  }

  /** The network has accepted a message: hold back if it now holds too much. */
  afterSend(): void {
    const backlog = this.#net.backlogMessages;
    if (backlog > this.#backlogPeak) this.#backlogPeak = backlog;
    if (!this.#heldBack && !this.#unlimited && (this.#messages.full(backlog) || this.#chars.full(this.#net.backlogChars))) this.#holdBack();
  }

  /** The nodes are being stopped: release whatever is held, and check no more. */
  stop(): void {
    this.#stopped = true;
    this.release();
  }

  /** Takes the nodes' output again (also to close the held-back time before the figures are read). */
  release(): void {
    if (!this.#heldBack) return;
    this.#heldBack = false;
    this.#heldBackMs += wallNow() - this.#heldBackSinceMs;
    for (const h of this.#outputs()) h.resumeOutput?.();
  }

  figures(): HoldBackFigures {
    return { backlogPeak: this.#backlogPeak, heldBackCount: this.#heldBackCount, heldBackMs: this.#heldBackMs };
  }

  /**
   * The network holds too much: stop reading every node's output until it
   * has drained to half, so memory stays bounded. Nodes are then held back
   * by their own full pipes; the run's timers go on.
   */
  #holdBack(): void {
    const outputs = [...this.#outputs()];
    // A host without flow control (in-process nodes) cannot be held back; it never outruns the harness anyway.
    if (!outputs.some((h) => h.pauseOutput !== undefined)) {
      this.#unlimited = true;
      return;
    }
    this.#heldBack = true;
    this.#heldBackCount++;
    this.#heldBackSinceMs = wallNow();
    for (const h of outputs) h.pauseOutput?.();
    const loudest = [...this.#linesFrom.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([id, n]) => `${id} (${n})`);
    this.#warn(
      'backlog',
      `The network holds ${this.#net.backlogMessages} undelivered messages (${(this.#net.backlogChars / 1048576).toFixed(1)} MiB), more than eddy keeps in memory: the nodes send faster than they take messages in (a message storm, e.g. gossip forwarded without de-duplication?). Most lines came from ${loudest.join(', ')}. eddy stops reading the nodes' output until the backlog halves, and does so each time it fills up.`,
    );
    const check = (): void => {
      if (!this.#heldBack) return;
      if (this.#stopped || (this.#messages.drained(this.#net.backlogMessages) && this.#chars.drained(this.#net.backlogChars))) {
        this.release();
        return;
      }
      this.#clock.setTimer(HOLD_BACK_CHECK_MS, check);
    };
    this.#clock.setTimer(HOLD_BACK_CHECK_MS, check);
  }
}
