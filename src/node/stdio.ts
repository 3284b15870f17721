/**
 * The real transport: newline-delimited messages on stdin/stdout, logs on
 * stderr, as Maelstrom (and `eddy test`) run a node process.
 *
 * Input is cut into lines as bytes and each line decoded as UTF-8 (a
 * character split across two chunks is reassembled; invalid bytes become
 * U+FFFD, which then fails JSON parsing or stays inside a string). A line
 * may span chunks, may end in "\r\n", and the last one may lack its
 * newline. A line longer than `lineBytesMax` is dropped as it streams in,
 * with a log line giving its length, and reading resumes at the next
 * newline: an endless line never fills memory.
 *
 * Output lines are encoded straight into a batch buffer as they are
 * written, and the batch goes out once per event-loop turn (or per 64 KB)
 * in one `write`, which is what makes a JavaScript node fast: a `write`
 * per line costs more than the JSON work, and encoding at once means no
 * reply string outlives its message (queued strings would be copied by
 * every young-generation garbage collection they live through).
 * When stdout's buffer is full (the reader is slower than we are), stdin is
 * paused until stdout drains, and once 256 KB of output waits the rest of
 * the current input chunk is held, unread, too: output waiting in memory
 * stays within that plus one reply, however large the replies and however
 * many requests one chunk holds.
 *
 * Log lines are written as they come, but when stderr's reader falls more
 * than `logBacklogBytesMax` behind, further log lines are counted and
 * dropped until it catches up; a line then says how many were lost.
 */

import type { Readable, Writable } from 'node:stream';
import type { LineHandlers, Transport } from './transport.js';

/** Output is written at least this often (in bytes) even within one event-loop turn. */
const BATCH_BYTES_MAX = 64 * 1024;
/**
 * Once stdout is congested, the input chunk being read is still read on
 * until this much output waits, then the rest is held: a chunk of small
 * requests is answered in one go (stopping mid-chunk costs time), while a
 * chunk of requests with big replies cannot pile up more than this.
 */
const OUTPUT_WAITING_BYTES_MAX = 256 * 1024;
/** Lines longer than this (in UTF-16 units) are written on their own rather than copied into a batch. */
const LINE_CHARS_BATCHED_MAX = 16 * 1024;
/** Room for a batch just short of full plus one more line, at up to 3 bytes per UTF-16 unit, and its newline. */
const BATCH_BUFFER_BYTES = BATCH_BYTES_MAX + 3 * LINE_CHARS_BATCHED_MAX + 1;

export interface StdioTransportOptions {
  /** Where messages come from. @default process.stdin */
  input?: Readable;
  /** Where messages go. @default process.stdout */
  output?: Writable;
  /** Where log lines go. @default process.stderr */
  errors?: Writable;
  /**
   * The longest input line (in bytes, without its newline) that is
   * delivered; longer lines are dropped and logged. @default 67108864 (64 MiB)
   */
  lineBytesMax?: number;
  /**
   * How far (in bytes) log output may run ahead of stderr's reader before
   * log lines are dropped (and counted). @default 4194304 (4 MiB)
   */
  logBacklogBytesMax?: number;
}

export const LINE_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
const LOG_BACKLOG_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;

export class StdioTransport implements Transport {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #errors: Writable;
  readonly #lineBytesMax: number;
  readonly #logBacklogBytesMax: number;
  #handlers: LineHandlers | undefined;
  /** The unfinished last line of the input seen so far, as raw chunks. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** Bytes of an over-long line being skipped up to its newline, or -1 when not skipping. */
  #skippedBytes = -1;
  /** Input not yet cut into lines because output is congested, oldest first; it continues what #partial holds. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #inputEnded = false;
  /** Input has ended, but held input must be delivered before the end is. */
  #endHeld = false;

  /** Encoded output not yet handed to the output stream: batch[0, batchBytes). */
  readonly #batch: Buffer = Buffer.allocUnsafeSlow(BATCH_BUFFER_BYTES);
  #batchBytes = 0;
  #flushScheduled: NodeJS.Immediate | undefined;
  /** True while input is paused because the output stream's buffer is full. */
  #congested = false;
  /** Writes (to output or errors) whose callbacks have not run yet. */
  #inFlight = 0;
  #outputBroken = false;
  #flushWaiters: Array<() => void> = [];
  /** Log lines dropped since stderr last caught up. */
  #logsDropped = 0;
  #logDrainAwaited = false;

