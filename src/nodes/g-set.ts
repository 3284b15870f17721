/**
 * The g-set node (Maelstrom's CRDT chapter): a grow-only set replicated by
 * delta gossip with acknowledgements. Each node keeps, per peer, the
 * elements that peer has not acknowledged yet; every tick it sends each
 * peer its pending elements in one `gossip` message, and the peer's
 * `gossip_ok` names what it took. A message lost to a partition is simply
 * sent again at the next tick, so every element reaches every node once
 * the network heals; a quiet cluster sends nothing.
 *
 * Flags (after `--`, or EDDY_G_SET_ARGS for the real Maelstrom):
 *   --gossip-ms N   tick between gossip rounds (default 200)
 */
import { Node, type NodeEnv } from '../node/index.js';

export const USAGE = 'eddy-g-set [--gossip-ms N]';

export function parseArgs(args: readonly string[]): { gossipMs: number } {
  let gossipMs = 200;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--gossip-ms') {
      const v = Number(args[++i]);
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`--gossip-ms expects a positive number of milliseconds, got ${JSON.stringify(args[i])}`);
      gossipMs = v;
    } else {
      throw new Error(`Unknown flag ${JSON.stringify(a)}; usage: ${USAGE}`);
    }
  }
  return { gossipMs };
}

/** The disk file of the elements this node holds, one JSON value a line. */
const ELEMENTS_FILE = 'g-set-elements.jsonl';

// A protocol of its own: Maelstrom's typed `read` is broadcast's; here every body is a plain `Body`.
export function createNode(env: NodeEnv): Node<Record<never, never>> {
  const { gossipMs } = parseArgs(env.args);
  const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
  const elements = new Set<unknown>();
  /** Peer -> elements it has not acknowledged. */
  const pending = new Map<string, Set<unknown>>();

  // With a disk (`--nemesis kill`: EDDY_NODE_DIR, or the simulator's), every
  // new element is appended and synced before it is acknowledged; a restarted
  // node reads them back and offers all of them to every peer again.
  const disk = env.disk;
  const learn = (xs: readonly unknown[], from: string | null): void => {
    let fresh = '';
    for (const x of xs) {
      if (elements.has(x)) continue;
      elements.add(x);
      if (disk !== undefined) fresh += JSON.stringify(x) + '\n';
      for (const [peer, set] of pending) if (peer !== from) set.add(x);
    }
    if (disk !== undefined && fresh !== '') {
      disk.append(ELEMENTS_FILE, fresh);
      disk.sync(ELEMENTS_FILE);
    }
  };

  node.onInit(() => {
    for (const peer of node.nodeIds) if (peer !== node.nodeId) pending.set(peer, new Set());
    for (const line of (disk?.read(ELEMENTS_FILE) ?? '').split('\n')) {
      if (line === '') continue;
      try {
        const x = JSON.parse(line) as unknown;
        elements.add(x);
        for (const set of pending.values()) set.add(x);
      } catch {
        // a line cut short by a kill was never synced, so never acknowledged
      }
    }
    node.every(gossipMs, () => {
      for (const [peer, set] of pending) {
        if (set.size === 0) continue;
        node.send(peer, { type: 'gossip', elements: [...set] });
      }
    });
  });
  node.on('add', (req) => {
    learn([req.body['element']], null);
    return { type: 'add_ok' };
  });
  node.on('read', () => ({ type: 'read_ok', value: [...elements] }));
  node.on('gossip', (req) => {
    const xs = req.body['elements'];
    if (Array.isArray(xs)) learn(xs, req.src);
    node.send(req.src, { type: 'gossip_ok', elements: Array.isArray(xs) ? xs : [] });
  });
  node.on('gossip_ok', (req) => {
    const set = pending.get(req.src);
    const xs = req.body['elements'];
    if (set !== undefined && Array.isArray(xs)) for (const x of xs) set.delete(x);
  });
  return node;
}
