/**
 * What the harness itself did and cost during a run: wall time and overrun,
 * peak memory, messages routed and their rate after init, how late
 * wall-clock timers fired, and what back-pressure held back. These go to
 * harness.json (and to results.json "harness" unless `eddy sim` keeps that
 * a pure function of the seed); nothing here is read by a checker.
 */
import { wallNow } from '../ambient.js';
import type { HoldBackFigures } from './backpressure.js';

/** Period of the wall-clock probe that measures how late timers fire. */
const PROBE_PERIOD_MS = 50;

/** What the harness itself did and cost during a run (results.json "harness", and harness.json). */
export interface HarnessFigures {
  /** Wall-clock seconds from the start of the run to its results being written. */
  'wall-s': number;
  /** Wall-clock seconds beyond time-limit + recovery wait. */
  'overrun-s': number;
  /** The harness process's resident memory high-water mark, in MiB. */
  'peak-rss-mb': number;
  /** Messages the network accepted (journaled sends). */
  'routed-count': number;
  /** Messages routed per wall-clock second after init (start-up excluded), until the nodes were stopped. */
  'routed-per-s': number;
  /** Most messages the network held undelivered at once. */
  'backlog-max': number;
  /** Times eddy stopped reading the nodes' output because the network held too much, and for how long in all. */
  'held-back-count': number;
  'held-back-s': number;
  /**
   * How late a 50 ms wall-clock probe timer fired at worst and at p99, in ms,
   * from the end of init to the end of the run (eddy test only; null on
   * virtual time or when the run stopped before init was done).
   */
  'timer-late-max-ms': number | null;
  'timer-late-p99-ms': number | null;
}

/**
 * Keeps the wall-clock marks of a run: its start (when this is made), the
 * routing part (after init, until the nodes are stopped) for the
 * routed-per-s figure, and the timer probe over that part.
 */
export class HarnessMeter {
  readonly #wallStartMs = wallNow();
  #probe: TimerProbe | null = null;
  #routingStartMs: number | null = null;
  #routingStartCount = 0;
  #routingEndMs: number | null = null;
  #routingEndCount = 0;

  /** The nodes are up: routing starts with `sent` messages already routed; `probe` starts the timer probe. */
  startRouting(sent: number, probe: boolean): void {
    this.#routingStartMs = wallNow();
    this.#routingStartCount = sent;
    if (probe) this.#probe = new TimerProbe(PROBE_PERIOD_MS);
  }

  endRouting(sent: number): void {
    this.#routingEndMs = wallNow();
    this.#routingEndCount = sent;
  }

  /** The figures as of now; `recoveryS` is the recovery wait the run had (0 for a workload without a final phase). */
  figures(o: { routedCount: number; timeLimitS: number; recoveryS: number; holdBack: HoldBackFigures }): HarnessFigures {
    const held = o.holdBack;
    const wallS = (wallNow() - this.#wallStartMs) / 1000;
    const routingS = this.#routingStartMs === null || this.#routingEndMs === null ? 0 : (this.#routingEndMs - this.#routingStartMs) / 1000;
    const late = this.#probe?.stop() ?? null;
    const round3 = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      'wall-s': round3(wallS),
      'overrun-s': round3(wallS - o.timeLimitS - o.recoveryS),
      'peak-rss-mb': Math.round(process.resourceUsage().maxRSS / 1024),
      'routed-count': o.routedCount,
      'routed-per-s': routingS > 0 ? Math.round((this.#routingEndCount - this.#routingStartCount) / routingS) : 0,
      'backlog-max': held.backlogPeak,
      'held-back-count': held.heldBackCount,
      'held-back-s': round3(held.heldBackMs / 1000),
      'timer-late-max-ms': late === null ? null : round3(late.maxMs),
      'timer-late-p99-ms': late === null ? null : round3(late.p99Ms),
    };
  }
}

/**
 * Measures how late wall-clock timers fire while a run goes on: a timer
 * every `periodMs` notes how much later than asked it ran. Node output that
 * hogs the event loop shows up here first (client timeouts would fire as late).
 */
class TimerProbe {
  readonly #periodMs: number;
  readonly #lateMs: number[] = [];
  #dueMs: number;
  #timer: NodeJS.Timeout;

  constructor(periodMs: number) {
    this.#periodMs = periodMs;
    this.#dueMs = wallNow() + periodMs;
    this.#timer = setTimeout(this.#tick, periodMs);
    this.#timer.unref();
  }

  readonly #tick = (): void => {
    const now = wallNow();
    this.#lateMs.push(Math.max(0, now - this.#dueMs));
    this.#dueMs = now + this.#periodMs;
    this.#timer = setTimeout(this.#tick, this.#periodMs);
    this.#timer.unref();
  };

  stop(): { maxMs: number; p99Ms: number } {
    clearTimeout(this.#timer);
    const sorted = this.#lateMs.slice().sort((a, b) => a - b);
    if (sorted.length === 0) return { maxMs: 0, p99Ms: 0 };
    return { maxMs: sorted[sorted.length - 1]!, p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! };
  }
}
