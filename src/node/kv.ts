/**
 * A client for Maelstrom's key-value services (`lin-kv`, `seq-kv`,
 * `lww-kv`): nodes that a workload provides alongside the user's nodes and
 * that answer `read`, `write` and `cas` over ordinary RPC. Errors come back
 * as `RPCError`s: 20 key-does-not-exist for a missing key, 22
 * precondition-failed when a compare-and-set's `from` does not match.
 */

import { RPCError } from './errors.js';
import type { RpcOptions } from './node.js';
import type { Body } from './protocol.js';

export type KVServiceName = 'lin-kv' | 'seq-kv' | 'lww-kv';

/** What the client needs from a node: any `Node` fits. */
export interface RpcCaller {
  rpc(dest: string, body: Body & { type: string }, options?: RpcOptions): Promise<Body>;
}

export interface CasOptions extends RpcOptions {
  /** Creates the key with value `to` if it does not exist yet, instead of failing with 20. @default false */
  createIfNotExists?: boolean;
}

/**
 * @typeParam K key type (Maelstrom's services accept any JSON value as a key)
 * @typeParam V value type; replies are not checked against it
 */
export class KV<K = string | number, V = unknown> {
  readonly service: string;
  readonly #node: RpcCaller;

  /** @param service the service's node id. @default "lin-kv" */
  constructor(node: RpcCaller, service: KVServiceName | (string & {}) = 'lin-kv') {
    this.#node = node;
    this.service = service;
  }

  /** The value under `key`; rejects with 20 key-does-not-exist if there is none. */
  async read(key: K, options?: RpcOptions): Promise<V> {
    const reply = await this.#node.rpc(this.service, { type: 'read', key }, options);
    this.#expect(reply, 'read_ok');
    if (!('value' in reply)) throw RPCError.crash(`${this.service} answered read without a value: ${JSON.stringify(reply)}`);
    return reply['value'] as V;
  }

  /** The value under `key`, or `fallback` if the key does not exist. */
  async readOr<D>(key: K, fallback: D, options?: RpcOptions): Promise<V | D> {
    try {
      return await this.read(key, options);
    } catch (err) {
      if (err instanceof RPCError && err.code === 20) return fallback;
      throw err;
    }
  }

  async write(key: K, value: V, options?: RpcOptions): Promise<void> {
    const reply = await this.#node.rpc(this.service, { type: 'write', key, value }, options);
    this.#expect(reply, 'write_ok');
  }

  /**
   * Sets `key` to `to` if it currently holds `from`; rejects with 22
   * precondition-failed if it holds something else, and with 20 if it does
   * not exist (unless `createIfNotExists`).
   */
  async cas(key: K, from: V, to: V, options: CasOptions = {}): Promise<void> {
    const { createIfNotExists = false, ...rpcOptions } = options;
    const body: Body = { type: 'cas', key, from, to };
    if (createIfNotExists) body['create_if_not_exists'] = true;
    const reply = await this.#node.rpc(this.service, body, rpcOptions);
    this.#expect(reply, 'cas_ok');
  }

  #expect(reply: Body, type: string): void {
    // A reply of the wrong type leaves us not knowing what happened: indefinite.
    if (reply.type !== type) {
      throw RPCError.crash(`${this.service} answered with ${JSON.stringify(reply.type)}, expected ${type}: ${JSON.stringify(reply).slice(0, 200)}`);
    }
  }
}
