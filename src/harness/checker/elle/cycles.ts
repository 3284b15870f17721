/**
 * Cycle search over the dependency graph, per strongly connected component,
 * as Elle's `txn.clj` does it: first the cheap *cycle-exists* probes (does
 * the subgraph a model must keep acyclic have a non-trivial component?),
 * then a targeted search for each cycle type, worst first, skipping types a
 * found cycle already implies or the probes proved impossible.
 *
 * A targeted search enumerates the edges of the kind the type requires
 * (ww for G0, wr for G1c, rw for the anti-dependency types, the process or
 * realtime edge for the variants) as the cycle's first edge, and runs a
 * breadth-first search back to its source over (vertex, state) pairs, the
 * state counting rw edges and remembering whether the last one was rw. The
 * first edge's BFS finds the shortest cycle through it; later BFSs are cut
 * at the best length found so far, so the cycle reported is the shortest of
 * its type in the component unless the budget ran out first.
 *
 * The budget is counted in edge visits (20,000 per millisecond of
 * `budgetMs`, roughly what one core does), so a search's outcome does not
 * depend on the machine's load. Running out with nothing found for a type
 * gives Elle's `cycle-search-timeout` plus a fallback cycle from the
 * component.
 */
import { Graph, PROCESS, REALTIME, RW, WR, WW, tarjan } from './graph.js';
import { impossibleModels, impliedAnomalies, prohibitedAnomalies, friendlyModel } from './models.js';

/** One edge of a found cycle: from cycle[i] to cycle[i+1] (wrapping), with the kind used. */
export interface CycleEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: number;
}

export interface FoundCycle {
  readonly type: string;
  readonly edges: readonly CycleEdge[];
}

export interface CycleExists {
  readonly type: string;
  readonly model: string;
  readonly not: string;
  readonly subgraph: unknown;
  readonly vertices: readonly number[];
}

export interface Timeout {
  readonly type: 'cycle-search-timeout';
  readonly 'anomaly-spec-type': string;
  readonly 'does-not-contain': readonly string[];
  readonly 'scc-size': number;
}

export interface CycleSearchResult {
  readonly cycles: FoundCycle[];
  readonly exists: CycleExists[];
  readonly timeouts: Timeout[];
  /** Component sizes, largest first. */
  readonly sccSizes: number[];
}

export const EDGES_PER_MS = 20_000;

/** Elle's classification of a cycle by its edge kinds. */
export function classify(kinds: readonly number[]): string {
  let rw = 0, wr = 0, ww = 0, rt = 0, proc = 0;
  let adj = false;
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i]!;
    if (k === RW) { rw++; if (kinds[(i + kinds.length - 1) % kinds.length] === RW) adj = true; }
    else if (k === WR) wr++;
    else if (k === WW) ww++;
    else if (k === REALTIME) rt++;
    else if (k === PROCESS) proc++;
  }
  if (kinds.length === 1 && rw === 1) adj = true;
  let base: string;
  if (rw === 1) base = 'G-single-item';
  else if (rw > 1) base = adj ? 'G2-item' : 'G-nonadjacent-item';
  else if (wr > 0) base = 'G1c';
  else if (ww > 0) base = 'G0';
  else base = 'G0'; // Only process/realtime edges cannot form a cycle: their order is acyclic.
  return base + (rt > 0 ? '-realtime' : proc > 0 ? '-process' : '');
}

// ---- cycle-exists probes -------------------------------------------------------------

interface ExistsSpec {
  readonly model: string;
  /** Edge kinds of the union; with `extend`, the union A in Elle's [:extension A B]. */
  readonly mask: number;
  /** B of [:extension A B]: edges of these kinds may follow one A edge. */
  readonly extend: number;
  readonly subgraph: unknown;
}

