/**
 * The operation history of a run: every invocation and completion, from
 * clients and from the nemesis, in the order they happened. It is kept in
 * memory for the checkers and streamed, one JSON object per line, to
 * `history.jsonl` as it grows, so that a run that stops early still leaves
 * everything it recorded on disk.
 *
 * Times are nanoseconds since the test started, read from the run's Clock.
 * As in Jepsen, whose relative time begins once the database is set up, the
 * runner starts the count when every node has answered `init` (`startAt`);
 * the journal keeps counting from the harness's own start.
 */
import type { Clock } from '../node/clock.js';
import type { Op } from './types.js';

/** Where finished lines go; `store.ts`'s JsonlWriter in a real run. */
export interface LineSink {
  writeLine(line: string): void;
}

export interface OpCounts {
  ok: number;
  fail: number;
  info: number;
  invoke: number;
}

export class History {
  readonly #clock: Clock;
  #startMs: number;
  readonly #sink: LineSink | null;
  readonly #ops: Op[] = [];
  readonly #counts: OpCounts = { ok: 0, fail: 0, info: 0, invoke: 0 };

  /** `startMs` is the Clock reading that counts as time 0 of the test. */
  constructor(clock: Clock, startMs: number, sink: LineSink | null) {
    this.#clock = clock;
    this.#startMs = startMs;
    this.#sink = sink;
  }

  /**
   * Makes Clock reading `ms` time 0 of the test. Only before the first
   * event: times already written cannot move.
   */
  startAt(ms: number): void {
    if (this.#ops.length > 0) throw new Error(`History.startAt: ${this.#ops.length} events are already recorded against the old origin`);
    this.#startMs = ms;
  }

  /** Nanoseconds since the test started, as an integer. */
  nowNs(): number {
    return Math.max(0, Math.round((this.#clock.now() - this.#startMs) * 1e6));
  }

  /** Appends one event and returns it (with its index and time filled in). */
  record(fields: Omit<Op, 'index' | 'time'>): Op {
    const op: Op = { index: this.#ops.length, time: this.nowNs(), process: fields.process, type: fields.type, f: fields.f, value: fields.value };
    if (fields.error !== undefined) op.error = fields.error;
    if (fields.final) op.final = true;
    this.#ops.push(op);
    if (fields.process !== 'nemesis') this.#counts[fields.type]++;
    this.#sink?.writeLine(JSON.stringify(op));
    return op;
  }

  /** Everything recorded so far, in order. */
  get ops(): readonly Op[] {
    return this.#ops;
  }

  /** Client operation counts by type (nemesis events excluded). */
  get counts(): Readonly<OpCounts> {
    return this.#counts;
  }
}
