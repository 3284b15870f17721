/**
 * What a run tells the user on the way: notes (progress lines, `--log-*`
 * echoes) go to the output, clearing the progress line first; warnings are
 * printed once per key, and the first `MAX_WARNINGS` of them are kept for
 * results.json. `clip` shortens a node's line for quoting in a sentence.
 */
import type { Progress, ProgressOutput } from '../progress.js';
import { cutLine } from '../wire.js';

const MAX_WARNINGS = 50;
const LINE_QUOTE_CHARS = 200;

export class Warnings {
  readonly #out: ProgressOutput | null;
  readonly #list: string[] = [];
  readonly #warned = new Set<string>();
  #progress: Progress | null = null;

  /** Nothing is printed when `out` is null; warnings are still kept. */
  constructor(out: ProgressOutput | null) {
    this.#out = out;
  }

  /** The progress line that notes must not be written through. */
  set progress(p: Progress | null) {
    this.#progress = p;
  }

  /** Records a warning once per key, prints it, and keeps the first few for results.json. */
  warn(key: string, sentence: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    if (this.#list.length < MAX_WARNINGS) this.#list.push(sentence);
    this.note(`Warning: ${sentence}`);
  }

  note(line: string): void {
    if (this.#out === null) return;
    this.#progress?.clear();
    this.#out.write(line + '\n');
  }

  /** The warnings kept for results.json, in the order they were first given. */
  list(): string[] {
    return this.#list.slice();
  }
}

/** `s` cut to a length fit for quoting in a sentence, saying how long it was. */
export function clip(s: string): string {
  return s.length > LINE_QUOTE_CHARS ? `${cutLine(s, LINE_QUOTE_CHARS)} (${s.length} chars)` : s;
}