const EXISTS_SPECS: readonly ExistsSpec[] = [
  { model: 'PL-1', mask: WW, extend: 0, subgraph: ['ww'] },
  { model: 'PL-2', mask: WW | WR, extend: 0, subgraph: ['ww', 'wr'] },
  { model: 'PL-SI', mask: WW | WR, extend: RW, subgraph: ['extension', ['ww', 'wr'], ['rw']] },
  { model: 'PL-2.99', mask: WW | WR | RW, extend: 0, subgraph: ['ww', 'wr', 'rw'] },
  { model: 'PL-3', mask: WW | WR | RW, extend: 0, subgraph: ['ww', 'wr', 'rw'] },
  { model: 'strong-session-PL-1', mask: WW | PROCESS, extend: 0, subgraph: ['ww', 'process'] },
  { model: 'strong-session-PL-2', mask: WW | WR | PROCESS, extend: 0, subgraph: ['ww', 'wr', 'process'] },
  { model: 'strong-session-snapshot-isolation', mask: WW | WR | PROCESS, extend: RW, subgraph: ['extension', ['ww', 'wr', 'process'], ['rw']] },
  { model: 'strong-session-serializable', mask: WW | WR | RW | PROCESS, extend: 0, subgraph: ['ww', 'wr', 'rw', 'process'] },
  { model: 'strong-PL-1', mask: WW | REALTIME, extend: 0, subgraph: ['ww', 'realtime'] },
  { model: 'strong-PL-2', mask: WW | WR | REALTIME, extend: 0, subgraph: ['ww', 'wr', 'realtime'] },
  { model: 'strong-snapshot-isolation', mask: WW | WR | REALTIME, extend: RW, subgraph: ['extension', ['ww', 'wr', 'realtime'], ['rw']] },
  { model: 'PL-SS', mask: WW | WR | RW | REALTIME, extend: 0, subgraph: ['ww', 'wr', 'rw', 'realtime'] },
];

/** The members of the smallest non-trivial component of the spec's subgraph within the vertex set, or null. */
function smallestCycleComponent(g: Graph, member: Uint8Array, spec: ExistsSpec): number[] | null {
  if (spec.extend === 0) {
    const { comp, count, size } = tarjan(g, spec.mask, member);
    let best = -1;
    for (let c = 0; c < count; c++) if (size[c]! > 1 && (best === -1 || size[c]! < size[best]!)) best = c;
    if (best === -1) return null;
    const out: number[] = [];
    for (let v = 0; v < g.n; v++) if (comp[v] === best) out.push(v);
    return out;
  }
  // [:extension A B] = A ∪ A;B. Doubled graph: v0 = "free", v1 = "just took an A edge".
  // A: u0->w1, u1->w1; B: u1->w0; and w1->w0 (the walk may stop after the A edge).
  const n = g.n;
  const off = new Int32Array(2 * n + 1);
  const dst: number[] = [];
  const kind: number[] = [];
  for (let v = 0; v < 2 * n; v++) {
    off[v] = dst.length;
    const u = v >> 1;
    const layer = v & 1;
    if (member[u] === 0) continue;
    for (let p = g.off[u]!; p < g.off[u + 1]!; p++) {
      const w = g.dst[p]!;
      if (member[w] === 0) continue;
      const k = g.kind[p]!;
      if (k & spec.mask) { dst.push(2 * w + 1); kind.push(1); }
      if (layer === 1 && (k & spec.extend)) { dst.push(2 * w); kind.push(1); }
    }
    if (layer === 1) { dst.push(2 * u); kind.push(1); }
  }
  off[2 * n] = dst.length;
  const doubled = new Graph(2 * n, off, Int32Array.from(dst), Uint8Array.from(kind));
  const { comp, count } = tarjan(doubled, 1, null);
  const sizes = new Int32Array(count);
  const total = new Int32Array(count);
  for (let v = 0; v < 2 * n; v++) {
    if (member[v >> 1] === 0) continue;
    total[comp[v]!]!++;
    if ((v & 1) === 0) sizes[comp[v]!]!++;
  }
  let best = -1;
  for (let c = 0; c < count; c++) if (total[c]! > 1 && sizes[c]! > 0 && (best === -1 || sizes[c]! < sizes[best]!)) best = c;
  if (best === -1) return null;
  const out: number[] = [];
  for (let v = 0; v < n; v++) if (comp[2 * v] === best) out.push(v);
  return out;
}

function cycleExistsCases(g: Graph, member: Uint8Array): CycleExists[] {
  const out: CycleExists[] = [];
  const redundant = new Set<string>();
  for (const spec of EXISTS_SPECS) {
    if (redundant.has(spec.model)) continue;
    const vs = smallestCycleComponent(g, member, spec);
    if (vs === null) continue;
    out.push({ type: `${spec.model}-cycle-exists`, model: spec.model, not: friendlyModel(spec.model), subgraph: spec.subgraph, vertices: vs });
    for (const m of impossibleModels([`${spec.model}-cycle-exists`])) redundant.add(m);
  }
  return out;
}

// ---- targeted search ---------------------------------------------------------------------

type RwRule = 'none' | 'single' | 'nonadjacent' | 'adjacent';

