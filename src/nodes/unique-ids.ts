/**
 * The unique-ids node (Gossip Glomers challenge 2): answers `generate` at
 * once, with no messages to anyone, so it is totally available under any
 * partition. An id is `<node>-<boot>-<n>`: the node's id, a boot stamp
 * drawn when the process starts (wall-clock milliseconds in base 36 and 32
 * random bits, so a restarted process, which starts its counter over, still
 * never repeats an id of its earlier life), and a counter.
 */
import { Node, type NodeEnv } from '../node/index.js';

// A protocol of its own: Maelstrom's typed `read` is broadcast's; here every body is a plain `Body`.
export function createNode(env: NodeEnv): Node<Record<never, never>> {
  const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
  const boot = `${Date.now().toString(36)}${Math.floor(node.random() * 0x1_0000_0000).toString(36).padStart(7, '0')}`;
  let n = 0;
  node.on('generate', () => ({ type: 'generate_ok', id: `${node.nodeId}-${boot}-${(n++).toString(36)}` }));
  return node;
}
