/**
 * Reading stored runs back: `history.jsonl` (one operation per line, the
 * shape of `types.ts`'s `Op`), `journal.jsonl` (for the net statistics) and
 * `test.json` (the options a run was made with). `eddy check` stands on
 * this, so a history recorded by eddy, or written by hand or by another
 * tool in the same format, can be checked again.
 *
 * Bad input is one sentence naming the file, the line and what was
 * expected (`HistoryFileError`); nothing is guessed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { NetStats, type NetResult } from './checker/net.js';
import { DEFAULT_OPTIONS, type TestOptions } from './options.js';
import type { JournalEvent, Op, OpType } from './types.js';

/** A stored file that cannot be read as what it should be. */
export class HistoryFileError extends Error {
  override readonly name = 'HistoryFileError';
}

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

/**
 * Parses a history file's text. Each non-blank line is a JSON object with
 * `process` (an integer, or "nemesis"), `type` (invoke, ok, fail, info),
 * `f` (a string) and `value`; `time` (ns), `index`, `error` and `final` are
 * optional (index defaults to the position, time to 0). A client
 * completion must follow an invocation by the same process.
 */
export function parseHistory(text: string, file: string): Op[] {
  const parser = new HistoryParser(file);
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    parser.line(text.slice(start, end));
    start = end + 1;
  }
  return parser.ops;
}

/** The line-by-line parser behind `parseHistory` and `readHistoryFile`. */
class HistoryParser {
  readonly ops: Op[] = [];
  readonly #file: string;
  readonly #open = new Map<number, Op>();
  readonly #invokedOnLine = new Map<Op, number>();
  #lineNo = 0;

  constructor(file: string) {
    this.#file = file;
  }

  line(text: string): void {
    const ops = this.ops;
    const open = this.#open;
    const invokedOnLine = this.#invokedOnLine;
    const lineNo = ++this.#lineNo;
    const line = text.trim();
    if (line === '') return;
    const where = `${this.#file}:${lineNo}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new HistoryFileError(`${where}: not JSON (${e instanceof Error ? e.message : String(e)}); expected one operation object per line, got ${clip(line)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new HistoryFileError(`${where}: expected an operation object like {"process": 0, "type": "invoke", "f": "read", "value": null}, got ${clip(line)}`);
    }
    const o = raw as Record<string, unknown>;
    const process = o['process'];
    if (!(process === 'nemesis' || (typeof process === 'number' && Number.isSafeInteger(process) && process >= 0))) {
      throw new HistoryFileError(`${where}: "process" must be a non-negative integer or "nemesis", got ${clip(JSON.stringify(process) ?? 'nothing')}`);
    }
    const type = o['type'];
    if (typeof type !== 'string' || !OP_TYPES.has(type)) {
      throw new HistoryFileError(`${where}: "type" must be one of invoke, ok, fail, info, got ${clip(JSON.stringify(type) ?? 'nothing')}`);
    }
    const f = o['f'];
    if (typeof f !== 'string' || f === '') throw new HistoryFileError(`${where}: "f" must be an operation name (a string), got ${clip(JSON.stringify(f) ?? 'nothing')}`);
    const time = o['time'] ?? 0;
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
      throw new HistoryFileError(`${where}: "time" must be a non-negative number of nanoseconds, got ${clip(JSON.stringify(time))}`);
    }
    if (!('value' in o)) throw new HistoryFileError(`${where}: the operation has no "value" (write "value": null when it has none)`);
    const op: Op = { index: ops.length, time, process, type: type as OpType, f, value: o['value'] };
    if (o['error'] !== undefined) op.error = o['error'];
    if (o['final'] === true) op.final = true;
    for (const k of Object.keys(o)) {
      if (!(k in op) && k !== 'index' && k !== 'final') (op as unknown as Record<string, unknown>)[k] = o[k];
    }
    if (typeof process === 'number') {
      const inv = open.get(process);
      if (type === 'invoke') {
        if (inv !== undefined) {
          throw new HistoryFileError(`${where}: process ${process} invokes ${f} while its ${inv.f} from line ${invokedOnLine.get(inv)} has not completed; a process does one operation at a time`);
        }
        invokedOnLine.set(op, lineNo);
        open.set(process, op);
      } else {
        if (inv === undefined) throw new HistoryFileError(`${where}: ${type === "fail" ? "a" : "an"} ${type} completion of ${f} by process ${process} with no invocation before it`);
        if (inv.f !== f) throw new HistoryFileError(`${where}: process ${process} completes ${f}, but its open invocation (line ${invokedOnLine.get(inv)}) is ${inv.f}`);
        open.delete(process);
      }
    }
    ops.push(op);
  }
}

