/**
 * The neighbour maps the broadcast workload offers to nodes in its one
 * `topology` message (`--topology`, default `grid`). Each function here
 * reproduces the layout of Maelstrom's `workload/broadcast.clj` for the same
 * node list, so a node tuned against eddy sees the same neighbours under
 * Maelstrom. Edge cases follow Maelstrom too: a one-node `line` is the empty
 * map (the node gets no entry at all), while a one-node grid, tree or total
 * maps the node to `[]`.
 */

export type TopologyName = 'grid' | 'line' | 'tree' | 'tree2' | 'tree3' | 'tree4' | 'total';

export const TOPOLOGY_NAMES: readonly TopologyName[] = ['grid', 'line', 'tree', 'tree2', 'tree3', 'tree4', 'total'];

/** A map from each node id to the ids of its neighbours, in Maelstrom's order. */
export type Topology = Record<string, string[]>;

/** True if `name` is one of `TOPOLOGY_NAMES` (for validating `--topology`). */
export function isTopologyName(name: string): name is TopologyName {
  return (TOPOLOGY_NAMES as readonly string[]).includes(name);
}

/** The neighbour map Maelstrom would send for `name` over `nodes` (in the test's node order). */
export function topology(name: TopologyName, nodes: readonly string[]): Topology {
  switch (name) {
    case 'grid':
      return gridTopology(nodes);
    case 'line':
      return lineTopology(nodes);
    case 'tree':
    case 'tree2':
      return treeTopology(2, nodes);
    case 'tree3':
      return treeTopology(3, nodes);
    case 'tree4':
      return treeTopology(4, nodes);
    case 'total':
      return totalTopology(nodes);
    default:
      throw new TypeError(`Expected a topology name (one of ${TOPOLOGY_NAMES.join(', ')}), got ${JSON.stringify(name)}`);
  }
}

/**
 * Nodes fill a square of side ceil(sqrt(n)) row by row; a node's neighbours
 * are the cells below, above, right and left of it, in that order, where a
 * node exists. The last row may be short, so "below" can be missing.
 */
export function gridTopology(nodes: readonly string[]): Topology {
  const n = nodes.length;
  const side = Math.ceil(Math.sqrt(n));
  const at = (row: number, col: number): string | undefined => {
    if (row < 0 || col < 0 || col >= side) return undefined;
    const k = row * side + col;
    return k < n ? nodes[k] : undefined;
  };
  const out: Topology = {};
  for (let k = 0; k < n; k++) {
    const row = Math.floor(k / side);
    const col = k % side;
    out[nodes[k]!] = [at(row + 1, col), at(row - 1, col), at(row, col + 1), at(row, col - 1)].filter(
      (x): x is string => x !== undefined,
    );
  }
  return out;
}

/** Each node hears its predecessor and successor; fewer than two nodes give no entries (as in Maelstrom). */
export function lineTopology(nodes: readonly string[]): Topology {
  const n = nodes.length;
  const out: Topology = {};
  if (n < 2) return out;
  for (let i = 0; i < n; i++) {
    const neighbours: string[] = [];
    if (i > 0) neighbours.push(nodes[i - 1]!);
    if (i < n - 1) neighbours.push(nodes[i + 1]!);
    out[nodes[i]!] = neighbours;
  }
  return out;
}

/** Every node hears every other node, in node order. */
export function totalTopology(nodes: readonly string[]): Topology {
  const out: Topology = {};
  for (const node of nodes) out[node] = nodes.filter((other) => other !== node);
  return out;
}

/**
 * A tree with branching factor `b`: nodes in order fill tiers of size 1, b,
 * b^2, ...; the children in each tier are handed out b at a time to the
 * parents of the tier above, in order. Neighbours are [parent, ...children]
 * (the root has children only).
 */
export function treeTopology(b: number, nodes: readonly string[]): Topology {
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`Expected a tree branching factor >= 1, got ${b}`);
  const tiers: string[][] = [];
  let rest = nodes.slice();
  for (let size = 1; rest.length > 0; size *= b) {
    tiers.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  const parentOf = new Map<string, string>();
  const childrenOf = new Map<string, string[]>();
  for (let t = 1; t < tiers.length; t++) {
    const parents = tiers[t - 1]!;
    const children = tiers[t]!;
    for (let j = 0; j * b < children.length && j < parents.length; j++) {
      const parent = parents[j]!;
      const chunk = children.slice(j * b, (j + 1) * b);
      childrenOf.set(parent, chunk);
      for (const child of chunk) parentOf.set(child, parent);
    }
  }
  const out: Topology = {};
  for (const node of nodes) {
    const parent = parentOf.get(node);
    const children = childrenOf.get(node) ?? [];
    out[node] = parent === undefined ? children.slice() : [parent, ...children];
  }
  return out;
}
