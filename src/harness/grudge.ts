/**
 * Network partitions as the partition nemesis draws them. A partition is a
 * *grudge*: a map from each destination node to the set of sources whose
 * messages it drops (the network checks it when a delivery loop takes a
 * message). `randomGrudge` picks one of the four partition kinds Jepsen's
 * combined partition nemesis offers Maelstrom (`one`, `minority-third`,
 * `majority`, `majorities-ring`) uniformly, and computes the grudge the way
 * `jepsen.nemesis` does; `describeGrudge` renders it as the completion value
 * Jepsen's partitioner records in the history, `["isolated", {dest: [src]}]`.
 * All randomness comes from the `Rng` passed in.
 */
import type { Rng } from './rng.js';

export type Grudge = Map<string, Set<string>>;

export type PartitionKind = 'one' | 'minority-third' | 'majority' | 'majorities-ring';

/** In Jepsen's order (`jepsen.nemesis.combined/partition-specs`); Maelstrom's db offers no primaries. */
export const PARTITION_KINDS: readonly PartitionKind[] = ['one', 'minority-third', 'majority', 'majorities-ring'];

/**
 * Draws a partition kind uniformly and computes its grudge over `nodes`.
 * The history records `kind` as the start-partition invocation's value and
 * `description` as its completion's value, as Jepsen does.
 */
export function randomGrudge(
  nodes: readonly string[],
  rng: Rng,
): { kind: PartitionKind; grudge: Grudge; description: unknown } {
  const kind = rng.pick(PARTITION_KINDS);
  const grudge = grudgeFor(kind, nodes, rng);
  return { kind, grudge, description: describeGrudge(grudge, nodes) };
}

/** The grudge for one partition kind (random choices drawn from `rng`). */
export function grudgeFor(kind: PartitionKind, nodes: readonly string[], rng: Rng): Grudge {
  switch (kind) {
    case 'one': {
      const loner = rng.pick(nodes);
      return completeGrudge([[loner], nodes.filter((node) => node !== loner)], nodes);
    }
    case 'minority-third': {
      // Jepsen's minority-third: the largest count strictly below a third of the cluster.
      const shuffled = rng.shuffle(nodes);
      const size = Math.floor((nodes.length - 1) / 3);
      return completeGrudge([shuffled.slice(0, size), shuffled.slice(size)], nodes);
    }
    case 'majority': {
      const shuffled = rng.shuffle(nodes);
      const size = Math.floor(nodes.length / 2);
      return completeGrudge([shuffled.slice(0, size), shuffled.slice(size)], nodes);
    }
    case 'majorities-ring':
      // Jepsen uses an exact ring up to five nodes and a randomized construction above that.
      return nodes.length <= 5 ? majoritiesRingPerfect(nodes, rng) : majoritiesRingStochastic(nodes, rng);
    default:
      throw new TypeError(`Expected a partition kind (one of ${PARTITION_KINDS.join(', ')}), got ${JSON.stringify(kind)}`);
  }
}

/**
 * No node hears anyone outside its own component. Every node of every
 * component gets an entry, even an empty one (a component spanning the whole
 * cluster drops nothing), like Jepsen's `complete-grudge`.
 */
export function completeGrudge(components: readonly (readonly string[])[], nodes: readonly string[]): Grudge {
  const universe = new Set(components.flat());
  const grudge: Grudge = new Map();
  for (const component of components) {
    const inside = new Set(component);
    const outside = new Set([...universe].filter((node) => !inside.has(node)));
    for (const node of component) grudge.set(node, outside);
  }
  return inOrder(grudge, nodes);
}

/** The smallest count strictly greater than half of `n`. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * Nodes in a random ring; each node hears the majority-sized window of the
 * ring centred on itself. The windows are all different, so no two nodes
 * see the same majority. For five nodes each hears its two ring neighbours.
 */
function majoritiesRingPerfect(nodes: readonly string[], rng: Rng): Grudge {
  const n = nodes.length;
  const m = majority(n);
  const ring = rng.shuffle(nodes);
  const grudge: Grudge = new Map();
  for (let start = 0; start < n; start++) {
    const window = Array.from({ length: m }, (_, k) => ring[(start + k) % n]!);
    const centre = window[Math.floor(m / 2)]!;
    grudge.set(centre, new Set(nodes.filter((node) => !window.includes(node))));
  }
  return inOrder(grudge, nodes);
}

/**
 * Builds an undirected "can hear" graph by repeatedly linking a
 * least-connected node (ties broken at random) to the least-connected node it
 * is not yet linked to, until every node hears a majority (itself included).
 * Exact rings do not exist for every size (seven nodes, say), so this trades
 * exactness for always finishing; the grudge is the complement of the graph,
 * hence symmetric.
 */
function majoritiesRingStochastic(nodes: readonly string[], rng: Rng): Grudge {
  const m = majority(nodes.length);
  const hears = new Map<string, Set<string>>(nodes.map((node) => [node, new Set([node])]));
  for (;;) {
    // Least-connected first; within a degree, a fresh random order each round.
    const byDegree = new Map<number, string[]>();
    for (const node of nodes) {
      const degree = hears.get(node)!.size;
      byDegree.set(degree, [...(byDegree.get(degree) ?? []), node]);
    }
    const order = [...byDegree.keys()].sort((a, b) => a - b).flatMap((degree) => rng.shuffle(byDegree.get(degree)!));
    const a = order[0]!;
    if (hears.get(a)!.size >= m) break;
    const b = order.find((node) => !hears.get(a)!.has(node))!;
    hears.get(a)!.add(b);
    hears.get(b)!.add(a);
  }
  const grudge: Grudge = new Map();
  for (const node of nodes) grudge.set(node, new Set(nodes.filter((other) => !hears.get(node)!.has(other))));
  return grudge;
}

/** A copy of `grudge` with keys and sources in node order, so histories read the same run to run. */
function inOrder(grudge: Grudge, nodes: readonly string[]): Grudge {
  const out: Grudge = new Map();
  for (const node of nodes) {
    const srcs = grudge.get(node);
    if (srcs !== undefined) out.set(node, new Set(nodes.filter((src) => srcs.has(src))));
  }
  return out;
}

/**
 * The value Jepsen's partitioner puts on a start-partition completion:
 * `["isolated", {dest: [sources...]}]`, destinations and sources in node order.
 */
export function describeGrudge(grudge: Grudge, nodes: readonly string[]): ['isolated', Record<string, string[]>] {
  const rank = new Map(nodes.map((node, i) => [node, i]));
  const byRank = (a: string, b: string): number => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0);
  const out: Record<string, string[]> = {};
  for (const dest of [...grudge.keys()].sort(byRank)) out[dest] = [...grudge.get(dest)!].sort(byRank);
  return ['isolated', out];
}