/**
 * Calls `take` with each line of an open file, read in 1 MiB chunks (a
 * history of reads of large sets can be gigabytes: more than one string can
 * hold), decoding UTF-8 across chunk boundaries.
 */
function forEachLine(fd: number, take: (line: string) => void): void {
  const buf = Buffer.alloc(1 << 20);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = carry + decoder.write(buf.subarray(0, n));
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end));
      start = end + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry !== '') take(carry);
}

/** Reads and parses a history file, line by line. */
export function readHistoryFile(file: string): Op[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new HistoryFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const parser = new HistoryParser(file);
  try {
    forEachLine(fd, (l) => parser.line(l));
  } catch (e) {
    if (e instanceof HistoryFileError) throw e;
    throw new HistoryFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    fs.closeSync(fd);
  }
  return parser.ops;
}

/** The journal line prefix eddy's JournalWriter writes: read without parsing the whole message body. */
const JOURNAL_PREFIX = /^\{"type":"(send|recv)","time":[-\d.e+]+,"message":\{"id":(\d+),"src":("(?:[^"\\]|\\.)*"),"dest":("(?:[^"\\]|\\.)*")/;

/**
 * Maelstrom's net statistics from a journal file, as the runner computes
 * them live; null when the run has no journal. A line that is not a
 * journal event is one sentence naming file and line.
 */
export function netStatsFromJournal(file: string, opCount: number): NetResult | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  const stats = new NetStats();
  let lineNo = 0;
  const take = (line: string): void => {
    lineNo++;
    if (line === '') return;
    const m = JOURNAL_PREFIX.exec(line);
    let ev: JournalEvent;
    if (m !== null) {
      ev = { type: m[1] as 'send' | 'recv', time: 0, message: { id: Number(m[2]), src: JSON.parse(m[3]!) as string, dest: JSON.parse(m[4]!) as string, body: { type: '' } } };
    } else {
      try {
        ev = JSON.parse(line) as JournalEvent;
      } catch {
        // The last line of a run killed mid-write may be cut short: that is not a reason to refuse the rest.
        return;
      }
    }
    try {
      stats.add(ev);
    } catch (e) {
      throw new HistoryFileError(`${file}:${lineNo}: not a journal event (${e instanceof Error ? e.message : String(e)}): ${clip(line)}`);
    }
  };
  try {
    forEachLine(fd, take);
  } finally {
    fs.closeSync(fd);
  }
  return stats.result(opCount);
}

/** The options a stored run was made with, from its test.json (defaults for anything it lacks). */
export function optionsFromTestJson(file: string): TestOptions {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new HistoryFileError(`${file}: cannot be read as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new HistoryFileError(`${file}: expected the run's options as a JSON object`);
  const o = raw as Record<string, unknown>;
  const options: TestOptions = { ...DEFAULT_OPTIONS, bin: typeof o['bin'] === 'string' ? o['bin'] : '' } as TestOptions;
  for (const k of Object.keys(DEFAULT_OPTIONS) as (keyof TestOptions)[]) {
    if (o[k] !== undefined) (options as unknown as Record<string, unknown>)[k] = o[k];
  }
  return options;
}

/** A run directory's files. */
export function runFiles(dir: string): { history: string; journal: string; test: string; results: string } {
  return {
    history: path.join(dir, 'history.jsonl'),
    journal: path.join(dir, 'journal.jsonl'),
    test: path.join(dir, 'test.json'),
    results: path.join(dir, 'results.json'),
  };
}

function clip(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
