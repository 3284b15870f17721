/**
 * The real transport: newline-delimited messages on stdin/stdout, logs on
 * stderr, as Maelstrom (and `eddy test`) run a node process.
 *
 * Input is decoded as UTF-8 (a character split across two chunks is
 * reassembled) and cut into lines; a line may span chunks, may end in
 * "\r\n", and the last one may lack its newline. Output lines are
 * collected and written once per event-loop turn, one `write` for the
 * whole batch, which is what makes a JavaScript node fast: a `write` per
 * line costs more than the JSON work. When stdout's buffer is full (the
 * reader is slower than we are), stdin is paused until stdout drains, so a
 * node that answers every request never holds more than about one input
 * chunk's worth of replies in memory.
 */

import type { Readable, Writable } from 'node:stream';
import type { LineHandlers, Transport } from './transport.js';

/** Output is written at least this often (in characters) even within one event-loop turn. */
const BATCH_BYTES_MAX = 64 * 1024;

export interface StdioTransportOptions {
  /** Where messages come from. @default process.stdin */
  input?: Readable;
  /** Where messages go. @default process.stdout */
  output?: Writable;
  /** Where log lines go. @default process.stderr */
  errors?: Writable;
}

export class StdioTransport implements Transport {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #errors: Writable;
  #handlers: LineHandlers | undefined;
  /** The unfinished last line of the input seen so far. */
  #partial = '';
  #inputEnded = false;

  /** Output lines not yet handed to the output stream, and their size (in UTF-16 units, close enough). */
  #pending: string[] = [];
  #pendingBytes = 0;
  #flushScheduled: NodeJS.Immediate | undefined;
  /** True while input is paused because the output stream's buffer is full. */
  #congested = false;
  /** Writes (to output or errors) whose callbacks have not run yet. */
  #inFlight = 0;
  #outputBroken = false;
  #flushWaiters: Array<() => void> = [];

  constructor(options: StdioTransportOptions = {}) {
    this.#input = options.input ?? process.stdin;
    this.#output = options.output ?? process.stdout;
    this.#errors = options.errors ?? process.stderr;
  }

  start(handlers: LineHandlers): void {
    if (this.#handlers !== undefined) throw new Error('StdioTransport.start: already started');
    this.#handlers = handlers;
    this.#output.on('error', this.#onOutputError);
    // A failed log write has nowhere to be reported; it must not crash the node.
    this.#errors.on('error', () => undefined);
    const input = this.#input;
    input.setEncoding('utf8');
    input.on('data', this.#onData);
    input.on('end', this.#onInputEnd);
    // A read error (e.g. stdin closed abruptly) ends the input like EOF does.
    input.on('error', (err: Error) => {
      this.log(`stdin error: ${err.message}`);
      this.#onInputEnd();
    });
  }

  write(line: string): void {
    if (this.#outputBroken) return;
    this.#pending.push(line);
    this.#pendingBytes += line.length + 1;
    // Input that arrives within one event-loop turn (several reads in one
    // poll phase, or a fast in-process producer) must not pile up replies
    // until the turn ends: a full batch goes out at once, so that a full
    // output buffer pauses input early.
    if (this.#pendingBytes >= BATCH_BYTES_MAX) this.#writeBatch();
    else if (this.#flushScheduled === undefined) this.#flushScheduled = setImmediate(this.#writeBatch);
  }

  log(line: string): void {
    this.#inFlight++;
    this.#errors.write(line + '\n', this.#onWritten);
  }

  flush(): Promise<void> {
    this.#writeBatch();
    if (this.#inFlight === 0 || this.#outputBroken) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  /** Output queued here or buffered by the output stream: what back-pressure keeps bounded. */
  get pendingOutputBytes(): number {
    return this.#pendingBytes + this.#output.writableLength;
  }

  readonly #onData = (chunk: string): void => {
    const handlers = this.#handlers!;
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      this.#partial += chunk;
      return;
    }
    if (this.#partial.length > 0) {
      const first = this.#partial + chunk.slice(0, nl);
      this.#partial = '';
      deliver(handlers, first);
    } else {
      deliver(handlers, chunk.slice(0, nl));
    }
    start = nl + 1;
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      deliver(handlers, chunk.slice(start, nl));
      start = nl + 1;
    }
    this.#partial = start < chunk.length ? chunk.slice(start) : '';
  };

  readonly #onInputEnd = (): void => {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    const last = this.#partial;
    this.#partial = '';
    if (last.length > 0) deliver(this.#handlers!, last);
    this.#handlers!.onEnd();
  };

  readonly #writeBatch = (): void => {
    if (this.#flushScheduled !== undefined) {
      clearImmediate(this.#flushScheduled);
      this.#flushScheduled = undefined;
    }
    const lines = this.#pending;
    if (lines.length === 0 || this.#outputBroken) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#inFlight++;
    const ok = this.#output.write(lines.join('\n') + '\n', this.#onWritten);
    if (!ok && !this.#congested) {
      this.#congested = true;
      this.#input.pause();
      this.#output.once('drain', this.#onDrain);
    }
  };

  readonly #onDrain = (): void => {
    this.#congested = false;
    if (!this.#inputEnded) this.#input.resume();
  };

  readonly #onWritten = (): void => {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#flushScheduled === undefined) this.#wakeFlushWaiters();
  };

  /** stdout is gone (EPIPE: the reader exited): drop output from now on, keep reading. */
  readonly #onOutputError = (err: Error): void => {
    if (this.#outputBroken) return;
    this.#outputBroken = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.log(`stdout error, dropping further output: ${err.message}`);
    if (this.#congested) this.#onDrain();
    this.#wakeFlushWaiters();
  };

  #wakeFlushWaiters(): void {
    const waiters = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const wake of waiters) wake();
  }
}

function deliver(handlers: LineHandlers, line: string): void {
  // Windows-style line ends: the '\r' is not part of the message.
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  handlers.onLine(line);
}