interface CycleSpec {
  readonly type: string;
  /** Kinds the rest of the cycle may use. */
  readonly rest: number;
  /** Kind of the enumerated first edge. */
  readonly first: number;
  readonly rw: RwRule;
  readonly needWr: boolean;
  /** PROCESS or REALTIME for the variants, else 0. */
  readonly special: number;
}

const BASE: readonly { type: string; rest: number; first: number; rw: RwRule; needWr: boolean }[] = [
  { type: 'G0', rest: WW, first: WW, rw: 'none', needWr: false },
  { type: 'G1c', rest: WW | WR, first: WR, rw: 'none', needWr: true },
  { type: 'G-single-item', rest: WW | WR, first: RW, rw: 'single', needWr: false },
  { type: 'G-nonadjacent-item', rest: WW | WR | RW, first: RW, rw: 'nonadjacent', needWr: false },
  { type: 'G2-item', rest: WW | WR | RW, first: RW, rw: 'adjacent', needWr: false },
];

export const CYCLE_SPECS: readonly CycleSpec[] = [
  ...BASE.map((b) => ({ ...b, special: 0 })),
  ...BASE.map((b) => ({ ...b, type: `${b.type}-process`, rest: b.rest | PROCESS, first: b.first === RW ? RW : PROCESS, special: PROCESS })),
  ...BASE.map((b) => ({ ...b, type: `${b.type}-realtime`, rest: b.rest | REALTIME, first: b.first === RW ? RW : REALTIME, special: REALTIME })),
];

export const CYCLE_TYPES: ReadonlySet<string> = new Set(CYCLE_SPECS.map((s) => s.type));

// State flags: bits 0-1 rw count (0, 1, 2 = two or more), 2 last edge rw, 3 adjacent rw pair seen
// (rw types) or wr seen (G1c, which has no rw edges: the two never meet), 4 special edge seen.
const RW_COUNT = 3, LAST_RW = 4, ADJ = 8, WR_SEEN = 8, SPECIAL_SEEN = 16;
const STATES = 32;

function step(spec: CycleSpec, f: number, k: number): number {
  if (k === RW) {
    const c = f & RW_COUNT;
    if (spec.rw === 'none') return -1;
    if (spec.rw === 'single' && c >= 1) return -1;
    if (spec.rw === 'nonadjacent' && (f & LAST_RW)) return -1;
    return (f & ~RW_COUNT) | Math.min(c + 1, 2) | LAST_RW | (f & LAST_RW ? ADJ : 0);
  }
  let g = f & ~LAST_RW;
  if (k === WR && spec.needWr) g |= WR_SEEN;
  if (k === spec.special) g |= SPECIAL_SEEN;
  return g;
}

/** Whether a walk that started with `first` and is in state f may close. */
function accepts(spec: CycleSpec, f: number): boolean {
  if (spec.special !== 0 && !(f & SPECIAL_SEEN)) return false;
  if (spec.needWr && !(f & WR_SEEN)) return false;
  const c = f & RW_COUNT;
  const firstRw = spec.first === RW;
  switch (spec.rw) {
    case 'none': return true;
    case 'single': return c === 1;
    case 'nonadjacent': return c === 2 && !(firstRw && (f & LAST_RW));
    case 'adjacent': return c === 2 && ((f & ADJ) !== 0 || (firstRw && (f & LAST_RW) !== 0));
  }
}

class Budget {
  used = 0;
  constructor(readonly limit: number) {}
  get out(): boolean {
    return this.used > this.limit;
  }
}

/** Reusable BFS arrays for one component (local vertex numbering). */
class Searcher {
  readonly stamp: Int32Array;
  readonly parent: Int32Array;
  readonly via: Uint8Array;
  readonly depth: Int32Array;
  readonly queue: Int32Array;
  epoch = 0;

  constructor(readonly g: Graph, readonly local: Int32Array, readonly vertices: Int32Array, readonly budget: Budget) {
    const size = vertices.length * STATES;
    this.stamp = new Int32Array(size);
    this.parent = new Int32Array(size);
    this.via = new Uint8Array(size);
    this.depth = new Int32Array(size);
    this.queue = new Int32Array(size);
  }

