/**
 * What one broadcast node knows: every message it has seen, filed by the
 * node that first accepted it (its origin) and that origin's sequence
 * number, plus the de-duplicated set of values that `read` returns.
 *
 * Sequence numbers make "what does a peer lack?" a cheap question: a node's
 * knowledge is summarised by a vector of contiguous high-water marks, one
 * per origin (`have[o]` = every sequence number 1..have[o] of origin o is
 * here), and anything above a peer's mark is what it lacks. Values are
 * de-duplicated by a canonical JSON key, so `1`, `"1"` and `{"a":1,"b":2}`
 * vs `{"b":2,"a":1}` are told apart or merged as JSON equality says.
 */

/** One message as filed under its origin. */
export interface Entry {
  readonly value: unknown;
  /** When this node first held the entry (its clock), for repair patience. */
  readonly heldAtMs: number;
}

/**
 * A canonical JSON text for a value: object keys sorted, no whitespace.
 * Two values get the same key exactly when they are equal as JSON.
 */
export function canonicalKey(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON.stringify turns undefined into undefined; such values never come off the wire.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalKey(obj[k])}`).join(',')}}`;
}

export class MessageStore {
  /** Entries per origin, indexed by sequence number (dense from 1 up, with holes while gossip is behind). */
  readonly #logs: (Entry | undefined)[][];
  /** Contiguous high-water mark per origin. */
  readonly #have: number[];
  /** Highest sequence number held per origin (may sit above a hole). */
  readonly #max: number[];
  readonly #keys = new Set<string>();
  readonly #values: unknown[] = [];

  /** `originCount` = cluster size; origins are node indexes 0..originCount-1. */
  constructor(originCount: number) {
    this.#logs = Array.from({ length: originCount }, () => []);
    this.#have = new Array<number>(originCount).fill(0);
    this.#max = new Array<number>(originCount).fill(0);
  }

  get originCount(): number {
    return this.#have.length;
  }

  /** True if a value equal (as JSON) to `value` is already held. */
  contains(value: unknown): boolean {
    return this.#keys.has(canonicalKey(value));
  }

  /**
   * Files a new value under `origin` with the next sequence number, unless
   * an equal value is already held. Returns the sequence number, or null
   * for a duplicate.
   */
  originate(origin: number, value: unknown, nowMs: number): number | null {
    const key = canonicalKey(value);
    if (this.#keys.has(key)) return null;
    const seq = this.#max[origin]! + 1;
    this.#file(origin, seq, value, key, nowMs);
    return seq;
  }

  /** Files an entry learnt from a peer. Returns false if it was already held. */
  add(origin: number, seq: number, value: unknown, nowMs: number): boolean {
    if (this.#logs[origin]![seq] !== undefined) return false;
    this.#file(origin, seq, value, canonicalKey(value), nowMs);
    return true;
  }

  #file(origin: number, seq: number, value: unknown, key: string, nowMs: number): void {
    const log = this.#logs[origin]!;
    log[seq] = { value, heldAtMs: nowMs };
    if (seq > this.#max[origin]!) this.#max[origin] = seq;
    let have = this.#have[origin]!;
    while (log[have + 1] !== undefined) have++;
    this.#have[origin] = have;
    // The same value may enter at two origins at once; `read` still lists it once.
    if (!this.#keys.has(key)) {
      this.#keys.add(key);
      this.#values.push(value);
    }
  }

  get(origin: number, seq: number): Entry | undefined {
    return this.#logs[origin]![seq];
  }

  /** Contiguous high-water mark of `origin`. */
  have(origin: number): number {
    return this.#have[origin]!;
  }

  /** Highest sequence number held for `origin`. */
  max(origin: number): number {
    return this.#max[origin]!;
  }

  /** A copy of the contiguous high-water marks, indexed by origin. */
  vector(): number[] {
    return this.#have.slice();
  }

  /** Every distinct value held, each once, in the order first seen. */
  values(): unknown[] {
    return this.#values.slice();
  }

  get size(): number {
    return this.#values.length;
  }
}
