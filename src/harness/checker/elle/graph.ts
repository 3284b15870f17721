/**
 * The transaction dependency graph: vertices are transaction ids, edges
 * carry a bit set of kinds (ww, wr, rw, process, realtime). Built from a
 * flat edge list into compressed adjacency arrays (no per-edge objects, so a
 * 100,000-transaction history stays in tens of megabytes), with Tarjan's
 * strongly connected components written as a loop over an explicit stack.
 */
import type { Txn } from './txn.js';

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;

export const KIND_NAMES: Readonly<Record<number, string>> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [PROCESS]: 'process', [REALTIME]: 'realtime' };

/** Collects edges (duplicates allowed: their kinds are merged when built). */
export class EdgeList {
  #src: number[] = [];
  #dst: number[] = [];
  #kind: number[] = [];

  add(a: number, b: number, kind: number): void {
    if (a === b) return;
    this.#src.push(a);
    this.#dst.push(b);
    this.#kind.push(kind);
  }

  get size(): number {
    return this.#src.length;
  }

  build(vertexCount: number): Graph {
    const n = vertexCount;
    const m = this.#src.length;
    const count = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) count[this.#src[i]! + 1]!++;
    for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
    const fill = count.slice(0, n);
    const dst = new Int32Array(m);
    const kind = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const p = fill[this.#src[i]!]!++;
      dst[p] = this.#dst[i]!;
      kind[p] = this.#kind[i]!;
    }
    // Merge parallel edges: sort each row by target, OR their kinds.
    const off = new Int32Array(n + 1);
    let w = 0;
    const seen = new Int32Array(n).fill(-1);
    for (let v = 0; v < n; v++) {
      off[v] = w;
      const start = w;
      for (let p = count[v]!; p < count[v + 1]!; p++) {
        const t = dst[p]!;
        const at = seen[t]!;
        if (at >= start) {
          kind[at] = kind[at]! | kind[p]!;
        } else {
          seen[t] = w;
          dst[w] = t;
          kind[w] = kind[p]!;
          w++;
        }
      }
    }
    off[n] = w;
    return new Graph(n, off, dst.slice(0, w), kind.slice(0, w));
  }
}

export class Graph {
  constructor(
    readonly n: number,
    /** Row offsets: the out-edges of v are off[v] .. off[v+1]-1. */
    readonly off: Int32Array,
    readonly dst: Int32Array,
    readonly kind: Uint8Array,
  ) {}

  get edgeCount(): number {
    return this.dst.length;
  }

  /** The kinds of the edge a -> b, 0 if none. */
  kinds(a: number, b: number): number {
    for (let p = this.off[a]!; p < this.off[a + 1]!; p++) if (this.dst[p] === b) return this.kind[p]!;
    return 0;
  }

  /** Vertices with at least one edge in or out. */
  touchedCount(): number {
    const t = new Uint8Array(this.n);
    for (let v = 0; v < this.n; v++) {
      if (this.off[v + 1]! > this.off[v]!) t[v] = 1;
    }
    for (let p = 0; p < this.dst.length; p++) t[this.dst[p]!] = 1;
    let c = 0;
    for (let v = 0; v < this.n; v++) c += t[v]!;
    return c;
  }
}

/**
 * Strongly connected components of the subgraph using only edges whose kinds
 * meet `mask`, restricted to vertices with `member[v]` set (all when null).
 * Returns comp[v] (-1 for non-members); ids come out in reverse topological
 * order (a component is numbered before any component that reaches it).
 * `count` is the number of components.
 */
export function tarjan(g: Graph, mask: number, member: Uint8Array | null): { comp: Int32Array; count: number; size: Int32Array } {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callV = new Int32Array(n);
  const callP = new Int32Array(n);
  let next = 0;
  let count = 0;
  const sizes: number[] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || (member !== null && member[root] === 0)) continue;
    let depth = 0;
    callV[0] = root;
    callP[0] = g.off[root]!;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callV[depth]!;
      let p = callP[depth]!;
      const end = g.off[v + 1]!;
      let descended = false;
      while (p < end) {
        const w = g.dst[p]!;
        const k = g.kind[p]!;
        p++;
        if ((k & mask) === 0 || (member !== null && member[w] === 0)) continue;
        if (index[w] === -1) {
          callP[depth] = p;
          depth++;
          callV[depth] = w;
          callP[depth] = g.off[w]!;
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          descended = true;
          break;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = count;
          size++;
        } while (w !== v);
        sizes.push(size);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const u = callV[depth]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  return { comp, count, size: Int32Array.from(sizes) };
}

/**
 * Realtime edges, transitively reduced as Elle's `realtime-graph`: an ok
 * transaction precedes every transaction invoked after it completed; each
 * invocation links from the current frontier (completed ops not yet
 * superseded by a later completion that they precede). Info transactions are
 * targets but never sources.
 */
export function addRealtimeEdges(txns: readonly Txn[], inGraph: (t: Txn) => boolean, edges: EdgeList): void {
  const events: { time: number; at: number; t: Txn; invoke: boolean }[] = [];
  for (const t of txns) {
    if (!inGraph(t)) continue;
    events.push({ time: t.invokeIndex, at: 0, t, invoke: true });
    if (t.type === 'ok') events.push({ time: t.op.index, at: 1, t, invoke: false });
  }
  events.sort((a, b) => a.time - b.time);
  let frontier: number[] = [];
  const preds = new Map<number, Set<number>>();
  for (const e of events) {
    if (e.invoke) {
      for (const f of frontier) edges.add(f, e.t.id, REALTIME);
      if (e.t.type === 'ok') preds.set(e.t.id, new Set(frontier));
    } else {
      const p = preds.get(e.t.id);
      preds.delete(e.t.id);
      frontier = frontier.filter((f) => p === undefined || !p.has(f));
      frontier.push(e.t.id);
    }
  }
}

/** Process edges: each ok transaction precedes the next ok transaction of its process. */
export function addProcessEdges(txns: readonly Txn[], edges: EdgeList): void {
  const last = new Map<number | 'nemesis', number>();
  const ordered = txns.filter((t) => t.type === 'ok').sort((a, b) => a.invokeIndex - b.invokeIndex);
  for (const t of ordered) {
    const prev = last.get(t.process);
    if (prev !== undefined) edges.add(prev, t.id, PROCESS);
    last.set(t.process, t.id);
  }
}