  constructor(options: StdioTransportOptions = {}) {
    this.#input = options.input ?? process.stdin;
    this.#output = options.output ?? process.stdout;
    this.#errors = options.errors ?? process.stderr;
    this.#lineBytesMax = checkSize('lineBytesMax', options.lineBytesMax ?? LINE_BYTES_MAX_DEFAULT);
    this.#logBacklogBytesMax = checkSize('logBacklogBytesMax', options.logBacklogBytesMax ?? LOG_BACKLOG_BYTES_MAX_DEFAULT);
  }

  start(handlers: LineHandlers): void {
    if (this.#handlers !== undefined) throw new Error('StdioTransport.start: already started');
    this.#handlers = handlers;
    this.#output.on('error', this.#onOutputError);
    // A failed log write has nowhere to be reported; it must not crash the node.
    this.#errors.on('error', () => undefined);
    const input = this.#input;
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
    if (line.length > LINE_CHARS_BATCHED_MAX) {
      // A big line is written as it is, after what was queued before it.
      this.#writeBatch();
      this.#writeOutput(line + '\n');
      return;
    }
    // Fits: the batch is sent before it holds BATCH_BYTES_MAX, and a line
    // this short encodes to at most 3 * LINE_CHARS_BATCHED_MAX + 1 bytes.
    const at = this.#batchBytes;
    const end = at + utf8Write(this.#batch, line, at);
    this.#batch[end] = 10;
    this.#batchBytes = end + 1;
    // Input that arrives within one event-loop turn (several reads in one
    // poll phase, or a fast in-process producer) must not pile up replies
    // until the turn ends: a full batch goes out at once, so that a full
    // output buffer pauses input early.
    if (this.#batchBytes >= BATCH_BYTES_MAX) this.#writeBatch();
    else if (this.#flushScheduled === undefined) this.#flushScheduled = setImmediate(this.#writeBatch);
  }

  log(line: string): void {
    if (this.#errors.writableLength > this.#logBacklogBytesMax) {
      // stderr's reader is far behind: a node that logs per message must
      // not grow without bound waiting for it.
      this.#logsDropped++;
      if (!this.#logDrainAwaited) {
        this.#logDrainAwaited = true;
        this.#errors.once('drain', this.#onLogDrain);
      }
      return;
    }
    if (this.#logsDropped > 0) this.#reportDroppedLogs();
    this.#writeLog(line);
  }

  flush(): Promise<void> {
    this.#writeBatch();
    // The last word on stderr says what was lost, even if stderr is still behind.
    if (this.#logsDropped > 0) this.#reportDroppedLogs();
    if (this.#inFlight === 0 || this.#outputBroken) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  /** Output queued here or buffered by the output stream: what back-pressure keeps bounded. */
  /** True while stdout's buffer is full and input is paused until it drains. */
  get congested(): boolean {
    return this.#congested;
  }

  get pendingOutputBytes(): number {
    return this.#batchBytes + this.#output.writableLength;
  }

  /**
   * Input held: the start of a line waiting for its end (an over-long line
   * being skipped holds none), and input set aside while output is congested.
   */
  get pendingInputBytes(): number {
    return this.#partialBytes + this.#heldBytes;
  }

  /** Log lines dropped because stderr was congested, and not yet reported. */
  get droppedLogLines(): number {
    return this.#logsDropped;
  }

  readonly #onData = (data: Buffer | string): void => {
    // Someone may have set an encoding on the stream; framing works on bytes.
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    // Input keeps its order: while anything is held, new input queues behind it.
    if (this.#held.length > 0 || this.#congested) this.#hold(chunk, false);
    else this.#takeChunk(chunk);
  };

  /** Cuts `chunk` into lines and delivers them, holding the rest as soon as output congests. */
  #takeChunk(chunk: Buffer): void {
    const first = chunk.indexOf(10);
    if (first === -1) {
      this.#keepPartial(chunk);
      return;
    }
    this.#endPartial(chunk, first);
    if (this.#congested && this.#outputFull() && first + 1 < chunk.length) {
      this.#hold(chunk.subarray(first + 1), true);
      return;
    }
    const last = chunk.lastIndexOf(10);
    if (last > first) {
      const stoppedAt = this.#deliverLines(chunk, first + 1, last);
      if (stoppedAt !== -1) {
        this.#hold(chunk.subarray(stoppedAt), true);
        return;
      }
    }
    if (last + 1 < chunk.length) {
      // A copy: the rest of a 64 KB chunk need not be kept alive for a short tail.
      this.#keepPartial(Buffer.from(chunk.subarray(last + 1)));
    }
  }

  #outputFull(): boolean {
    return this.#output.writableLength + this.#batchBytes >= OUTPUT_WAITING_BYTES_MAX;
  }

  /** Sets input aside until output drains: at the front if it is what is left of the chunk being read. */
  #hold(bytes: Buffer, first: boolean): void {
    if (first) this.#held.unshift(bytes);
    else this.#held.push(bytes);
    this.#heldBytes += bytes.length;
  }

  /** Delivers held input until it runs out or output congests again, then the end of input if it came meanwhile. */
  #releaseHeld(): void {
    while (this.#held.length > 0 && !this.#congested) {
      const chunk = this.#held.shift()!;
      this.#heldBytes -= chunk.length;
      this.#takeChunk(chunk);
    }
    if (this.#held.length === 0 && this.#endHeld) {
      this.#endHeld = false;
      this.#finishInput();
    }
  }

  /**
   * Delivers the complete lines in chunk[start, end], where chunk[end] is a
   * newline. Returns -1 when all were delivered, or the offset of the first
   * line not delivered because output congested.
   */
  #deliverLines(chunk: Buffer, start: number, end: number): number {
    const handlers = this.#handlers!;
    if (end - start > this.#lineBytesMax) {
      // Some line in here may be too long: measure each in bytes.
      let from = start;
      while (from <= end) {
        const nl = chunk.indexOf(10, from);
        if (nl - from > this.#lineBytesMax) this.#dropped(nl - from);
        else deliver(handlers, chunk.toString('utf8', from, nl));
        from = nl + 1;
        if (this.#congested && this.#outputFull() && from <= end) return from;
      }
      return -1;
    }
    // One decode for the whole run of lines, then cut at '\n' (a newline
    // byte never occurs inside a UTF-8 sequence, so this equals decoding
    // line by line).
    const text = chunk.toString('utf8', start, end);
    let from = 0;
    let lines = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', from)) !== -1) {
      // The '\r' of a "\r\n" line end is looked for in the flat text: a
      // character read from each line (a sliced string) costs more.
      handlers.onLine(text.slice(from, text.charCodeAt(nl - 1) === 13 && nl > from ? nl - 1 : nl));
      from = nl + 1;
      lines++;
      if (this.#congested && this.#outputFull()) {
        // Newline bytes and characters match one to one: find the byte
        // offset of the next line by counting. Rare (once per congestion).
        let at = start - 1;
        for (let i = 0; i < lines; i++) at = chunk.indexOf(10, at + 1);
        return at + 1;
      }
    }
    deliver(handlers, from === 0 ? text : text.slice(from));
    return -1;
  }

  /** Holds on to the start of a line whose newline has not arrived yet, unless it is already too long. */
  #keepPartial(piece: Buffer): void {
    if (this.#skippedBytes >= 0) {
      this.#skippedBytes += piece.length;
      return;
    }
    if (this.#partialBytes + piece.length > this.#lineBytesMax) {
      this.#skippedBytes = this.#partialBytes + piece.length;
      this.#partial = [];
      this.#partialBytes = 0;
      return;
    }
    this.#partial.push(piece);
    this.#partialBytes += piece.length;
  }

  /** Finishes the line held so far with chunk[0, end) and delivers it (or reports it dropped). */
  #endPartial(chunk: Buffer, end: number): void {
    if (this.#skippedBytes >= 0) {
      const length = this.#skippedBytes + end;
      this.#skippedBytes = -1;
      this.#dropped(length);
      return;
    }
    if (this.#partialBytes === 0) {
      if (end > this.#lineBytesMax) this.#dropped(end);
      else deliver(this.#handlers!, chunk.toString('utf8', 0, end));
      return;
    }
    const length = this.#partialBytes + end;
    const pieces = this.#partial;
    this.#partial = [];
    this.#partialBytes = 0;
    if (length > this.#lineBytesMax) {
      this.#dropped(length);
      return;
    }
    pieces.push(chunk.subarray(0, end));
    deliver(this.#handlers!, Buffer.concat(pieces, length).toString('utf8'));
  }

  #dropped(lineBytes: number): void {
    this.log(
      `input line of ${lineBytes} bytes dropped: longer than lineBytesMax (${this.#lineBytesMax} bytes); reading on from the next line`,
    );
  }

  readonly #onInputEnd = (): void => {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    if (this.#held.length > 0) this.#endHeld = true;
    else this.#finishInput();
  };

  #finishInput(): void {
    // The last line may lack its newline.
    if (this.#skippedBytes >= 0 || this.#partialBytes > 0) this.#endPartial(Buffer.alloc(0), 0);
    this.#handlers!.onEnd();
  }

  readonly #writeBatch = (): void => {
    if (this.#flushScheduled !== undefined) {
      clearImmediate(this.#flushScheduled);
      this.#flushScheduled = undefined;
    }
    if (this.#batchBytes === 0 || this.#outputBroken) return;
    // A copy, because the stream holds on to what it is given until it is
    // sent; copying 64 KB costs far less than the replies did to encode.
    const bytes = Buffer.from(this.#batch.subarray(0, this.#batchBytes));
    this.#batchBytes = 0;
    this.#writeOutput(bytes);
  };

  #writeOutput(data: Buffer | string): void {
    this.#inFlight++;
    const ok = this.#output.write(data, this.#onWritten);
    if (!ok && !this.#congested) {
      this.#congested = true;
      this.#input.pause();
      this.#output.once('drain', this.#onDrain);
    }
  }

  readonly #onDrain = (): void => {
    this.#congested = false;
    this.#releaseHeld();
    // Delivering held input may have congested output again.
    if (!this.#congested && !this.#inputEnded) this.#input.resume();
  };

  readonly #onWritten = (): void => {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#flushScheduled === undefined) this.#wakeFlushWaiters();
  };

  readonly #onLogDrain = (): void => {
    this.#logDrainAwaited = false;
    if (this.#logsDropped > 0) this.#reportDroppedLogs();
  };

  #reportDroppedLogs(): void {
    const count = this.#logsDropped;
    this.#logsDropped = 0;
    this.#writeLog(`${count} log line${count === 1 ? '' : 's'} dropped: stderr's reader fell more than ${this.#logBacklogBytesMax} bytes behind`);
  }

  #writeLog(line: string): void {
    this.#inFlight++;
    this.#errors.write(line + '\n', this.#onWritten);
  }

  /** stdout is gone (EPIPE: the reader exited): drop output from now on, keep reading. */
  readonly #onOutputError = (err: Error): void => {
    if (this.#outputBroken) return;
    this.#outputBroken = true;
    this.#batchBytes = 0;
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

/**
 * Encodes `text` into `buffer` at `offset`, returning the byte count.
 * `Buffer#write` spends more time sorting out its optional arguments than
 * encoding a short line; Node's own `utf8Write` (undocumented, present
 * since Node 0.x) skips that, and `write` stands in where it is missing.
 */
const utf8Write: (buffer: Buffer, text: string, offset: number) => number =
  typeof (Buffer.prototype as unknown as { utf8Write?: unknown }).utf8Write === 'function'
    ? (buffer, text, offset) => (buffer as unknown as { utf8Write(text: string, offset: number): number }).utf8Write(text, offset)
    : (buffer, text, offset) => buffer.write(text, offset, 'utf8');

function checkSize(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`StdioTransport: expected ${field} to be an integer >= 1, got ${String(value)}`);
  }
  return value;
}
