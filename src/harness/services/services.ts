/**
 * Maelstrom's four built-in services (`M:service.clj`, spec section 3):
 * `lin-kv`, `seq-kv`, `lww-kv` and `lin-tso`, each a state machine that
 * takes one request at a time and answers it, or answers nothing when it
 * does not know the request's type. Pure: no clock, no network; randomness
 * (seq-kv's stale states, lww-kv's replica choice) comes from an `Rng`
 * asked for only when a request needs it, so a run whose nodes never talk
 * to a service draws nothing for it.
 */
import type { Rng } from '../rng.js';
import type { Body } from '../types.js';
import { absent, applyKv, canonicalJson, isKvRequest, KvStore, LIN_RULES, LWW_RULES, type KvView } from './kv.js';

/** One service: answers a request from node `src` with a reply body, or null for no reply. */
export interface Service {
  readonly name: string;
  handle(src: string, body: Body): Body | null;
}

/** `lin-kv`: one store, each request applied atomically in the order handled. */
export class LinKv implements Service {
  readonly name = 'lin-kv';
  readonly #store = new KvStore();

  handle(_src: string, body: Body): Body | null {
    if (!isKvRequest(body.type)) return null;
    const { reply, change } = applyKv(this.#store, body, LIN_RULES);
    if (change !== null) this.#store.set(change.key, change.value);
    return reply;
  }
}

/** How many store states seq-kv keeps (Maelstrom's ring buffer of 32). */
export const SEQ_KV_STATES = 32;

/**
 * `seq-kv`: sequentially consistent. The last 32 store states are kept;
 * each node has the index of the newest state it has seen. A request is
 * tried on a state drawn uniformly from that index up to the newest; if it
 * changes nothing there (a read, a failed cas, a write of the value already
 * present) that answer stands and the node's index becomes the one drawn;
 * otherwise the request is applied to the newest state instead, its outcome
 * becomes a new state (even if that second try changed nothing), and the
 * node's index becomes the new newest.
 *
 * Maelstrom's quirk is kept: a node more than 31 states behind meets the
 * kept state whose index is congruent modulo 32 to the one drawn (the ring
 * buffer's modular `nth`), so its reads can go back in time.
 *
 * Kept as the newest store plus, for each of the 31 newer kept states, the
 * key its mutation changed and the value before: a stale state costs at
 * most 31 steps per read, never a copy of the store.
 */
export class SeqKv implements Service {
  readonly name = 'seq-kv';
  readonly #rng: () => Rng;
  readonly #newest = new KvStore();
  /** Index of the newest state. */
  #last = 0;
  /** Undo entries for states last-30 .. last (at most 31), oldest first: the change that made state `index` from `index - 1`. */
  readonly #undo: { index: number; key: string | null; before: unknown }[] = [];
  /** Node id -> index of the newest state that node has seen. */
  readonly #seen = new Map<string, number>();

  /** @param rng called on the first request that needs a draw (see the module comment). */
  constructor(rng: () => Rng) {
    this.#rng = rng;
  }

  handle(src: string, body: Body): Body | null {
    if (!isKvRequest(body.type)) return null;
    const seen = this.#seen.get(src) ?? 0;
    const drawn = seen + this.#rng().int(this.#last - seen + 1);
    const tried = applyKv(this.#view(this.#kept(drawn)), body, LIN_RULES);
    if (tried.change === null) {
      this.#seen.set(src, drawn);
      return tried.reply;
    }
    const applied = applyKv(this.#newest, body, LIN_RULES);
    this.#last++;
    if (applied.change === null) {
      this.#undo.push({ index: this.#last, key: null, before: absent });
    } else {
      this.#undo.push({ index: this.#last, key: applied.change.key, before: this.#newest.get(applied.change.key) });
      this.#newest.set(applied.change.key, applied.change.value);
    }
    if (this.#undo.length > SEQ_KV_STATES - 1) this.#undo.shift();
    this.#seen.set(src, this.#last);
    return applied.reply;
  }

  /** The index of the kept state a draw meets (itself, unless it is older than the oldest kept). */
  #kept(index: number): number {
    const oldest = Math.max(0, this.#last - (SEQ_KV_STATES - 1));
    if (index >= oldest) return index;
    return oldest + ((((index - oldest) % SEQ_KV_STATES) + SEQ_KV_STATES) % SEQ_KV_STATES);
  }

  #view(index: number): KvView {
    if (index === this.#last) return this.#newest;
    const undo = this.#undo;
    const newest = this.#newest;
    return {
      get(key: string): unknown {
        // The first change after `index` to this key holds the value the key had at `index`.
        for (const u of undo) if (u.index > index && u.key === key) return u.before;
        return newest.get(key);
      },
    };
  }
}

/**
 * `lww-kv` as Maelstrom really behaves (spec 3.5): two replicas that never
 * exchange state (the merge it computes is thrown away); every request goes
 * to one of them, chosen at random, and `cas` ignores
 * `create_if_not_exists`. Three draws per request, as Maelstrom's three
 * `rand-int`s (merge source, merge destination, replica).
 */
export class LwwKv implements Service {
  readonly name = 'lww-kv';
  readonly #rng: () => Rng;
  readonly #replicas = [new KvStore(), new KvStore()] as const;

  constructor(rng: () => Rng) {
    this.#rng = rng;
  }

  handle(_src: string, body: Body): Body | null {
    if (!isKvRequest(body.type)) return null;
    const rng = this.#rng();
    rng.int(2); // merge source
    rng.int(2); // merge destination
    const replica = this.#replicas[rng.int(2)]!;
    const { reply, change } = applyKv(replica, body, LWW_RULES);
    if (change !== null) replica.set(change.key, change.value);
    return reply;
  }
}

/** `lin-tso`: `ts` → `ts_ok {ts}` with 0, 1, 2, ... across all nodes. */
export class LinTso implements Service {
  readonly name = 'lin-tso';
  #next = 0;

  handle(_src: string, body: Body): Body | null {
    if (body.type !== 'ts') return null;
    return { type: 'ts_ok', ts: this.#next++ };
  }
}

/** The service names, in the order Maelstrom starts them (sorted). */
export const SERVICE_NAMES = ['lin-kv', 'lin-tso', 'lww-kv', 'seq-kv'] as const;

/**
 * A fresh set of the four services. `rng` derives each random service's
 * stream (forked by name, which draws nothing from `rng` itself), the first
 * time that service needs one.
 */
export function defaultServices(rng: Rng): Service[] {
  const lazy = (label: string): (() => Rng) => {
    let r: Rng | null = null;
    return () => (r ??= rng.fork(label));
  };
  return [new LinKv(), new LinTso(), new LwwKv(lazy('lww-kv')), new SeqKv(lazy('seq-kv'))];
}

export { canonicalJson };
