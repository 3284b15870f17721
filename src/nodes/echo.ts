/**
 * The echo node: answers every `echo` with `echo_ok` carrying the same
 * value. Maelstrom's first workload, and the node the library benchmark
 * drives, so it does nothing beyond that.
 */

import { Node, type NodeEnv } from '../node/index.js';

export function createNode(env: NodeEnv): Node {
  const node = new Node({ transport: env.transport, clock: env.clock, random: env.random });
  node.on('echo', (req) => ({ type: 'echo_ok', echo: req.body.echo }));
  return node;
}
