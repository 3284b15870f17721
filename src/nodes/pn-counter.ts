/**
 * The pn-counter node (Maelstrom's CRDT chapter): a state-based PN-counter.
 * Each node counts its own increments and decrements (P and N); the state
 * is the map node → [P, N], merged by taking the larger of each entry, and
 * the value is ΣP − ΣN. Every tick a node whose state changed since it last
 * heard back sends the whole state (two numbers per node) to each peer that
 * may lack it; merges are idempotent and commutative, so lost or repeated
 * messages do no harm and the replicas converge once the network heals.
 *
 * Flags: --gossip-ms N (default 200).
 */
import { Node, type NodeEnv } from '../node/index.js';
import { parseArgs } from './g-set.js';

export const USAGE = 'eddy-pn-counter [--gossip-ms N]';

/** The disk file of this node's counts, `{node: [p, n]}`. */
const COUNTS_FILE = 'pn-counter-counts.json';

// A protocol of its own: Maelstrom's typed `read` is broadcast's; here every body is a plain `Body`.
export function createNode(env: NodeEnv): Node<Record<never, never>> {
  const { gossipMs } = parseArgs(env.args);
  const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
  /** node id -> [increments, decrements] */
  const state = new Map<string, [number, number]>();
  /** Version of our state, bumped on every change; per peer, the version it confirmed. */
  let version = 0;
  const confirmed = new Map<string, number>();

  const value = (): number => {
    let v = 0;
    for (const [p, n] of state.values()) v += p - n;
    return v;
  };
  const merge = (other: unknown): boolean => {
    if (typeof other !== 'object' || other === null) return false;
    let changed = false;
    for (const [id, pn] of Object.entries(other as Record<string, unknown>)) {
      if (!Array.isArray(pn) || typeof pn[0] !== 'number' || typeof pn[1] !== 'number') continue;
      const mine = state.get(id) ?? [0, 0];
      const next: [number, number] = [Math.max(mine[0], pn[0]), Math.max(mine[1], pn[1])];
      if (next[0] !== mine[0] || next[1] !== mine[1]) {
        state.set(id, next);
        changed = true;
      }
    }
    return changed;
  };

  /** True when `other` holds at least our count in every entry (so after merging it equals our state). */
  const covers = (other: unknown): boolean => {
    if (typeof other !== 'object' || other === null) return false;
    const theirs = other as Record<string, unknown>;
    for (const [id, [p, n]] of state) {
      const pn = theirs[id];
      if (!Array.isArray(pn) || !(typeof pn[0] === 'number' && pn[0] >= p) || !(typeof pn[1] === 'number' && pn[1] >= n)) return false;
    }
    return true;
  };

  // With a disk (`--nemesis kill`: EDDY_NODE_DIR, or the simulator's), the
  // counts are written and synced whenever they change, before any reply; a
  // restarted node merges them back and offers them to every peer again.
  const disk = env.disk;
  const save = (): void => {
    if (disk === undefined) return;
    disk.write(COUNTS_FILE, JSON.stringify(Object.fromEntries(state)));
    disk.sync(COUNTS_FILE);
  };

  node.onInit(() => {
    for (const peer of node.nodeIds) if (peer !== node.nodeId) confirmed.set(peer, 0);
    const saved = disk?.read(COUNTS_FILE) ?? null;
    if (saved !== null) {
      try {
        if (merge(JSON.parse(saved) as unknown)) version++;
      } catch {
        // never synced whole, so never acknowledged
      }
    }
    node.every(gossipMs, () => {
      if (version === 0) return;
      const body = { type: 'state', counts: Object.fromEntries(state), version };
      for (const [peer, v] of confirmed) if (v < version) node.send(peer, body);
    });
  });
  node.on('add', (req) => {
    const delta = req.body['delta'];
    if (typeof delta !== 'number' || !Number.isInteger(delta)) return { type: 'error', code: 12, text: `add expects an integer delta, got ${JSON.stringify(delta)}` };
    const mine = state.get(node.nodeId) ?? [0, 0];
    state.set(node.nodeId, delta >= 0 ? [mine[0] + delta, mine[1]] : [mine[0], mine[1] - delta]);
    if (delta !== 0) {
      version++;
      save();
    }
    return { type: 'add_ok' };
  });
  node.on('read', () => ({ type: 'read_ok', value: value() }));
  node.on('state', (req) => {
    const counts = req.body['counts'];
    if (merge(counts)) {
      version++;
      save();
    }
    // When the sender's state covers ours, it has all we know: no need to send it back.
    if (covers(counts)) confirmed.set(req.src, version);
    node.send(req.src, { type: 'state_ok', version: req.body['version'] });
  });
  node.on('state_ok', (req) => {
    const v = req.body['version'];
    if (typeof v === 'number' && v > (confirmed.get(req.src) ?? 0)) confirmed.set(req.src, v);
  });
  return node;
}
