/**
 * When the main phase issues which operation to which worker. This is a pure
 * state machine reproducing what Maelstrom builds from Jepsen generators —
 * `(time-limit T (nemesis N (stagger (/ rate) (mix [broadcasts reads]))))` —
 * together with how Jepsen's interpreter and generator context hand an
 * operation to a free worker thread. The runner owns the clock and the
 * workers; it calls `poll(now, isFree)` and gets back an operation to invoke
 * now, a time to ask again, or "done".
 *
 * The behaviour, as read from jepsen-io/generator (`Stagger`, `Mix`, `Any`,
 * `TimeLimit`, `FlipFlop`; `context.clj` `some-free-process` and
 * `busy-thread`) and jepsen's `generator/interpreter.clj`:
 *
 * - Stagger: the first operation is due at once. After an operation is issued
 *   at time t, the next is due at t + U[0, 2/rate) s (the draw truncated to
 *   whole nanoseconds). An operation is issued at its due time if a worker is
 *   free then, otherwise as soon as one is, and the next delay counts from
 *   that issue time. (The spec's "previous due + delay" is the same thing,
 *   since an operation issued on time is issued at its due time.)
 * - Worker choice: a rotating index over the worker threads *and the nemesis
 *   thread* (Jepsen's context always has one, at index `workerCount`) moves
 *   on by one with every operation issued, client or nemesis; the operation
 *   goes to the first free worker at or after the index, wrapping to worker 0.
 *   So when every worker is free, worker 0 gets two of every
 *   `workerCount + 1` operations (once for its own slot and once for the
 *   nemesis's), where the spec says "evenly".
 * - Echo wraps its generator in `each-thread`, which does not use the index:
 *   the operation goes to a uniformly random free worker (`workerChoice:
 *   'uniform'`).
 * - Time limit: the cutoff is the first issued operation's time plus the
 *   limit. The phase ends as soon as the soonest operation on offer is due at
 *   or after the cutoff — when that is decided, not when the cutoff passes —
 *   so the main phase usually ends a little before the limit. With a nemesis,
 *   client and nemesis streams share this limit, and Jepsen's `any` prefers a
 *   real operation over "no worker free": if every worker is busy and the
 *   nemesis's next operation is past the cutoff, the phase ends there.
 * - With the nemesis, client and nemesis operations due at the same time are
 *   ordered at random (Jepsen's `soonest-op-map` tie-break).
 * - Lateness (`lateness`, Jepsen >= 0.2.5, every Maelstrom since 0.2.1):
 *   Jepsen's interpreter never commits to a future operation; it waits for
 *   the due time, wakes a little late, asks the generator again and issues
 *   at that later moment, and the next gap counts from there. So every
 *   wake-up's lateness lengthens every gap and is never made up (see
 *   ../shared/design/maelstrom-op-rate.md). eddy models that lateness
 *   instead of taking its own machine's: after a gap g is drawn, the wait
 *   for it ends `latenessMs(g)` late (below), drawn from a stream of its
 *   own, so the other draws do not move. Without `lateness` (or strength 0)
 *   the schedule is the ideal one: rate x time-limit operations.
 */
import type { Rng } from './rng.js';
import type { DrawContext, MainGenerator } from './workloads/workload.js';

export interface OpGeneratorOptions {
  /** Operations per second for the whole cluster (`--rate`); 0 issues none and just lets the time limit pass. */
  rateHz: number;
  /** Number of client worker threads (`--concurrency`). */
  workerCount: number;
  /** Source of the stagger delays, the worker draw (uniform choice) and tie-breaks; `next` gets it too. */
  rng: Rng;
  /** Length of the main phase (`--time-limit`), counted from the first operation issued. */
  timeLimitMs: number;
  /** No client operation is issued before this time; pass the time of the first poll for Jepsen's behaviour. */
  startMs: number;
  /**
   * The workload's generator: draws the next operation (and may choose its
   * worker) when the stagger says one is due and a worker is free.
   */
  generator: MainGenerator;
  /** A worker's current process number, for the generator's context. @default the worker's index */
  processOf?: (worker: number) => number;
  /** Number of server nodes, for the generator's context. @default 1 */
  nodeCount?: number;
  /**
   * How a free worker is picked: Jepsen's rotating index (the default, all
   * workloads built on plain generators, e.g. broadcast) or uniformly at
   * random among free workers (workloads wrapped in `each-thread`, e.g. echo).
   * @default 'round-robin'
   */
  workerChoice?: 'round-robin' | 'uniform';
  /**
   * The partition nemesis's schedule (`--nemesis partition`), which shares
   * the time limit and the worker index with client operations. When given,
   * `poll` also returns `kind: 'nemesis'` results.
   * @default null (no nemesis)
   */
  nemesis?: NemesisTiming | null;
  /**
   * The model of the interpreter's lateness (see `latenessMs`): `strength`
   * scales it (1 = a typical Maelstrom machine, 0 = none, the ideal
   * schedule) and `rng` is the stream its jitter is drawn from (the runner
   * forks one, so that no other draw moves).
   * @default null (no lateness: the ideal schedule)
   */
  lateness?: { strength: number; rng: Rng } | null;
}

