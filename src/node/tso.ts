/**
 * A client for Maelstrom's `lin-tso` service, a timestamp oracle: each `ts`
 * request gets the next integer of one sequence shared by every node
 * (0, 1, 2, ...), linearizably. Handy for transaction ids and start/commit
 * timestamps.
 */

import { RPCError } from './errors.js';
import type { RpcCaller } from './kv.js';
import type { RpcOptions } from './node.js';

export class TSO {
  readonly service: string;
  readonly #node: RpcCaller;

  /** @param service the service's node id. @default "lin-tso" */
  constructor(node: RpcCaller, service: string = 'lin-tso') {
    this.#node = node;
    this.service = service;
  }

  /** The next timestamp: larger than every timestamp any node got before this call began. */
  async next(options?: RpcOptions): Promise<number> {
    const reply = await this.#node.rpc(this.service, { type: 'ts' }, options);
    const ts = reply['ts'];
    if (reply.type !== 'ts_ok' || typeof ts !== 'number' || !Number.isSafeInteger(ts)) {
      throw RPCError.crash(`${this.service} answered ts with ${JSON.stringify(reply).slice(0, 200)}, expected a ts_ok with an integer ts`);
    }
    return ts;
  }
}
