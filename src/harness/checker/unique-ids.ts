/**
 * Jepsen's `unique-ids` checker, as Maelstrom's unique-ids workload runs it
 * (spec 2.1): every acknowledged `generate` must have returned an id no
 * other acknowledged `generate` returned. Ids are any JSON values, compared
 * by value.
 *
 * Where Jepsen throws (ids of types Clojure cannot order against each
 * other, e.g. a string and a number), eddy still decides duplicates, gives
 * no `range`, and says which types were mixed under `mixed-types`.
 */
import type { Op } from '../types.js';
import { canonicalJson } from '../services/kv.js';
import type { Valid } from './set-full.js';

/** At most this many duplicated ids are listed (the most frequent), as Jepsen does. */
export const DUPLICATES_SHOWN = 48;

export interface UniqueIdsResult {
  'valid?': Valid;
  'attempted-count': number;
  'acknowledged-count': number;
  'duplicated-count': number;
  /** Id (as canonical JSON) -> how many acknowledged generates returned it; the 48 most frequent, sorted by id. */
  duplicated: Record<string, number>;
  /** [smallest, largest] acknowledged id; [null, null] when none; null when the ids' types cannot be ordered together. */
  range: [unknown, unknown] | null;
  /** Present when the ids mix types that have no common order (Maelstrom's checker crashes there): the types seen. */
  'mixed-types'?: string[];
}

/** The JSON type of an id, as far as ordering goes. */
function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Clojure's `compare` over parsed JSON: numbers numerically, strings by
 * UTF-16 code units, booleans false < true, arrays (vectors) by length and
 * then element by element. Returns null for a pair it cannot order.
 */
export function compareIds(a: unknown, b: unknown): number | null {
  const ka = kind(a);
  const kb = kind(b);
  if (ka !== kb) return null;
  switch (ka) {
    case 'number':
      return (a as number) - (b as number);
    case 'string':
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 'boolean':
      return Number(a) - Number(b);
    case 'array': {
      const xa = a as unknown[];
      const xb = b as unknown[];
      if (xa.length !== xb.length) return xa.length - xb.length;
      for (let i = 0; i < xa.length; i++) {
        const c = compareIds(xa[i], xb[i]);
        if (c === null) return null;
        if (c !== 0) return c;
      }
      return 0;
    }
    default:
      return null; // objects have no order
  }
}

export function checkUniqueIds(history: readonly Op[]): UniqueIdsResult {
  let attempted = 0;
  let acknowledged = 0;
  const counts = new Map<string, { id: unknown; n: number }>();
  const kinds = new Set<string>();
  let lo: unknown = undefined;
  let hi: unknown = undefined;
  let orderable = true;
  for (const op of history) {
    if (op.f !== 'generate' || op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      attempted++;
      continue;
    }
    if (op.type !== 'ok') continue;
    acknowledged++;
    const id = op.value;
    const key = canonicalJson(id);
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { id, n: 1 });
    else entry.n++;
    if (id === null) continue; // nil is skipped by the range
    kinds.add(kind(id));
    if (!orderable) continue;
    if (lo === undefined) {
      lo = id;
      hi = id;
      continue;
    }
    const cl = compareIds(id, lo);
    const ch = compareIds(id, hi);
    if (cl === null || ch === null) {
      orderable = false;
      continue;
    }
    if (cl < 0) lo = id;
    if (ch > 0) hi = id;
  }
  const dups = [...counts.values()].filter((e) => e.n > 1);
  const shown = dups
    .sort((a, b) => b.n - a.n)
    .slice(0, DUPLICATES_SHOWN)
    .sort((a, b) => (a.id === null ? -1 : b.id === null ? 1 : (compareIds(a.id, b.id) ?? (canonicalJson(a.id) < canonicalJson(b.id) ? -1 : 1))));
  const duplicated: Record<string, number> = {};
  for (const e of shown) duplicated[canonicalJson(e.id)] = e.n;
  const result: UniqueIdsResult = {
    'valid?': dups.length === 0,
    'attempted-count': attempted,
    'acknowledged-count': acknowledged,
    'duplicated-count': dups.length,
    duplicated,
    range: orderable ? [lo ?? null, hi ?? null] : null,
  };
  if (!orderable) result['mixed-types'] = [...kinds].sort();
  return result;
}