/**
 * The calibrated lateness model at strength 1: a wait of `waitMs` ends
 * `min(LATE_FRACTION x wait, LATE_CAP_MS) x U[0.8, 1.2)` late.
 *
 * Calibration (../shared/design/maelstrom-op-rate.md): published Maelstrom
 * logs at rate 100 stretch every quantile of the U[0, 20 ms) gaps by about
 * 1.2x, and main-phase counts sit at 0.815-1.0 x rate x time (median 0.85);
 * at rate 10 the longest gaps are only 4-6 ms over ideal. With a fraction
 * of 0.18 and a cap of 5 ms the expected count ratio is
 * 1 / (1 + E[lateness] x rate): rate 100 -> 1 / 1.18 = 0.85 (the median),
 * rate 1000 -> 0.85 (published 0.62-0.93), rate 10 -> 100 / 104.6 = 0.96
 * (published 0.88-1.03), with the longest gaps at rate 10 4-6 ms late.
 * `strength` multiplies both the fraction and the cap.
 */
export const LATE_FRACTION = 0.18;
export const LATE_CAP_MS = 5;

/** How late the wait for a gap of `waitMs` ends, under the model at `strength`, drawing its jitter from `rng`. */
export function latenessMs(waitMs: number, strength: number, rng: Rng): number {
  if (strength === 0) return 0;
  const mean = Math.min(LATE_FRACTION * strength * waitMs, LATE_CAP_MS * strength);
  // Whole nanoseconds, as every other time in the schedule.
  return Math.floor(mean * (0.8 + 0.4 * rng.float()) * 1e6) / 1e6;
}

/** A nemesis operation's name: start-partition, stop-partition, kill, restart, pause, resume, ... */
export type NemesisF = string;

/** When the nemesis's next operation is due and which it is (NemesisSchedule, several combined, or a script). */
export interface NemesisTiming {
  /** Never earlier than `nowMs`; Infinity once the nemesis has nothing more to do. */
  dueMs(nowMs: number): number;
  take(nowMs: number): NemesisF;
}

export type Poll =
  /** Invoke `f`/`value` now on client worker `worker`. */
  | { kind: 'op'; worker: number; f: string; value: unknown }
  /** Invoke this nemesis operation now (value null; start-partition's grudge is drawn at invocation). */
  | { kind: 'nemesis'; f: NemesisF; value: null }
  /** Ask again at `untilMs`, or earlier if a worker (or the nemesis) frees up; null = only when one frees up. */
  | { kind: 'wait'; untilMs: number | null }
  /** The main phase is over; issue nothing more from this generator. */
  | { kind: 'done' };

/** A uniform draw from [0, spanMs), truncated to whole nanoseconds as Jepsen's `(long (rand dt))` is. */
function staggerDelayMs(rng: Rng, spanMs: number): number {
  return Math.floor(rng.float() * Math.round(spanMs * 1e6)) / 1e6;
}

export class OpGenerator {
  readonly #rateHz: number;
  readonly #workerCount: number;
  readonly #rng: Rng;
  readonly #timeLimitMs: number;
  readonly #startMs: number;
  readonly #generator: MainGenerator;
  readonly #processOf: (worker: number) => number;
  readonly #nodeCount: number;
  readonly #uniform: boolean;
  readonly #nemesis: NemesisTiming | null;
  readonly #lateness: { strength: number; rng: Rng } | null;
  /** When the next client operation is due (Jepsen's stagger `next-time`). */
  #clientDueMs: number;
  /**
   * True while the due client operation waits for a free worker. Then it
   * goes out when one frees up, and the next delay counts from then;
   * otherwise it counts from the due time, however late the caller polled:
   * the lateness of a Maelstrom run is the model's (`lateness`, already in
   * the due time), not the machine's, so a real clock's timer firing late
   * must not stretch the schedule further, and `eddy test` and `eddy sim`
   * expect the same number of operations.
   */
  #clientBlocked = false;
  /** Jepsen's `next-thread-index`, over workers 0..workerCount-1 plus the nemesis slot workerCount. */
  #index = 0;
  #cutoffMs: number | null = null;
  #done = false;

