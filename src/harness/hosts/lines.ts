/**
 * Turning a node's byte streams into lines: `LineSplitter` cuts text at
 * '\n' whatever the chunk boundaries, copes with CRLF, and refuses to buffer
 * a runaway line; `LineTail` remembers the last few lines for crash reports.
 */

/** Keeps the last `size` lines pushed, without shifting an array per line. */
export class LineTail {
  readonly #lines: string[] = [];
  readonly #size: number;
  #next = 0;

  constructor(size: number) {
    this.#size = size;
  }

  push(line: string): void {
    if (this.#size <= 0) return;
    if (this.#lines.length < this.#size) {
      this.#lines.push(line);
    } else {
      this.#lines[this.#next] = line;
      this.#next = (this.#next + 1) % this.#size;
    }
  }

  /** The kept lines, oldest first. */
  lines(): string[] {
    return this.#lines.slice(this.#next).concat(this.#lines.slice(0, this.#next));
  }
}

/**
 * Splits a stream of text into lines: '\n' ends a line, a '\r' before it is
 * dropped, chunk boundaries anywhere (including inside a "\r\n") are fine.
 * A line longer than `maxLineChars` is not buffered: it is reported once
 * through `onTooLong` with its beginning, and its rest is skipped up to the
 * next '\n'.
 */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #onTooLong: (start: string) => void;
  readonly #maxLineChars: number;
  #carry = '';
  #skipping = false;

  constructor(onLine: (line: string) => void, opts: { maxLineChars: number; onTooLong: (start: string) => void }) {
    this.#onLine = onLine;
    this.#onTooLong = opts.onTooLong;
    this.#maxLineChars = opts.maxLineChars;
  }

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      if (this.#skipping) {
        this.#skipping = false;
      } else {
        this.#emit(this.#carry === '' ? chunk.slice(start, nl) : this.#carry + chunk.slice(start, nl));
      }
      this.#carry = '';
      start = nl + 1;
    }
    if (start < chunk.length && !this.#skipping) {
      this.#carry = start === 0 && this.#carry === '' ? chunk : this.#carry + chunk.slice(start);
      if (this.#carry.length > this.#maxLineChars) {
        this.#onTooLong(this.#carry.slice(0, 200));
        this.#carry = '';
        this.#skipping = true;
      }
    }
  }

  /** The stream ended: a last line without '\n' still counts, as in Maelstrom's line reader. */
  end(): void {
    if (this.#carry !== '' && !this.#skipping) this.#emit(this.#carry);
    this.#carry = '';
    this.#skipping = false;
  }

  #emit(line: string): void {
    if (line.length > this.#maxLineChars) {
      this.#onTooLong(line.slice(0, 200));
      return;
    }
    if (line.charCodeAt(line.length - 1) === 13 /* \r */) line = line.slice(0, -1);
    this.#onLine(line);
  }
}
