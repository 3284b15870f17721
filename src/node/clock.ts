/**
 * Time, behind one narrow interface. A node (and the harness) never reads
 * `Date.now()` or calls `setTimeout` directly: it asks its `Clock`. The
 * `RealClock` is wall time for real processes under Maelstrom or `eddy test`;
 * the `VirtualClock` is a discrete-event scheduler for tests and for the
 * deterministic simulator, where time only moves when the clock is stepped.
 */

/** A scheduled callback that can still be cancelled. */
export interface Timer {
  /** Cancels the callback if it has not run yet; harmless otherwise. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since this clock's origin. Never goes backwards. */
  now(): number;
  /** Runs `fn` once, `delayMs` (>= 0) milliseconds from now. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** Wall time: `performance.now()` and Node's timers. */
export class RealClock implements Clock {
  readonly #origin: number;

  constructor() {
    this.#origin = performance.now();
  }

  now(): number {
    return performance.now() - this.#origin;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    // setTimeout fires at once for delays past 2^31-1 ms, so longer waits
    // are chained; an infinite delay simply never fires.
    if (delayMs === Infinity) return { cancel: () => {} };
    // A zero delay means "as soon as possible": setTimeout would clamp it to
    // about 1 ms, which adds up on paths like an idle delivery loop waking.
    if (!(delayMs > 0)) {
      const immediate = setImmediate(fn);
      return { cancel: () => clearImmediate(immediate) };
    }
    const due = this.now() + Math.max(0, delayMs);
    let handle: ReturnType<typeof setTimeout>;
    const arm = (): void => {
      const left = due - this.now();
      if (left > MAX_TIMEOUT_MS) handle = setTimeout(arm, MAX_TIMEOUT_MS);
      else handle = setTimeout(fn, Math.max(0, left));
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}

/** The longest delay `setTimeout` honours. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Scheduled {
  readonly at: number;
  /** Insertion order: events due at the same instant run first-scheduled-first. */
  readonly seq: number;
  fn: (() => void) | null;
}

/**
 * A discrete-event clock. Events run in (time, scheduling order), so a run
 * is a pure function of what was scheduled: no wall time, no races.
 *
 * Promise continuations are microtasks, which JavaScript cannot run
 * synchronously. `run()` therefore yields to the microtask queue after every
 * event (a fixed number of ticks, so that ordinary `await` chains finish at
 * the virtual instant they started), which keeps runs deterministic.
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  /** Binary min-heap ordered by (at, seq). */
  readonly #heap: Scheduled[] = [];
  #live = 0;

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    if (!(delayMs >= 0)) delayMs = 0; // NaN and negatives mean "now"
    const ev: Scheduled = { at: this.#now + delayMs, seq: this.#seq++, fn };
    this.#push(ev);
    this.#live++;
    return {
      cancel: () => {
        if (ev.fn !== null) {
          ev.fn = null;
          this.#live--;
        }
      },
    };
  }

  /** Number of scheduled, not yet cancelled events. */
  get pending(): number {
    return this.#live;
  }

  /** Time of the next live event, or undefined when idle. */
  nextAt(): number | undefined {
    this.#dropCancelledHead();
    return this.#heap[0]?.at;
  }

  /**
   * Runs the next event synchronously (advancing time to it). Returns false
   * when nothing is scheduled.
   */
  step(): boolean {
    this.#dropCancelledHead();
    const ev = this.#pop();
    if (ev === undefined) return false;
    const fn = ev.fn!;
    ev.fn = null;
    this.#live--;
    if (ev.at > this.#now) this.#now = ev.at;
    fn();
    return true;
  }

  /** Moves time forward by `ms`, running every event due on the way (synchronously). */
  advance(ms: number): void {
    this.runUntilSync(this.#now + ms);
  }

  /** Runs events due at or before `t` synchronously, then sets time to `t`. */
  runUntilSync(t: number): void {
    for (;;) {
      const next = this.nextAt();
      if (next === undefined || next > t) break;
      this.step();
    }
    if (t > this.#now) this.#now = t;
  }

  /**
   * Runs events in order, letting promise continuations run after each one,
   * until nothing is scheduled, `untilMs` is passed, or `stop()` returns true.
   * Yields to Node's event loop every `yieldEvery` events, and whenever
   * `yieldEveryMs` of virtual time have passed, so that file writes can
   * drain (and a run stopped from outside has written what it recorded);
   * nothing the simulation observes depends on that.
   */
  async run(opts: { untilMs?: number; stop?: () => boolean; microtaskTicks?: number; yieldEvery?: number; yieldEveryMs?: number } = {}): Promise<void> {
    const until = opts.untilMs ?? Infinity;
    const ticks = opts.microtaskTicks ?? 16;
    const yieldEvery = opts.yieldEvery ?? 2000;
    const yieldEveryMs = opts.yieldEveryMs ?? Infinity;
    let n = 0;
    let yieldedAtMs = this.#now;
    for (;;) {
      if (opts.stop?.()) return;
      const next = this.nextAt();
      if (next === undefined || next > until) break;
      this.step();
      for (let i = 0; i < ticks; i++) await undefined;
      if (++n % yieldEvery === 0 || this.#now - yieldedAtMs >= yieldEveryMs) {
        yieldedAtMs = this.#now;
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    if (until !== Infinity && until > this.#now) this.#now = until;
  }

  #dropCancelledHead(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.fn === null) this.#pop();
  }

  #less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(ev: Scheduled): void {
    const h = this.#heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): Scheduled | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