  /**
   * Shortest cycle of the spec's type starting with edge u -> v of kind
   * `first` and shorter than `maxLen` edges, as a list of edges, or null.
   */
  through(spec: CycleSpec, u: number, v: number, maxLen: number): CycleEdge[] | null {
    const f0 = step(spec, 0, spec.first);
    if (f0 < 0) return null;
    const lu = this.local[u]!;
    if (v === u) return null;
    this.epoch++;
    const start = this.local[v]! * STATES + f0;
    this.stamp[start] = this.epoch;
    this.parent[start] = -1;
    this.depth[start] = 1;
    let head = 0, tail = 0;
    this.queue[tail++] = start;
    const g = this.g;
    while (head < tail) {
      const s = this.queue[head++]!;
      const d = this.depth[s]!;
      if (d + 1 > maxLen) break;
      const lx = (s / STATES) | 0;
      const f = s % STATES;
      const x = this.vertices[lx]!;
      const end = g.off[x + 1]!;
      this.budget.used += end - g.off[x]!;
      if (this.budget.out) return null;
      for (let p = g.off[x]!; p < end; p++) {
        const y = g.dst[p]!;
        const ly = this.local[y]!;
        if (ly < 0) continue;
        let ks = g.kind[p]! & (spec.rest | spec.first);
        while (ks !== 0) {
          const k = ks & -ks;
          ks &= ks - 1;
          if (!(k & spec.rest)) continue;
          const nf = step(spec, f, k);
          if (nf < 0) continue;
          if (ly === lu) {
            if (!accepts(spec, nf)) continue;
            const cycle = this.#path(s, spec.first, u, v, x, k);
            if (cycle !== null) return cycle;
            continue;
          }
          const ns = ly * STATES + nf;
          if (this.stamp[ns] === this.epoch) continue;
          this.stamp[ns] = this.epoch;
          this.parent[ns] = s;
          this.via[ns] = k;
          this.depth[ns] = d + 1;
          this.queue[tail++] = ns;
        }
      }
    }
    return null;
  }

  /** The edges of the walk u -first-> v ... x -k-> u, or null if it repeats a vertex (not a simple cycle). */
  #path(s: number, first: number, u: number, v: number, x: number, k: number): CycleEdge[] | null {
    const rev: CycleEdge[] = [{ from: x, to: u, kind: k }];
    let cur = s;
    while (this.parent[cur] !== -1) {
      const p = this.parent[cur]!;
      rev.push({ from: this.vertices[(p / STATES) | 0]!, to: this.vertices[(cur / STATES) | 0]!, kind: this.via[cur]! });
      cur = p;
    }
    rev.push({ from: u, to: v, kind: first });
    rev.reverse();
    const seen = new Set<number>();
    for (const e of rev) {
      if (seen.has(e.from)) return null;
      seen.add(e.from);
    }
    return rev;
  }
}

/** Finds the shortest cycle of the spec's type in the component, or 'timeout'. */
function searchType(s: Searcher, spec: CycleSpec, members: Uint8Array): CycleEdge[] | null | 'timeout' {
  const g = s.g;
  // Necessary condition: the first edge lies inside a non-trivial component of the allowed subgraph.
  const { comp } = tarjan(g, spec.rest | spec.first, members);
  let best: CycleEdge[] | null = null;
  for (const u of s.vertices) {
    for (let p = g.off[u]!; p < g.off[u + 1]!; p++) {
      if (!(g.kind[p]! & spec.first)) continue;
      const v = g.dst[p]!;
      if (members[v] === 0 || comp[v] !== comp[u]) continue;
      const found = s.through(spec, u, v, best === null ? Infinity : best.length - 1);
      if (s.budget.out) return best ?? 'timeout';
      if (found !== null) {
        best = found;
        if (best.length === 2) return best;
      }
    }
  }
  return best;
}

/** Any cycle in the component: the fallback Elle reports beside a timeout. */
function fallbackCycle(g: Graph, vertices: Int32Array, local: Int32Array): CycleEdge[] | null {
  const u = vertices[0]!;
  const parent = new Map<number, { from: number; kind: number }>();
  const queue = [u];
  for (let h = 0; h < queue.length; h++) {
    const x = queue[h]!;
    for (let p = g.off[x]!; p < g.off[x + 1]!; p++) {
      const y = g.dst[p]!;
      if (local[y]! < 0) continue;
      const k = g.kind[p]!;
      const kind = k & WW || k & WR || k & RW || k & PROCESS || k & REALTIME;
      if (y === u) {
        const rev: CycleEdge[] = [{ from: x, to: u, kind }];
        let cur = x;
        while (cur !== u) {
          const pr = parent.get(cur)!;
          rev.push({ from: pr.from, to: cur, kind: pr.kind });
          cur = pr.from;
        }
        return rev.reverse();
      }
      if (!parent.has(y) && y !== u) {
        parent.set(y, { from: x, kind });
        queue.push(y);
      }
    }
  }
  return null;
}

