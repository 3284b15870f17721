/**
 * The progress line shown while a run goes on: elapsed time against the
 * limit, client operations by outcome, messages per second and whether a
 * partition is in force. On a terminal it is one line rewritten in place
 * every second; otherwise (a pipe, CI logs) a plain line every five
 * seconds. It runs on the run's Clock, so it costs nothing in simulation
 * when no output is wanted (`--quiet`).
 */
import type { Clock, Timer } from '../node/clock.js';

/** What the progress line reports, read fresh at every tick. */
export interface ProgressSnapshot {
  phase: string;
  elapsedS: number;
  limitS: number;
  ok: number;
  fail: number;
  info: number;
  /** Messages sent on the network so far. */
  messages: number;
  partitioned: boolean;
  /**
   * With eddy's own faults (`--nemesis` beyond partition): what is in force
   * now, e.g. ["kill n1,n3", "pause n2"]; the line then shows these instead
   * of "partition on/off". Absent with partition alone, as in Maelstrom.
   */
  active?: string[];
}

/** Where the line goes: a stream-like writer (process.stderr in the CLI). */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class Progress {
  readonly #clock: Clock;
  readonly #out: ProgressOutput;
  readonly #snapshot: () => ProgressSnapshot;
  readonly #tty: boolean;
  readonly #periodMs: number;
  #timer: Timer | null = null;
  #lastMessages = 0;
  #lastAtMs = 0;
  /** True while a live line is on screen and must be cleared before other output. */
  #lineShown = false;

  constructor(clock: Clock, out: ProgressOutput, snapshot: () => ProgressSnapshot) {
    this.#clock = clock;
    this.#out = out;
    this.#snapshot = snapshot;
    this.#tty = out.isTTY === true;
    this.#periodMs = this.#tty ? 1000 : 5000;
  }

  start(): void {
    this.#lastAtMs = this.#clock.now();
    this.#lastMessages = this.#snapshot().messages;
    this.#schedule();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.clear();
  }

  /** Removes the live line (before printing anything else on a terminal). */
  clear(): void {
    if (this.#lineShown) {
      this.#out.write('\r\x1b[2K');
      this.#lineShown = false;
    }
  }

  /** The text of one progress line. */
  static format(s: ProgressSnapshot, msgsPerS: number): string {
    // Past the main phase the time limit no longer means anything; show the phase alone.
    const t = s.phase === 'main' ? ` ${s.elapsedS.toFixed(0)}/${s.limitS.toFixed(0)} s` : '';
    const faults = s.active === undefined ? `partition ${s.partitioned ? 'on' : 'off'}` : `faults ${s.active.length > 0 ? s.active.join('; ') : 'none'}`;
    return `[${s.phase}]${t}  ops ok ${s.ok} fail ${s.fail} info ${s.info}  ${Math.round(msgsPerS)} msgs/s  ${faults}`;
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(this.#periodMs, () => this.#tick());
  }

  #tick(): void {
    const s = this.#snapshot();
    const now = this.#clock.now();
    const rate = now > this.#lastAtMs ? ((s.messages - this.#lastMessages) * 1000) / (now - this.#lastAtMs) : 0;
    this.#lastMessages = s.messages;
    this.#lastAtMs = now;
    const line = Progress.format(s, rate);
    if (this.#tty) {
      this.#out.write(`\r\x1b[2K${line}`);
      this.#lineShown = true;
    } else {
      this.#out.write(line + '\n');
    }
    this.#schedule();
  }
}
