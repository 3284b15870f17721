/**
 * The key-value store every KV service is made of (Maelstrom's
 * `PersistentKV`, `M:service.clj`): `read`, `write` and `cas` on keys and
 * values that are arbitrary JSON, compared by value. One store applies one
 * request; the services decide which store a request meets (one for
 * lin-kv, a stale one for seq-kv, one of two replicas for lww-kv).
 */
import type { Body } from '../types.js';

/** How `cas` treats a missing key: lin-kv and seq-kv honour `create_if_not_exists`; lww-kv ignores it. */
export interface KvRules {
  readonly createIfNotExists: boolean;
  /** lww-kv prints `from` in error 22 with Clojure's `str` (strings unquoted), the others with `pr-str`. */
  readonly fromUnquoted: boolean;
}

export const LIN_RULES: KvRules = { createIfNotExists: true, fromUnquoted: false };
export const LWW_RULES: KvRules = { createIfNotExists: false, fromUnquoted: true };

/** What a request does to a store: the reply, and the store's new entry for the key if it changes. */
export interface KvOutcome {
  readonly reply: Body;
  /** The key's canonical form and its new value, when the request changes the store. */
  readonly change: { readonly key: string; readonly value: unknown } | null;
}

/** A read-only view of a store: the value under a canonical key, or `absent`. */
export interface KvView {
  get(key: string): unknown;
}

/** Marks a key that does not exist (a stored `null` does exist). */
export const absent: unique symbol = Symbol('absent');

export const KEY_DOES_NOT_EXIST: Body = { type: 'error', code: 20, text: 'key does not exist' };

/** The KV request types; any other type gets no reply. */
export function isKvRequest(type: string): boolean {
  return type === 'read' || type === 'write' || type === 'cas';
}

/**
 * Applies one request to `store`. A write or cas that stores the value
 * already there is not a change (Maelstrom compares the states with `=`).
 */
export function applyKv(store: KvView, body: Body, rules: KvRules): KvOutcome {
  const key = canonicalJson(body['key'] ?? null);
  const current = store.get(key);
  switch (body.type) {
    case 'read':
      return { reply: current === absent ? KEY_DOES_NOT_EXIST : { type: 'read_ok', value: current }, change: null };
    case 'write': {
      const value = body['value'] ?? null;
      return { reply: { type: 'write_ok' }, change: current !== absent && jsonEqual(current, value) ? null : { key, value } };
    }
    case 'cas': {
      const from = body['from'] ?? null;
      const to = body['to'] ?? null;
      if (current === absent) {
        const create = rules.createIfNotExists && body['create_if_not_exists'] !== undefined && body['create_if_not_exists'] !== null && body['create_if_not_exists'] !== false;
        return create ? { reply: { type: 'cas_ok' }, change: { key, value: to } } : { reply: KEY_DOES_NOT_EXIST, change: null };
      }
      if (!jsonEqual(current, from)) {
        const shownFrom = rules.fromUnquoted ? clojureStr(from) : edn(from);
        return { reply: { type: 'error', code: 22, text: `current value ${edn(current)} is not ${shownFrom}` }, change: null };
      }
      return { reply: { type: 'cas_ok' }, change: jsonEqual(current, to) ? null : { key, value: to } };
    }
    default:
      throw new Error(`not a KV request: ${body.type}`);
  }
}

/** A plain mutable store (lin-kv's, and each lww-kv replica). */
export class KvStore implements KvView {
  readonly #m = new Map<string, unknown>();

  get(key: string): unknown {
    return this.#m.has(key) ? this.#m.get(key) : absent;
  }

  set(key: string, value: unknown): void {
    this.#m.set(key, value);
  }

  get size(): number {
    return this.#m.size;
  }
}

/** JSON with object keys sorted: equal JSON values give equal strings. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** Equality of JSON values (Clojure's `=` on parsed JSON: maps by content, lists in order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bs[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) if (!Object.prototype.hasOwnProperty.call(bo, k) || !jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * A JSON value as Clojure's `pr-str` prints what Maelstrom parsed it into
 * (object keys become keywords): `nil`, `"s"`, `[1 2]`, `{:a 1, :b 2}`.
 */
export function edn(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(edn).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .map((k) => `:${k} ${edn(o[k])}`)
    .join(', ')}}`;
}

/** Clojure's `str`: like `pr-str` but a string is itself and nil is empty. */
export function clojureStr(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return edn(v);
}