/** The component's own graph: its vertices renumbered by `local`, edges leaving it dropped. */
function subgraph(g: Graph, vs: readonly number[], local: Int32Array): Graph {
  const off = new Int32Array(vs.length + 1);
  const dst: number[] = [];
  const kind: number[] = [];
  for (let i = 0; i < vs.length; i++) {
    off[i] = dst.length;
    const v = vs[i]!;
    for (let p = g.off[v]!; p < g.off[v + 1]!; p++) {
      const w = local[g.dst[p]!]!;
      if (w >= 0) { dst.push(w); kind.push(g.kind[p]!); }
    }
  }
  off[vs.length] = dst.length;
  return new Graph(vs.length, off, Int32Array.from(dst), Uint8Array.from(kind));
}

/**
 * Every cycle anomaly in the graph. `budgetMs` bounds the targeted search in
 * each component.
 */
export function searchCycles(g: Graph, budgetMs: number): CycleSearchResult {
  const { comp, count, size } = tarjan(g, 0xff, null);
  const byComp: number[][] = [];
  for (let c = 0; c < count; c++) if (size[c]! > 1) byComp[c] = [];
  for (let v = 0; v < g.n; v++) byComp[comp[v]!]?.push(v);
  const cycles: FoundCycle[] = [];
  const exists: CycleExists[] = [];
  const timeouts: Timeout[] = [];
  const sccSizes: number[] = [];
  const local = new Int32Array(g.n).fill(-1);
  let hasProcess = false, hasRealtime = false;
  for (let p = 0; p < g.kind.length; p++) {
    if (g.kind[p]! & PROCESS) hasProcess = true;
    if (g.kind[p]! & REALTIME) hasRealtime = true;
  }
  for (const vs of byComp) {
    if (vs === undefined) continue;
    sccSizes.push(vs.length);
    // Work on the component alone, renumbered 0..m-1, so each step costs its size, not the history's.
    for (let i = 0; i < vs.length; i++) local[vs[i]!] = i;
    const sub = subgraph(g, vs, local);
    for (const v of vs) local[v] = -1;
    const all = new Uint8Array(sub.n).fill(1);
    const identity = new Int32Array(sub.n);
    for (let i = 0; i < sub.n; i++) identity[i] = i;
    const toGlobal = (e: CycleEdge): CycleEdge => ({ from: vs[e.from]!, to: vs[e.to]!, kind: e.kind });
    const found = cycleExistsCases(sub, all).map((e) => ({ ...e, vertices: e.vertices.map((v) => vs[v]!) }));
    exists.push(...found);
    // Cycle types the probes proved absent: those prohibited by models whose subgraph had no cycle.
    const impossible = impossibleModels(found.map((e) => e.type));
    const possible = EXISTS_SPECS.map((s) => s.model).filter((m) => !impossible.has(m));
    const skip = new Set([...prohibitedAnomalies(possible)].filter((a) => CYCLE_TYPES.has(a)));
    const budget = new Budget(budgetMs * EDGES_PER_MS);
    const searcher = new Searcher(sub, identity, identity, budget);
    const searched: string[] = [];
    const foundTypes: string[] = [];
    for (const spec of CYCLE_SPECS) {
      if (skip.has(spec.type)) continue;
      if (spec.special === PROCESS && !hasProcess) continue;
      if (spec.special === REALTIME && !hasRealtime) continue;
      searched.push(spec.type);
      const r = searchType(searcher, spec, all);
      if (r === 'timeout') {
        timeouts.push({ type: 'cycle-search-timeout', 'anomaly-spec-type': spec.type, 'does-not-contain': searched.slice(0, -1).filter((t) => !foundTypes.includes(t)), 'scc-size': vs.length });
        const fb = fallbackCycle(sub, identity, identity);
        if (fb !== null) cycles.push({ type: classify(fb.map((e) => e.kind)), edges: fb.map(toGlobal) });
        break;
      }
      if (r !== null) {
        const type = classify(r.map((e) => e.kind));
        cycles.push({ type, edges: r.map(toGlobal) });
        foundTypes.push(type);
        for (const a of impliedAnomalies([type])) skip.add(a);
      }
    }
  }
  sccSizes.sort((a, b) => b - a);
  return { cycles, exists, timeouts, sccSizes };
}
