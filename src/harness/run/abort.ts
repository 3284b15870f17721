/**
 * How a run gives up: the first sentence of failure wins, everything that
 * waits on the run (a phase, a sleep, the main loop) wakes at once, and the
 * phase in progress ends by throwing `RunAborted`, which the phase script
 * catches to write what was recorded. Nothing here knows what failed.
 */
import type { Clock, Timer } from '../../node/clock.js';

/** Thrown inside the run when it has to stop; carries the user-facing sentence. */
export class RunAborted extends Error {
  override readonly name = 'RunAborted';
}

export class RunAbort {
  readonly #clock: Clock;
  #failure: string | null = null;
  #waiters: (() => void)[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The sentence the run stopped with, or null while it goes on. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Stops the run with `sentence`, unless it has already stopped for another reason. */
  fail(sentence: string): void {
    if (this.#failure !== null) return;
    this.#failure = sentence;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  throwIfFailed(): void {
    if (this.#failure !== null) throw new RunAborted(this.#failure);
  }

  /** Calls `fn` when the run fails; returns the way to take it back. */
  onAbort(fn: () => void): () => void {
    this.#waiters.push(fn);
    return () => {
      this.#waiters = this.#waiters.filter((w) => w !== fn);
    };
  }

  /** Resolves when the run fails (at once if it has). */
  promise(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#failure !== null) resolve();
      else this.onAbort(resolve);
    });
  }

  /** Awaits `p`, or throws RunAborted as soon as the run fails. */
  async abortable<T>(p: Promise<T>): Promise<T> {
    // `p` may reject after the run has given up on it (e.g. init calls that
    // end when their clients are closed); that rejection is expected and
    // must not surface as an unhandled rejection that kills the harness.
    p.catch(() => undefined);
    this.throwIfFailed();
    let unregister = (): void => {};
    const aborted = new Promise<never>((_, reject) => {
      unregister = this.onAbort(() => reject(new RunAborted(this.#failure!)));
    });
    try {
      return await Promise.race([p, aborted]);
    } finally {
      unregister();
    }
  }

  /** Waits `ms` on the run's clock, or throws RunAborted as soon as the run fails. */
  sleep(ms: number): Promise<void> {
    let timer: Timer | null = null;
    return this.abortable(
      new Promise<void>((resolve) => {
        timer = this.#clock.setTimer(ms, resolve);
      }),
    ).finally(() => (timer as Timer | null)?.cancel());
  }
}