  constructor(options: OpGeneratorOptions) {
    const { rateHz, workerCount, timeLimitMs, startMs } = options;
    if (!(Number.isFinite(rateHz) && rateHz >= 0)) throw new RangeError(`Expected rateHz to be a number >= 0, got ${rateHz}`);
    if (!(Number.isInteger(workerCount) && workerCount >= 1)) {
      throw new RangeError(`Expected workerCount to be an integer >= 1, got ${workerCount}`);
    }
    if (!(Number.isFinite(timeLimitMs) && timeLimitMs > 0)) {
      throw new RangeError(`Expected timeLimitMs to be a number > 0, got ${timeLimitMs}`);
    }
    if (!Number.isFinite(startMs)) throw new RangeError(`Expected startMs to be a finite number, got ${startMs}`);
    const choice = options.workerChoice ?? 'round-robin';
    if (choice !== 'round-robin' && choice !== 'uniform') {
      throw new RangeError(`Expected workerChoice to be 'round-robin' or 'uniform', got ${JSON.stringify(choice)}`);
    }
    this.#rateHz = rateHz;
    this.#workerCount = workerCount;
    this.#rng = options.rng;
    this.#timeLimitMs = timeLimitMs;
    this.#startMs = startMs;
    this.#generator = options.generator;
    this.#processOf = options.processOf ?? ((w) => w);
    this.#nodeCount = options.nodeCount ?? 1;
    this.#uniform = choice === 'uniform';
    this.#nemesis = options.nemesis ?? null;
    const lateness = options.lateness ?? null;
    if (lateness !== null && !(Number.isFinite(lateness.strength) && lateness.strength >= 0)) {
      throw new RangeError(`Expected lateness.strength to be a number >= 0, got ${lateness.strength}`);
    }
    this.#lateness = lateness === null || lateness.strength === 0 ? null : lateness;
    this.#clientDueMs = startMs;
    // With no client operations at all, Maelstrom sleeps out the time limit from the start.
    if (rateHz === 0) this.#cutoffMs = startMs + timeLimitMs;
  }

  /** The end of the main phase, once the first operation has fixed it (null before). */
  get cutoffMs(): number | null {
    return this.#cutoffMs;
  }

