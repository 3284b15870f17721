/**
 * The records every part of the harness shares: messages on the simulated
 * network, journal events, and history operations. These are also the shapes
 * of the files a run writes (`journal.jsonl`, `history.jsonl`), so changing
 * one is a change to eddy's file format.
 */

/** A message body: a JSON object with a string `type`. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

/** A message as the network carries it: `id` is assigned by the network. */
export interface Envelope {
  /** Network-wide message id, 0, 1, 2, ... in send order. */
  id: number;
  src: string;
  dest: string;
  body: Body;
}

/**
 * One line of `journal.jsonl`. `drop` (eddy only) is a message that reached
 * a node that was dead at the time (`--nemesis kill`): it was never received.
 * Messages a partition drops stay sends only, as in Maelstrom.
 */
export interface JournalEvent {
  type: 'send' | 'recv' | 'drop';
  /** Nanoseconds since the test started. */
  time: number;
  message: Envelope;
}

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** One line of `history.jsonl`: an invocation or a completion. */
export interface Op {
  /** Position in the history, 0, 1, 2, ... */
  index: number;
  /** Nanoseconds since the test started. */
  time: number;
  /** The client process (an integer), or "nemesis". */
  process: number | 'nemesis';
  type: OpType;
  /** Operation name: "broadcast", "read", "echo", "start-partition", ... */
  f: string;
  value: unknown;
  /** Why an operation failed or is indeterminate (e.g. "timeout", or [code, text]). */
  error?: unknown;
  /** True on the final reads issued after the recovery wait. */
  final?: boolean;
}

/** True for client ids (`c` and digits: c0, c1, ...), false for server node ids and services (`lin-kv`, ...). */
export function isClientId(id: string): boolean {
  const n = id.length;
  if (n < 2 || id.charCodeAt(0) !== 99 /* 'c' */) return false;
  for (let i = 1; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The `test.json` key saying where history time 0 falls on the journal's
 * clock, in nanoseconds: history times count from the moment every node
 * answered `init` (Jepsen's relative time), journal times from the
 * harness's start. Absent when the run stopped before that moment.
 */
export const HISTORY_ORIGIN_KEY = 'history-origin-journal-ns';
