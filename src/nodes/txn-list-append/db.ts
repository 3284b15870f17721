/**
 * The database of eddy-txn-list-append, after Maelstrom's Datomic chapter
 * (doc/05-datomic): the state is a root map from key to the id of an
 * immutable thunk holding that key's whole list. Thunks live in `lww-kv`
 * under ids never reused, so any copy of one that a read finds is the
 * right one (a read that finds none yet is retried: lww-kv's two replicas
 * never exchange state). The root map lives in `lin-kv` under one key and
 * only ever changes by compare-and-set, which is what makes transactions
 * serializable, and strictly so:
 *
 * - a batch of transactions that writes runs against the root it last
 *   knew, writes the new thunks, and CASes the root from that map to the
 *   new one; the CAS is the batch's moment of truth (if the root moved,
 *   the batch is run again from the new root, which nothing has seen);
 * - a batch that only reads takes the root with a linearizable `read`.
 *
 * "Or better" than the chapter: a node runs the transactions that arrive
 * while it is busy as one batch with one CAS (group commit), so its own
 * clients never conflict with each other; the root is kept inline in
 * lin-kv instead of behind one more thunk; thunks read once are cached.
 */
import { RPCError } from '../../node/index.js';

/** A micro-operation: ["r", k, null | list] or ["append", k, v]. */
export type Mop = [string, unknown, unknown];

/** The root map: key (as canonical text) → thunk id. */
export type Root = Record<string, string>;

/** What the database needs from the services (a Node's KV clients, or a fake in tests). */
export interface Services {
  /** lin-kv read of the root key; null when it does not exist. */
  readRoot(): Promise<Root | null>;
  /** lin-kv cas of the root key (creating it when `from` is null); false when the root was not `from`. */
  casRoot(from: Root | null, to: Root): Promise<boolean>;
  /** lww-kv read of a thunk; undefined when this replica has none (yet). */
  readThunk(id: string): Promise<unknown[] | undefined>;
  writeThunk(id: string, list: unknown[]): Promise<void>;
  /** Waits `ms` on the node's clock (the back-off after a lost CAS). */
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), from the node's random source. */
  random(): number;
}

export interface DbOptions {
  /** Runs of a batch before its transactions fail with txn-conflict (30). @default 30 */
  maxAttempts: number;
  /**
   * After the n-th lost CAS in a row a batch waits a uniform random time up
   * to min(2^n × this, 50 × this) before running again: the node that
   * just won holds every thunk it needs in its cache and would otherwise
   * win every race. @default 5
   */
  backoffMs: number;
  /** Reads of a thunk that keep finding nothing before the batch fails with crash (13). @default 40 */
  maxThunkReads: number;
  /** Most transactions in one batch. @default 64 */
  maxBatch: number;
  /** Thunks kept in the cache before it is cleared. @default 100000 */
  cacheMax: number;
}

export const DB_DEFAULTS: DbOptions = { maxAttempts: 30, backoffMs: 5, maxThunkReads: 40, maxBatch: 64, cacheMax: 100_000 };

interface Pending {
  txn: Mop[];
  resolve(completed: Mop[]): void;
  reject(err: unknown): void;
}

/** A transaction's result as one batch run computed it. */
type Outcome = Mop[];

export class ListAppendDb {
  readonly #services: Services;
  readonly #opts: DbOptions;
  readonly #newId: () => string;
  readonly #queue: Pending[] = [];
  readonly #cache = new Map<string, unknown[]>();
  /** The root as of this node's last successful CAS or read; null: unknown (read it). */
  #root: Root | null | undefined = undefined;
  #busy = false;
  /** Figures for the node's log and tests. */
  readonly stats = { batches: 0, casConflicts: 0, thunkMisses: 0 };

  /** @param newId a fresh thunk id on every call, never reused by any node. */
  constructor(services: Services, newId: () => string, opts: Partial<DbOptions> = {}) {
    this.#services = services;
    this.#newId = newId;
    this.#opts = { ...DB_DEFAULTS, ...opts };
  }

  /** Runs a transaction; resolves with the completed micro-ops, rejects with an RPCError. */
  transact(txn: Mop[]): Promise<Mop[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ txn, resolve, reject });
      if (!this.#busy) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#opts.maxBatch);
        try {
          const outcomes = await this.#runBatch(batch.map((p) => p.txn));
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  async #runBatch(txns: readonly Mop[][]): Promise<Outcome[]> {
    this.stats.batches++;
    const writes = txns.some((t) => t.some((m) => m[0] !== 'r'));
    for (let attempt = 0; attempt < this.#opts.maxAttempts; attempt++) {
      // A read-only batch must see the root as it is now, not as this node last knew it.
      const root = writes && this.#root !== undefined ? this.#root : await this.#services.readRoot();
      this.#root = root;
      // Every list the batch touches, fetched at once (each a round trip or more: lww-kv may miss).
      const touched = [...new Set(txns.flatMap((t) => t.map((m) => keyOf(m[1]))))];
      const fetched = await Promise.all(touched.map((key) => (root?.[key] === undefined ? null : this.#thunk(root[key]!))));
      const lists = new Map<string, unknown[] | null>(touched.map((key, i) => [key, fetched[i]!]));
      const outcomes = txns.map((txn) => apply(txn, lists));
      if (!writes) return outcomes;
      const next: Root = { ...(root ?? {}) };
      const fresh: Array<[string, unknown[]]> = [];
      for (const [key, list] of lists) {
        if (list === null || (root !== null && root[key] !== undefined && this.#cache.get(root[key]!) === list)) continue;
        const id = this.#newId();
        next[key] = id;
        fresh.push([id, list]);
      }
      await Promise.all(fresh.map(([id, list]) => this.#services.writeThunk(id, list)));
      for (const [id, list] of fresh) this.#remember(id, list);
      if (await this.#services.casRoot(root, next)) {
        this.#root = next;
        return outcomes;
      }
      this.stats.casConflicts++;
      this.#root = undefined;
      await this.#services.sleep(this.#services.random() * this.#opts.backoffMs * Math.min(2 ** attempt, 50));
    }
    throw RPCError.txnConflict(`the root moved under this transaction ${this.#opts.maxAttempts} times in a row`);
  }

  async #thunk(id: string): Promise<unknown[]> {
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    for (let i = 0; i < this.#opts.maxThunkReads; i++) {
      const list = await this.#services.readThunk(id);
      if (list !== undefined) {
        this.#remember(id, list);
        return list;
      }
      this.stats.thunkMisses++;
    }
    throw RPCError.crash(`thunk ${id} was not found in lww-kv after ${this.#opts.maxThunkReads} reads`);
  }

  #remember(id: string, list: unknown[]): void {
    if (this.#cache.size >= this.#opts.cacheMax) this.#cache.clear();
    this.#cache.set(id, list);
  }
}

/** Keys are any JSON value; the root map is keyed by their JSON text. */
export function keyOf(k: unknown): string {
  return JSON.stringify(k);
}

/** Runs one transaction on the batch's lists so far (updated in place: appends replace a key's list with a longer copy). */
function apply(txn: readonly Mop[], lists: Map<string, unknown[] | null>): Outcome {
  const out: Outcome = [];
  for (const [f, k, v] of txn) {
    const key = keyOf(k);
    const list = lists.get(key) ?? null;
    if (f === 'r') {
      out.push(['r', k, list === null ? null : [...list]]);
    } else {
      lists.set(key, [...(list ?? []), v]);
      out.push([f, k, v]);
    }
  }
  return out;
}