  /**
   * Asks for work at `nowMs`, given which workers are free (and whether the
   * nemesis is). Call it again after invoking what it returned, at a `wait`'s
   * `untilMs`, and whenever a worker or the nemesis completes an operation.
   */
  poll(nowMs: number, isFree: (worker: number) => boolean, nemesisFree = true): Poll {
    if (this.#done) return { kind: 'done' };
    const clientFree = this.#rateHz > 0 && this.#anyFree(isFree);
    const clientAtMs = Math.max(nowMs, this.#clientDueMs);
    const nemesisAtMs = this.#nemesis === null ? Infinity : this.#nemesis.dueMs(nowMs);
    // A nemesis with nothing left to do (a script run to its end) offers nothing, as an exhausted generator in Jepsen's `any`.
    const nemesisOffers = this.#nemesis !== null && nemesisFree && nemesisAtMs !== Infinity;

    let pick: 'client' | 'nemesis' | null = null;
    if (clientFree && nemesisOffers) {
      if (clientAtMs < nemesisAtMs) pick = 'client';
      else if (nemesisAtMs < clientAtMs) pick = 'nemesis';
      else pick = this.#rng.int(2) === 0 ? 'client' : 'nemesis';
    } else if (clientFree) pick = 'client';
    else if (nemesisOffers) pick = 'nemesis';
    if (this.#rateHz > 0 && !clientFree && nowMs >= this.#clientDueMs) this.#clientBlocked = true;

    if (pick === null) {
      if (this.#rateHz === 0 && this.#cutoffMs !== null) {
        if (nowMs >= this.#cutoffMs) return this.#finish();
        return { kind: 'wait', untilMs: this.#cutoffMs };
      }
      return { kind: 'wait', untilMs: null };
    }

    const atMs = pick === 'client' ? clientAtMs : nemesisAtMs;
    if (this.#cutoffMs !== null && atMs >= this.#cutoffMs) {
      // With rate 0 Maelstrom's client side is one sleep that lasts the whole limit.
      if (this.#rateHz === 0 && nowMs < this.#cutoffMs) return { kind: 'wait', untilMs: this.#cutoffMs };
      return this.#finish();
    }
    if (atMs > nowMs) return { kind: 'wait', untilMs: atMs };

    this.#cutoffMs ??= nowMs + this.#timeLimitMs;
    if (pick === 'nemesis') {
      const f = this.#nemesis!.take(nowMs);
      this.#advanceIndex();
      return { kind: 'nemesis', f, value: null };
    }
    const defaultWorker = this.#chooseWorker(isFree);
    const ctx: DrawContext = {
      rng: this.#rng,
      nowMs: nowMs - this.#startMs,
      workerCount: this.#workerCount,
      nodeCount: this.#nodeCount,
      isFree,
      processOf: this.#processOf,
      defaultWorker,
    };
    const drawn = this.#generator.draw(ctx);
    if ('pending' in drawn) {
      // Jepsen's :pending: nothing for the free workers now; the stagger slot stays unused.
      const retryMs = drawn.untilMs === null ? Infinity : drawn.untilMs + this.#startMs;
      const untilMs = Math.min(retryMs, this.#nemesis === null ? Infinity : nemesisAtMs);
      return { kind: 'wait', untilMs: untilMs === Infinity ? null : Math.max(untilMs, nowMs) };
    }
    const { worker, f, value } = drawn;
    if (!(Number.isInteger(worker) && worker >= 0 && worker < this.#workerCount) || !isFree(worker)) {
      throw new Error(`OpGenerator: the workload's generator chose worker ${worker}, which is not a free worker`);
    }
    const issuedMs = this.#clientBlocked ? nowMs : Math.min(nowMs, this.#clientDueMs);
    this.#clientBlocked = false;
    const gapMs = staggerDelayMs(this.#rng, 2000 / this.#rateHz);
    // The interpreter's wait for the gap ends late; the operation goes out then, and the next gap counts from there.
    const lateMs = this.#lateness === null ? 0 : latenessMs(gapMs, this.#lateness.strength, this.#lateness.rng);
    this.#clientDueMs = issuedMs + gapMs + lateMs;
    this.#advanceIndex();
    return { kind: 'op', worker, f, value };
  }

  #finish(): Poll {
    this.#done = true;
    return { kind: 'done' };
  }

  #advanceIndex(): void {
    this.#index = (this.#index + 1) % (this.#workerCount + 1);
  }

  #anyFree(isFree: (worker: number) => boolean): boolean {
    for (let w = 0; w < this.#workerCount; w++) if (isFree(w)) return true;
    return false;
  }

  #chooseWorker(isFree: (worker: number) => boolean): number {
    if (this.#uniform) {
      const free: number[] = [];
      for (let w = 0; w < this.#workerCount; w++) if (isFree(w)) free.push(w);
      return this.#rng.pick(free);
    }
    for (let w = this.#index; w < this.#workerCount; w++) if (isFree(w)) return w;
    for (let w = 0; w < this.#workerCount; w++) if (isFree(w)) return w;
    throw new Error('OpGenerator: no free worker although one was free a moment ago (isFree must not change during poll)');
  }
}

/**
 * The partition nemesis's timing: Jepsen's
 * `(stagger interval (flip-flop start-partition (repeat stop-partition)))`.
 * The first operation (a start) is due at once; after one is issued at t,
 * the next is due at t + U[0, 2 * interval) s. Starts and stops alternate.
 */
export class NemesisSchedule implements NemesisTiming {
  readonly #rng: Rng;
  readonly #intervalMs: number;
  #dueMs: number | null = null;
  #nextF: NemesisF = 'start-partition';

  constructor(rng: Rng, intervalS: number) {
    if (!(Number.isFinite(intervalS) && intervalS > 0)) {
      throw new RangeError(`Expected the nemesis interval to be a number of seconds > 0, got ${intervalS}`);
    }
    this.#rng = rng;
    this.#intervalMs = intervalS * 1000;
  }

  /** When the next operation may be issued, asked at `nowMs` (never earlier than now). */
  dueMs(nowMs: number): number {
    return this.#dueMs === null ? nowMs : Math.max(nowMs, this.#dueMs);
  }

  /** Which operation comes next. */
  get nextF(): NemesisF {
    return this.#nextF;
  }

  /** Records that the next operation is issued at `nowMs`, returns it, and draws when the one after is due. */
  take(nowMs: number): NemesisF {
    const f = this.#nextF;
    this.#nextF = f === 'start-partition' ? 'stop-partition' : 'start-partition';
    this.#dueMs = nowMs + staggerDelayMs(this.#rng, 2 * this.#intervalMs);
    return f;
  }
}

/**
 * Maelstrom's broadcast mix: each operation is, 50/50, a broadcast of the
 * next integer (0, 1, 2, ... counting broadcasts only) or a read whose value
 * is null (`{:f :read}`). Each call returns an independent counter.
 */
export function broadcastMix(): (rng: Rng) => { f: string; value: unknown } {
  let nextMessage = 0;
  return (rng) => (rng.int(2) === 0 ? { f: 'broadcast', value: nextMessage++ } : { f: 'read', value: null });
}

/**
 * Maelstrom's echo operations: `{f: 'echo', value: "Please echo N"}` with N
 * uniform in 0..127. Use with `workerChoice: 'uniform'` (echo's `each-thread`).
 */
export function echoMix(): (rng: Rng) => { f: string; value: unknown } {
  return (rng) => ({ f: 'echo', value: `Please echo ${rng.int(128)}` });
}
