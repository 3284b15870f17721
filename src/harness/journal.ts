/**
 * The message journal on disk: every send and receive the network records,
 * one JSON line each (`{"type","time","message"}`, time in ns since the test
 * started), the source of truth for network statistics and pictures.
 *
 * `JournalWriter` takes events synchronously from the network's hot path and
 * writes them in large chunks, so a storm of 100k events/s costs a handful of
 * write calls per second. Memory stays bounded: chunks are written as they
 * fill, and if the disk falls behind by more than `maxBacklogBytes` the
 * writer switches to synchronous writes, which stalls the producer instead of
 * buffering the whole run. It also keeps the first `keepFirst` events in
 * memory for the Lamport diagram. `readJournal` streams a journal back.
 */

import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { JournalEvent } from './types.js';

export interface JournalWriterOptions {
  /** File to write; created, or truncated if it exists. */
  path: string;
  /** How many of the first events to keep in `firstEvents`. @default 10000 */
  keepFirst?: number;
  /** Bytes gathered before they are written out in one call. @default 1048576 (1 MiB) */
  chunkBytes?: number;
  /** Unwritten data above which `add` writes synchronously instead of queueing more. @default 67108864 (64 MiB) */
  maxBacklogBytes?: number;
  /**
   * Longest wall-clock time a buffered event waits before it is written, so
   * that a journal of a slow run is readable while it runs and little is lost
   * if the harness is killed. This timer only moves bytes to disk; no test
   * behaviour depends on it. @default 250
   */
  flushIntervalMs?: number;
}

/** Characters of event text gathered before they are encoded into the chunk buffer. */
const TEXT_BATCH_CHARS = 16 * 1024;

export class JournalWriter {
  readonly path: string;
  /** The first `keepFirst` events, in order (for the Lamport diagram). Do not mutate. */
  readonly firstEvents: JournalEvent[] = [];
  readonly #keepFirst: number;
  readonly #chunkBytes: number;
  readonly #maxBacklogBytes: number;
  readonly #flushIntervalMs: number;
  #fd: number;
  /**
   * Events are gathered as text in small batches and encoded into this
   * buffer: a few hundred events per encode call, and no megabyte-long
   * string to flatten.
   */
  #text = '';
  #buf: Buffer;
  #used = 0;
  /** Buffers whose writes have completed, for reuse. */
  readonly #spare: Buffer[] = [];
  /** Byte offset where the next chunk goes: writes carry explicit positions, so an async and a sync write can never interleave wrongly. */
  #pos = 0;
  readonly #pending: { buf: Buffer; pos: number }[] = [];
  #pendingBytes = 0;
  #writing = false;
  #timer: NodeJS.Timeout | null = null;
  #count = 0;
  #error: Error | null = null;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  readonly #stats = { writeCalls: 0, syncWriteCalls: 0, peakBacklogBytes: 0 };

  constructor(opts: JournalWriterOptions) {
    this.path = opts.path;
    this.#keepFirst = opts.keepFirst ?? 10_000;
    this.#chunkBytes = Math.max(1, opts.chunkBytes ?? 1 << 20);
    this.#buf = Buffer.allocUnsafe(this.#bufferSize());
    this.#maxBacklogBytes = opts.maxBacklogBytes ?? 64 << 20;
    this.#flushIntervalMs = opts.flushIntervalMs ?? 250;
    try {
      this.#fd = fs.openSync(opts.path, 'w');
    } catch (err) {
      throw new Error(`cannot open the journal file ${opts.path}: ${(err as Error).message}`);
    }
  }

  /** Events added so far. */
  get count(): number {
    return this.#count;
  }

