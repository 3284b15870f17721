/**
 * Message statistics from the network journal, as Maelstrom's
 * `net/checker.clj` computes them: for all messages, for those with a client
 * at either end, and for those between servers, how many send events, how
 * many receive events, and how many distinct messages (a dropped message is
 * sent but never received; init and topology traffic counts too). The runner
 * feeds every journal event to `NetStats.add` as it happens, so nothing but
 * counters and one bit per message id is kept.
 *
 * `msgs-per-op` (all and servers only, and only when there was at least one
 * operation) divides the distinct messages by the number of client operation
 * invocations in the history, final reads included, nemesis excluded.
 */
import { isClientId, type JournalEvent, type Op } from '../types.js';

export interface NetGroupStats {
  'send-count': number;
  'recv-count': number;
  'msg-count': number;
  'msgs-per-op'?: number;
}

export interface NetResult {
  all: NetGroupStats;
  clients: NetGroupStats;
  servers: NetGroupStats;
}

interface Counters {
  send: number;
  recv: number;
  msgs: number;
}

export class NetStats {
  readonly #all: Counters = { send: 0, recv: 0, msgs: 0 };
  readonly #clients: Counters = { send: 0, recv: 0, msgs: 0 };
  readonly #servers: Counters = { send: 0, recv: 0, msgs: 0 };
  /** Message ids seen so far, one bit each: ids are dense (0, 1, 2, ...), as Maelstrom's bitset assumes. */
  #seen = new Uint8Array(1024);

  /** Counts one journal event. */
  add(ev: JournalEvent): void {
    // A message that reached a dead node (`--nemesis kill`) was sent and never received: nothing more to count.
    if (ev.type === 'drop') return;
    const { id, src, dest } = ev.message;
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`Expected a journal message id >= 0, got ${id}`);
    const group = isClientId(src) || isClientId(dest) ? this.#clients : this.#servers;
    if (ev.type === 'send') {
      this.#all.send++;
      group.send++;
    } else if (ev.type === 'recv') {
      this.#all.recv++;
      group.recv++;
    } else {
      throw new RangeError(`Expected a journal event type of send or recv, got ${JSON.stringify(ev.type)}`);
    }
    if (!this.#testAndSet(id)) {
      this.#all.msgs++;
      group.msgs++;
    }
  }

  /** The statistics so far; `opCount` is `countClientInvocations(history)`. */
  result(opCount: number): NetResult {
    const group = (c: Counters, perOp: boolean): NetGroupStats => {
      const out: NetGroupStats = { 'send-count': c.send, 'recv-count': c.recv, 'msg-count': c.msgs };
      if (perOp && opCount > 0) out['msgs-per-op'] = c.msgs / opCount;
      return out;
    };
    return { all: group(this.#all, true), clients: group(this.#clients, false), servers: group(this.#servers, true) };
  }

  #testAndSet(id: number): boolean {
    const byte = Math.floor(id / 8);
    if (byte >= this.#seen.length) {
      const grown = new Uint8Array(Math.max(this.#seen.length * 2, byte + 1));
      grown.set(this.#seen);
      this.#seen = grown;
    }
    const bit = 1 << id % 8;
    const was = (this.#seen[byte]! & bit) !== 0;
    this.#seen[byte]! |= bit;
    return was;
  }
}

/** Client operation invocations (final reads included, nemesis excluded): Maelstrom's msgs-per-op divisor. */
export function countClientInvocations(history: readonly Op[]): number {
  let n = 0;
  for (const op of history) if (op.type === 'invoke' && op.process !== 'nemesis') n++;
  return n;
}
