/**
 * An in-process transport: the test (or the simulator) hands the node input
 * lines with `inject` and receives its output lines synchronously, in
 * order, through `onOutput` — no streams, no event loop, so a node on a
 * `MemoryTransport` and a `VirtualClock` runs deterministically.
 */

import type { LineHandlers, Transport } from './transport.js';

export class MemoryTransport implements Transport {
  /** Output lines written while nobody was subscribed with `onOutput`. */
  readonly written: string[] = [];
  /** Log lines written while nobody was subscribed with `onLog`. */
  readonly logs: string[] = [];

  #handlers: LineHandlers | undefined;
  /** Input injected before `start`, delivered when the node starts. */
  #early: string[] = [];
  #ended = false;
  #endDelivered = false;
  readonly #outputs: Array<(line: string) => void> = [];
  readonly #logSubscribers: Array<(line: string) => void> = [];

  start(handlers: LineHandlers): void {
    if (this.#handlers !== undefined) throw new Error('MemoryTransport.start: already started');
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const line of early) handlers.onLine(line);
    if (this.#ended) this.#deliverEnd();
  }

  /** True once `start` has been called. */
  get started(): boolean {
    return this.#handlers !== undefined;
  }

  /** True once `end` has been called. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Delivers one input line to the node: synchronously if it has started,
   * otherwise when it starts.
   */
  inject(line: string): void {
    if (this.#ended) throw new Error('MemoryTransport.inject: input has already ended');
    if (this.#handlers === undefined) this.#early.push(line);
    else this.#handlers.onLine(line);
  }

  /** Closes the node's input (what closing stdin is to a process). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#handlers !== undefined) this.#deliverEnd();
  }

  /**
   * Subscribes to output lines; each is passed synchronously, in order, as
   * the node writes it. Returns a function that unsubscribes.
   */
  onOutput(fn: (line: string) => void): () => void {
    return subscribe(this.#outputs, fn);
  }

  /** Subscribes to log lines (the node's stderr). Returns a function that unsubscribes. */
  onLog(fn: (line: string) => void): () => void {
    return subscribe(this.#logSubscribers, fn);
  }

  write(line: string): void {
    if (this.#outputs.length === 0) this.written.push(line);
    else for (const fn of this.#outputs) fn(line);
  }

  log(line: string): void {
    if (this.#logSubscribers.length === 0) this.logs.push(line);
    else for (const fn of this.#logSubscribers) fn(line);
  }

  /** Output is delivered synchronously, so there is never anything to wait for. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  #deliverEnd(): void {
    if (this.#endDelivered) return;
    this.#endDelivered = true;
    this.#handlers!.onEnd();
  }
}

function subscribe(list: Array<(line: string) => void>, fn: (line: string) => void): () => void {
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}
