/**
 * Reading a run directory for pictures: `history.jsonl`, `journal.jsonl`,
 * `results.json`, `test.json`. A run may have been aborted or may still be
 * going, so every reader here tolerates missing files, unparsable lines and
 * a truncated last line: it keeps what it can read and never throws.
 * Records are checked for the fields the pictures use; others are skipped.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { JournalEvent, Op } from '../harness/types.js';

/** Reads a JSON file; null when it is missing or not valid JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

/** A JSON object as a plain record, or null when it is something else. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Streams a JSON-lines file, calling `onRecord` for each parsed line until it
 * returns false or the file ends. Returns whether the end of the file was
 * reached. A missing file is an empty file. Reads in large chunks and splits
 * lines itself: node:readline's per-line async iteration costs more than the
 * JSON parsing on a 10,000-line journal. The first `skipLines` lines are
 * passed over undecoded and unparsed (the caller already holds them): a
 * newline byte never occurs inside a UTF-8 character, so they are found in
 * the raw bytes.
 */
export async function eachJsonLine(path: string, onRecord: (record: unknown) => boolean, skipLines = 0): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return true;
  }
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  // The start of a line cut by a chunk boundary, in pieces: only each new
  // chunk is searched for newlines, so a very long line costs linear time.
  let carry: string[] = [];
  let toSkip = skipLines;
  const emit = (line: string): boolean => {
    if (line.trim() === '') return true;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return true; // a truncated last line, or garbage: skip it
    }
    return onRecord(record);
  };
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      const bytes = buffer.subarray(0, bytesRead);
      let from = 0;
      while (toSkip > 0 && from < bytesRead) {
        const nl = bytes.indexOf(NEWLINE_BYTE, from);
        if (nl === -1) {
          from = bytesRead; // the skipped line goes on in the next chunk
        } else {
          from = nl + 1;
          toSkip -= 1;
        }
      }
      const text = bytesRead === 0 ? decoder.end() : decoder.write(bytes.subarray(from));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        const piece = text.slice(start, nl);
        const line = carry.length === 0 ? piece : carry.join('') + piece;
        carry = [];
        start = nl + 1;
        if (!emit(line)) return false;
      }
      if (start < text.length) carry.push(text.slice(start));
      if (bytesRead === 0) return emit(carry.join(''));
    }
  } catch {
    return true; // a read error part-way: keep what was read
  } finally {
    await handle.close();
  }
}

const CHUNK_BYTES = 1 << 20;
const NEWLINE_BYTE = 0x0a;

const OP_TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

/** The record as an `Op`, or null if it lacks what the pictures need. */
export function toOp(record: unknown): Op | null {
  const r = asRecord(record);
  if (r === null) return null;
  const { index, time, process, type, f } = r;
  if (typeof index !== 'number' || typeof time !== 'number' || typeof f !== 'string') return null;
  if (typeof type !== 'string' || !OP_TYPES.has(type)) return null;
  if (typeof process !== 'number' && process !== 'nemesis') return null;
  return r as unknown as Op;
}

/** The record as a `JournalEvent`, or null if it lacks what the pictures need. */
export function toJournalEvent(record: unknown): JournalEvent | null {
  const r = asRecord(record);
  if (r === null || (r.type !== 'send' && r.type !== 'recv') || typeof r.time !== 'number') return null;
  const m = asRecord(r.message);
  if (m === null || typeof m.id !== 'number' || typeof m.src !== 'string' || typeof m.dest !== 'string') return null;
  const body = asRecord(m.body);
  if (body === null || typeof body.type !== 'string') return null;
  return r as unknown as JournalEvent;
}

/** Reads the whole history; operations that cannot be read are skipped. */
export async function readHistory(dir: string): Promise<Op[]> {
  const ops: Op[] = [];
  await eachJsonLine(join(dir, 'history.jsonl'), (record) => {
    const op = toOp(record);
    if (op !== null) ops.push(op);
    return true;
  });
  return ops;
}

/** The first events of a journal, plus what is known of the sends among them that were not received in the window. */
export interface JournalWindow {
  events: JournalEvent[];
  /** True if the journal has more events than the window holds. */
  truncated: boolean;
  /** Ids of window sends that were received after the window ended. */
  receivedLater: Set<number>;
  /**
   * True if every window send was followed to its end: received, or the
   * journal ended without receiving it (dropped). False if the look-ahead
   * stopped first; then unreceived sends are only "in flight".
   */
  settled: boolean;
}

/**
 * Reads the first `limit` journal events (or takes `firstEvents`), then looks
 * ahead up to `lookAhead` more events for the receipt of window sends that
 * were not received within the window: only those never received before the
 * journal ends are dropped messages. `firstEvents`, when given, must be the
 * journal's first lines in order (the runner's JournalWriter keeps them):
 * those lines are then skipped unparsed.
 */
export async function readJournalWindow(
  dir: string,
  limit: number,
  lookAhead: number,
  firstEvents?: readonly JournalEvent[],
): Promise<JournalWindow> {
  const path = join(dir, 'journal.jsonl');
  const events: JournalEvent[] = [];
  if (firstEvents !== undefined) {
    for (const ev of firstEvents) {
      if (events.length >= limit) break;
      if (toJournalEvent(ev) !== null) events.push(ev);
    }
  }
  const pending = new Set<number>();
  const receivedLater = new Set<number>();
  const fromFile = firstEvents === undefined;
  let seen = 0; // valid events read from the file
  let truncated = firstEvents !== undefined && firstEvents.length > limit;
  if (!fromFile) markPending(events, pending);
  let lookedAhead = 0;
  // Lines the caller's firstEvents cover are not parsed again, only counted.
  const skipLines = fromFile ? 0 : events.length;
  seen = skipLines;
  const reachedEnd = await eachJsonLine(path, (record) => {
    const ev = toJournalEvent(record);
    if (ev === null) return true;
    seen += 1;
    if (fromFile && events.length < limit) {
      events.push(ev);
      if (events.length === limit) markPending(events, pending);
      return true;
    }
    if (seen <= events.length) return true; // the caller's firstEvents cover these
    truncated = true;
    if (pending.size === 0 || lookedAhead >= lookAhead) return false;
    lookedAhead += 1;
    if (ev.type === 'recv' && pending.delete(ev.message.id)) receivedLater.add(ev.message.id);
    return true;
  }, skipLines);
  // Without a journal file, the given events are all there is to know.
  const settled = reachedEnd || pending.size === 0;
  return { events, truncated, receivedLater, settled };
}

function markPending(events: readonly JournalEvent[], pending: Set<number>): void {
  for (const ev of events) {
    if (ev.type === 'send') pending.add(ev.message.id);
    else pending.delete(ev.message.id);
  }
}