  /** How the writer has been writing: calls made, and the most unwritten data it held. */
  stats(): { writeCalls: number; syncWriteCalls: number; peakBacklogBytes: number } {
    return { ...this.#stats };
  }

  /** The first write error, if any (later events are then discarded and `close()` rejects). */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Records one event. `messageLine`, if given, must be `JSON.stringify(ev.message)`
   * (the network passes it so the message is not serialised twice).
   */
  add(ev: JournalEvent, messageLine?: string): void {
    if (this.#closed) throw new Error(`JournalWriter.add after close (${this.path})`);
    this.#count++;
    if (this.firstEvents.length < this.#keepFirst) this.firstEvents.push(ev);
    if (this.#error !== null) return;
    this.#text += `{"type":"${ev.type}","time":${ev.time},"message":${messageLine ?? JSON.stringify(ev.message)}}\n`;
    if (this.#text.length >= TEXT_BATCH_CHARS) this.#encodeText();
    if (this.#used >= this.#chunkBytes) {
      this.#cut();
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#cut();
      }, this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Resolves once everything added so far is written (rejects on a write error). */
  async flush(): Promise<void> {
    this.#cut();
    if (this.#writing || this.#pending.length > 0) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
    if (this.#error !== null) throw this.#error;
  }

  /** Writes everything still buffered and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      fs.closeSync(this.#fd);
    }
  }

  /** Encodes the gathered text into the current buffer, cutting it first if it could overflow. */
  #encodeText(): void {
    const text = this.#text;
    this.#text = '';
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (this.#used + 3 * text.length > this.#buf.length) {
      this.#cutBuffer();
      if (3 * text.length > this.#buf.length) {
        this.#enqueue(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.#used += this.#buf.write(text, this.#used, 'utf8');
  }

  /** Moves everything gathered into the write queue. */
  #cut(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#text !== '') this.#encodeText();
    this.#cutBuffer();
  }

  #cutBuffer(): void {
    if (this.#used === 0 || this.#error !== null) return;
    const buf = this.#buf.subarray(0, this.#used);
    this.#buf = this.#spare.pop() ?? Buffer.allocUnsafe(this.#bufferSize());
    this.#used = 0;
    this.#enqueue(buf);
  }

  #bufferSize(): number {
    return this.#chunkBytes + 64 * 1024;
  }

  #enqueue(buf: Buffer): void {
    const pos = this.#pos;
    this.#pos += buf.length;
    if (this.#pendingBytes + buf.length > this.#maxBacklogBytes) {
      // The disk is behind: block here rather than let memory grow.
      try {
        let off = 0;
        while (off < buf.length) {
          this.#stats.syncWriteCalls++;
          off += fs.writeSync(this.#fd, buf, off, buf.length - off, pos + off);
        }
      } catch (err) {
        this.#fail(err);
      }
      this.#recycle(buf);
      return;
    }
    this.#pending.push({ buf, pos });
    this.#pendingBytes += buf.length;
    if (this.#pendingBytes > this.#stats.peakBacklogBytes) this.#stats.peakBacklogBytes = this.#pendingBytes;
    this.#next();
  }

  #next(): void {
    if (this.#writing) return;
    const job = this.#pending[0];
    if (job === undefined || this.#error !== null) {
      this.#pending.length = 0;
      this.#pendingBytes = 0;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    this.#writing = true;
    const writeFrom = (off: number): void => {
      this.#stats.writeCalls++;
      fs.write(this.#fd, job.buf, off, job.buf.length - off, job.pos + off, (err, written) => {
        if (err !== null) {
          this.#fail(err);
        } else if (off + written < job.buf.length) {
          writeFrom(off + written);
          return;
        }
        this.#pending.shift();
        this.#pendingBytes -= job.buf.length;
        this.#recycle(job.buf);
        this.#writing = false;
        this.#next();
      });
    };
    writeFrom(0);
  }

  /** Keeps a few written buffers for reuse instead of allocating one per chunk. */
  #recycle(buf: Buffer): void {
    const size = this.#bufferSize();
    if (buf.byteOffset === 0 && buf.buffer.byteLength === size && this.#spare.length < 4) this.#spare.push(Buffer.from(buf.buffer, 0, size));
  }

  #fail(err: unknown): void {
    if (this.#error === null) this.#error = new Error(`cannot write the journal file ${this.path}: ${(err as Error).message}`);
  }
}

/** Streams the events of a journal file back, in order. */
export async function* readJournal(path: string): AsyncIterable<JournalEvent> {
  const lines = readline.createInterface({ input: fs.createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === '') continue;
    let ev: JournalEvent;
    try {
      ev = JSON.parse(line) as JournalEvent;
    } catch (err) {
      throw new Error(`${path}:${n} is not a JSON journal event (${(err as Error).message.replace(/, ".*" is not valid JSON$/s, '')})`);
    }
    yield ev;
  }
}
