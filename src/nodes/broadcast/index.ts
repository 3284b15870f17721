/**
 * The broadcast node (`bin/eddy-broadcast`): Maelstrom's broadcast workload
 * (`topology`, `broadcast`, `read`) on eddy's node library, with the
 * inter-server protocol of gossip.ts. This module owns only the client-facing
 * edge: validating requests, answering them at once, and handing
 * everything else to the `Gossip` engine once `init` has named the cluster.
 *
 * The offered topology is acknowledged and ignored: the profile's overlay
 * (direct fan-out or a hub star) is cheaper and more robust than a grid.
 * Options come from the arguments after `--` (see options.ts); a bad one
 * stops the node before it reads anything, with a message naming the flag.
 */

import { Node, RPCError, type NodeEnv } from '../../node/index.js';
import { Gossip, type WireEntry } from './gossip.js';
import { parseOptions, type BroadcastOptions } from './options.js';

export { parseOptions, profileOptions, OptionsError, PROFILES, type BroadcastOptions, type Profile } from './options.js';
export { Gossip, type GossipBody, type GossipPort } from './gossip.js';

/** The disk file holding every entry this node filed, one JSON `[origin, seq, value]` a line. */
const ENTRIES_FILE = 'broadcast-entries.jsonl';

/** The entries of a saved file; a line cut short by a kill mid-write is skipped. */
function parseEntries(text: string): WireEntry[] {
  const out: WireEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const e = JSON.parse(line) as unknown;
      if (Array.isArray(e) && e.length === 3) out.push(e as WireEntry);
    } catch {
      // not synced whole: it was never acknowledged either
    }
  }
  return out;
}

/** Each node's engine, for `gossipOf`; weak, so that a finished run's nodes go. */
const engines = new WeakMap<object, () => Gossip | null>();

/**
 * The Gossip engine behind a node `createNode` built (null before `init`,
 * or for anything else): what a simulation's probes use to look inside a
 * run, or to broadcast values the workload never would.
 */
export function gossipOf(node: unknown): Gossip | null {
  return typeof node === 'object' && node !== null ? (engines.get(node)?.() ?? null) : null;
}

export function createNode(env: NodeEnv, options?: BroadcastOptions): Node {
  const opts = options ?? parseOptions(env.args);
  const node = new Node({ transport: env.transport, clock: env.clock, random: env.random });
  let gossip: Gossip | null = null;
  engines.set(node, () => gossip);

  const disk = env.disk;
  node.onInit(() => {
    gossip = new Gossip(opts, node.nodeIds, node.nodeId, {
      send: (dest, body) => node.send(dest, body),
      now: () => node.clock.now(),
      setTimer: (delayMs, fn) => node.after(delayMs, fn),
      log: (line) => node.log(line),
      congested: () => node.congested,
      // With a disk (EDDY_NODE_DIR, or the simulator's), every entry is on it
      // and synced before this node acknowledges it or reports it in a vector,
      // so a killed node comes back knowing all it ever claimed to know.
      ...(disk === undefined
        ? {}
        : {
            persist: (entries: readonly WireEntry[]) => {
              disk.append(ENTRIES_FILE, entries.map((e) => JSON.stringify(e) + '\n').join(''));
              disk.sync(ENTRIES_FILE);
            },
          }),
    });
    if (disk !== undefined) {
      const saved = disk.read(ENTRIES_FILE);
      if (saved !== null) gossip.restore(parseEntries(saved));
    }
  });

  const engine = (type: string): Gossip => {
    if (gossip === null) throw RPCError.temporarilyUnavailable(`${type} before init`);
    return gossip;
  };

  node.on('topology', () => ({ type: 'topology_ok' }));
  node.on('broadcast', (req) => {
    if (!('message' in req.body)) {
      throw RPCError.malformedRequest('broadcast: expected field message (any JSON value), got nothing');
    }
    engine('broadcast').broadcast(req.body.message);
    return { type: 'broadcast_ok' };
  });
  node.on('read', () => ({ type: 'read_ok', messages: engine('read').read() }));
  node.on('gossip', (req) => {
    gossip?.receive(req.src, req.body);
  });
  return node;
}
