/**
 * The unique-ids node (Gossip Glomers challenge 2): answers `generate` at
 * once, with no messages to anyone, so it is totally available under any
 * partition. An id is `<node>-<boot>-<n>`: the node's id, a boot stamp,
 * and a counter kept in memory.
 *
 * The counter starts over when the process does (`--nemesis kill`), so the
 * boot stamp must differ from every earlier life's:
 * - with a disk (`env.disk`: EDDY_NODE_DIR under `eddy test`, the
 *   simulator's disk under `eddy sim`), it is an epoch read from the file
 *   `epoch`, incremented, written and synced before the node answers
 *   anything: `e1`, `e2`, ... A kill cannot lose a synced epoch.
 * - without one (e.g. under Maelstrom, which never restarts a node), it is
 *   the wall-clock milliseconds in base 36 and 32 random bits.
 */
import { Node, type NodeEnv } from '../node/index.js';

// A protocol of its own: Maelstrom's typed `read` is broadcast's; here every body is a plain `Body`.
export function createNode(env: NodeEnv): Node<Record<never, never>> {
  const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
  let boot: string;
  if (env.disk !== undefined) {
    const last = Number(env.disk.read('epoch') ?? '0');
    const epoch = (Number.isSafeInteger(last) && last >= 0 ? last : 0) + 1;
    env.disk.write('epoch', String(epoch));
    env.disk.sync('epoch');
    boot = `e${epoch.toString(36)}`;
  } else {
    boot = `${Date.now().toString(36)}${Math.floor(node.random() * 0x1_0000_0000).toString(36).padStart(7, '0')}`;
  }
  let n = 0;
  node.on('generate', () => ({ type: 'generate_ok', id: `${node.nodeId}-${boot}-${(n++).toString(36)}` }));
  return node;
}
