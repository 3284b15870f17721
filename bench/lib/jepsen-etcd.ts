/**
 * A parser of the Jepsen etcd register logs that Porcupine tests against
 * (anishathalye/porcupine, test_data/jepsen/etcd_NNN.log, from
 * ahorn/linearizability-checker): one `jepsen.util` line per event,
 *
 *     INFO  jepsen.util - 3	:invoke	:cas	[3 0]
 *     INFO  jepsen.util - 3	:fail	:cas	[3 0]
 *     INFO  jepsen.util - 0	:ok	:read	2
 *     INFO  jepsen.util - 4	:info	:write	:timed-out
 *
 * into eddy's lin-kv history shape (src/harness/types.ts `Op`) on one key
 * (0): values are `[key, v]` pairs, a read's invocation `[0, null]`, a
 * cas's value `[0, [from, to]]`. The log has no clock, so an event's time
 * is its line number (ns): the order of the lines is the real-time order.
 *
 * Conventions are the checker's (src/harness/checker/linearizable.ts):
 * `:ok` completes an op; `:info` (a timed-out write or cas) is
 * indeterminate, as is an invocation the log never completes; `:fail`
 * (a cas whose precondition failed, a read that timed out) is kept in the
 * history and the checker drops it. A completion's value is the
 * invocation's, except a read's (the value read; `nil` is null).
 */
import type { Op } from '../../src/harness/types.js';

/** The key every op of these single-register logs is on. */
export const KEY = 0;

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;

function parseValue(f: string, text: string): unknown {
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const cas = /^\[\s*(-?\d+|nil)\s+(-?\d+|nil)\s*\]$/.exec(text);
  if (cas !== null) return [cas[1] === 'nil' ? null : Number(cas[1]), cas[2] === 'nil' ? null : Number(cas[2])];
  if (text.startsWith(':')) return text; // a keyword, e.g. :timed-out
  throw new Error(`unreadable ${f} value ${JSON.stringify(text)}`);
}

/**
 * Parses one log's text. Lines that are not `jepsen.util` op lines are
 * skipped only if they do not mention jepsen.util at all; a malformed op
 * line throws one sentence naming the file and line.
 */
export function parseJepsenEtcdLog(text: string, name = 'the log'): Op[] {
  const history: Op[] = [];
  const open = new Map<number, Op>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const where = `${name} line ${i + 1}`;
    const m = LINE.exec(line);
    if (m === null) {
      if (line.includes('jepsen.util')) throw new Error(`${where} is not a Jepsen op line (process, :invoke/:ok/:fail/:info, :read/:write/:cas, value): ${JSON.stringify(line)}.`);
      continue;
    }
    const process = Number(m[1]);
    const type = m[2] as Op['type'];
    const f = m[3]!;
    let raw: unknown;
    try {
      raw = parseValue(f, m[4]!);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}.`);
    }
    const base = { index: history.length, time: i + 1, process };
    if (type === 'invoke') {
      if (open.has(process)) throw new Error(`${where}: process ${process} invokes ${f} while its op at line ${open.get(process)!.time} is still open.`);
      if (f === 'cas' && !(Array.isArray(raw) && raw.length === 2)) throw new Error(`${where}: a cas invocation needs [from to], got ${JSON.stringify(m[4])}.`);
      const op: Op = { ...base, type, f, value: [KEY, f === 'read' ? null : raw] };
      open.set(process, op);
      history.push(op);
      continue;
    }
    const inv = open.get(process);
    if (inv === undefined) throw new Error(`${where}: process ${process} completes a ${f} it never invoked.`);
    if (inv.f !== f) throw new Error(`${where}: process ${process} completes a ${f} but invoked a ${inv.f} at line ${inv.time}.`);
    open.delete(process);
    const invValue = (inv.value as [number, unknown])[1];
    if (type === 'ok') {
      if (f === 'read' && typeof raw === 'string') throw new Error(`${where}: an ok read needs a value or nil, got ${raw}.`);
      history.push({ ...base, type, f, value: [KEY, f === 'read' ? raw : invValue] });
    } else {
      const op: Op = { ...base, type, f, value: [KEY, f === 'read' ? null : invValue] };
      if (typeof raw === 'string') op.error = raw.slice(1);
      history.push(op);
    }
  }
  return history;
}

/** The figures of a parsed history: operations (invocations), and how they ended. */
export function countOps(history: readonly Op[]): { ops: number; ok: number; fail: number; info: number; open: number } {
  let ops = 0;
  let ok = 0;
  let fail = 0;
  let info = 0;
  for (const op of history) {
    if (op.type === 'invoke') ops++;
    else if (op.type === 'ok') ok++;
    else if (op.type === 'fail') fail++;
    else info++;
  }
  return { ops, ok, fail, info, open: ops - ok - fail - info };
}
