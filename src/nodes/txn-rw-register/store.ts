/**
 * The register store of eddy-txn-rw-register: every node holds a full
 * copy, applies each transaction atomically and at once (total
 * availability), and merges the writes other nodes committed with
 * last-writer-wins by (Lamport timestamp, node index).
 *
 * Why this is read-committed (and more): a transaction exposes only its
 * final write of each key (no G1b), nothing ever aborts (no G1a), and every
 * dependency runs forward in timestamp order: a node that merges a write
 * moves its Lamport clock past it, so a transaction that read a value (wr)
 * or wrote after reading it (writes-follow-reads, ww) carries a larger
 * timestamp than the transaction it depends on, and a cycle of ww/wr edges
 * (G0, G1c) cannot close.
 */

/** A micro-operation as it travels: ["r", k, v] or ["w", k, v]. */
export type Mop = [string, unknown, unknown];

/** One committed transaction's writes, as they are gossiped: its final value per key. */
export interface Commit {
  /** Lamport timestamp of the transaction. */
  readonly ts: number;
  /** Index of the committing node in the cluster's node list (the tie-break). */
  readonly node: number;
  /** [key, value] pairs, one per key written. */
  readonly writes: readonly (readonly [unknown, unknown])[];
}

interface Version {
  value: unknown;
  ts: number;
  node: number;
}

export class RegisterStore {
  readonly #versions = new Map<string, Version>();
  readonly #nodeIndex: number;
  #clock = 0;

  /** @param nodeIndex this node's position in the node list, for tie-breaks. */
  constructor(nodeIndex: number) {
    this.#nodeIndex = nodeIndex;
  }

  /** The highest timestamp seen or issued. */
  get clock(): number {
    return this.#clock;
  }

  /** The value of `key`, or null when nothing was written to it. */
  read(key: unknown): unknown {
    return this.#versions.get(keyOf(key))?.value ?? null;
  }

  /**
   * Runs a transaction: reads see the store plus the transaction's own
   * earlier writes; the final write of each key is installed under one new
   * timestamp. Returns the completed micro-ops and the commit to gossip
   * (null when the transaction wrote nothing).
   */
  apply(txn: readonly Mop[]): { completed: Mop[]; commit: Commit | null } {
    const own = new Map<string, [unknown, unknown]>();
    const completed: Mop[] = [];
    for (const [f, k, v] of txn) {
      if (f === 'r') {
        const mine = own.get(keyOf(k));
        completed.push(['r', k, mine !== undefined ? mine[1] : this.read(k)]);
      } else {
        own.set(keyOf(k), [k, v]);
        completed.push([f, k, v]);
      }
    }
    if (own.size === 0) return { completed, commit: null };
    const commit: Commit = { ts: ++this.#clock, node: this.#nodeIndex, writes: [...own.values()] };
    this.merge(commit);
    return { completed, commit };
  }

  /** Installs a commit's writes where they are newer than what is held (idempotent, order-free). */
  merge(c: Commit): void {
    if (c.ts > this.#clock) this.#clock = c.ts;
    for (const [k, value] of c.writes) {
      const id = keyOf(k);
      const held = this.#versions.get(id);
      if (held === undefined || c.ts > held.ts || (c.ts === held.ts && c.node > held.node)) {
        this.#versions.set(id, { value, ts: c.ts, node: c.node });
      }
    }
  }
}

/** Keys are any JSON value; numbers and strings stay apart ("1" is not 1). */
function keyOf(k: unknown): string {
  return typeof k === 'string' ? 's' + k : JSON.stringify(k);
}
