/**
 * The lin-kv node, simplest correct form: every read, write and cas is
 * handed to Maelstrom's linearizable `lin-kv` service and its answer (or
 * its error 20 / 22) passed back, so the node is exactly as linearizable as
 * the service and as available as the service is reachable (always: the
 * harness never partitions services). Cost: one service round trip per
 * operation. (A Raft-replicated store that needs no service is the plan for
 * this node's next profile; see the README.)
 */
import { KV, Node, RPCError, type NodeEnv } from '../node/index.js';

export const USAGE = 'eddy-lin-kv';

// A protocol of its own: Maelstrom's typed `read` is broadcast's; here every body is a plain `Body`.
export function createNode(env: NodeEnv): Node<Record<never, never>> {
  if (env.args.length > 0) throw new Error(`eddy-lin-kv takes no flags, got ${JSON.stringify(env.args)}; usage: ${USAGE}`);
  const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
  const kv = new KV<unknown, unknown>(node, 'lin-kv');
  // The service has no timeout of its own; ours is shorter than the client's (1 s at least).
  const opts = { timeoutMs: 800 };
  node.on('read', async (req) => ({ type: 'read_ok', value: await kv.read(req.body['key'], opts) }));
  node.on('write', async (req) => {
    await kv.write(req.body['key'], req.body['value'], opts);
    return { type: 'write_ok' };
  });
  node.on('cas', async (req) => {
    await kv.cas(req.body['key'], req.body['from'], req.body['to'], opts);
    return { type: 'cas_ok' };
  });
  return node;
}

export { RPCError };
