/**
 * eddy's Elle: the txn-list-append and txn-rw-register checkers (spec
 * §2.6-2.8). One entry point per data type; both run the data type's
 * analysis (non-cycle anomalies and dependency edges), add process or
 * realtime edges when the chosen models need them, search each strongly
 * connected component for cycles, and compose Elle's result map
 * (`valid?`, `anomaly-types`, `anomalies`, `not`, `also-not`).
 *
 * Faithful by default. `strict` changes three things, each eddy's and not
 * Maelstrom's: rw-register also infers versions from per-key sequential or
 * linearizable order when the models justify it; a cycle search that ran out
 * of budget makes the verdict unknown (Maelstrom's rw-register wrapper drops
 * it); and the strict result lists every finding as a sentence.
 */
import type { Op } from '../../types.js';
import type { CheckOutput, StrictResult } from '../../workloads/workload.js';
import type { Valid } from '../set-full.js';
import { opRef, type Analysis, type Step } from './analysis.js';
import { searchCycles, CYCLE_TYPES, type FoundCycle } from './cycles.js';
import { addProcessEdges, addRealtimeEdges, KIND_NAMES, PROCESS, REALTIME } from './graph.js';
import { analyseListAppend } from './list-append.js';
import { canonicalModel, friendlyBoundary, impliedModels, impossibleModels, MODEL_NAMES, prohibitedAnomalies } from './models.js';
import { analyseRwRegister } from './rw-register.js';
import { ElleInputError, txnsOf, type Txn } from './txn.js';
import { cycleSvg, cycleText } from './explain.js';

export { canonicalModel, MODEL_NAMES } from './models.js';
export { classify } from './cycles.js';

export interface ElleOptions {
  /** Models the history must satisfy, friendly or canonical (`--consistency-models`). */
  readonly consistencyModels: readonly string[];
  /** eddy's stricter checks (see the module comment). */
  readonly strict: boolean;
  /** Cycle search budget per strongly connected component, ms of work. @default 1000 (Elle's) */
  readonly budgetMs?: number;
}

/** One cycle anomaly as results.json carries it. */
export interface CycleAnomaly {
  type: string;
  cycle: Record<string, unknown>[];
  steps: Step[];
  explanation: string;
}

export interface ElleResult {
  'valid?': Valid;
  'anomaly-types'?: string[];
  /** Type -> anomalies (`empty-transaction-graph` -> true); null in a valid rw-register result, as Maelstrom writes it. */
  anomalies?: Record<string, unknown[]> | null;
  not?: string[];
  'also-not'?: string[];
  /** Why the checker could not analyse the history (Elle threw). */
  error?: string;
  [key: string]: unknown;
}

const UNKNOWN_TYPES = new Set(['empty-transaction-graph', 'cycle-search-timeout']);

function validateModels(models: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of models) {
    if (canonicalModel(m) === null) throw new Error(`unknown consistency model ${JSON.stringify(m)}; expected one of ${MODEL_NAMES.join(', ')}`);
    out.push(m);
  }
  return out;
}

/** Which extra graph the models need: realtime if any -realtime anomaly is reportable, else process if any -process one is. */
export function additionalGraph(models: readonly string[]): 'realtime' | 'process' | null {
  const p = prohibitedAnomalies(models);
  const types = [...CYCLE_TYPES];
  if (types.some((t) => t.endsWith('-realtime') && p.has(t))) return 'realtime';
  if (types.some((t) => t.endsWith('-process') && p.has(t))) return 'process';
  return null;
}

/** Elle list-append over a Maelstrom txn-list-append history. */
export function checkListAppend(history: readonly Op[], opts: ElleOptions): CheckOutput {
  return run(history, opts, 'list-append');
}

/** Elle rw-register (writes-follow-reads keys, Maelstrom's wrapper) over a txn-rw-register history. */
export function checkRwRegister(history: readonly Op[], opts: ElleOptions): CheckOutput {
  return run(history, opts, 'rw-register');
}

function run(history: readonly Op[], opts: ElleOptions, kind: 'list-append' | 'rw-register'): CheckOutput {
  const models = validateModels(opts.consistencyModels.length > 0 ? opts.consistencyModels : ['strict-serializable']);
  let analysis: Analysis;
  let txns: Txn[];
  try {
    txns = txnsOf(history);
    if (kind === 'list-append') analysis = analyseListAppend(txns);
    else {
      const implied = impliedModels(models);
      const linearizableKeys = opts.strict && implied.has('linearizable');
      const sequentialKeys = opts.strict && !linearizableKeys && (implied.has('sequential') || [...implied].some((m) => m.startsWith('strong-session')));
      analysis = analyseRwRegister(txns, { linearizableKeys, sequentialKeys });
    }
  } catch (e) {
    if (!(e instanceof ElleInputError)) throw e;
    const workload: ElleResult = { 'valid?': 'unknown', error: `${e.kind}: ${e.message}` };
    return { workload, strict: opts.strict ? { 'valid?': 'unknown', findings: [e.message] } : null };
  }
  const extra = additionalGraph(models);
  if (extra === 'realtime') addRealtimeEdges(txns, (t) => analysis.inGraph(t), analysis.edges);
  else if (extra === 'process') addProcessEdges(txns.filter((t) => analysis.inGraph(t)), analysis.edges);
  const graph = analysis.edges.build(txns.length);
  const search = searchCycles(graph, opts.budgetMs ?? 1000);

  // All anomalies found, by type.
  const found = new Map<string, unknown[]>();
  const push = (type: string, a: unknown): void => {
    const l = found.get(type);
    if (l === undefined) found.set(type, [a]);
    else l.push(a);
  };
  for (const [type, list] of analysis.anomalies) for (const a of list) push(type, a);
  // Elle records this one as `true`, not a list.
  if (graph.touchedCount() === 0) found.set('empty-transaction-graph', true as unknown as unknown[]);
  for (const e of search.exists) {
    push(e.type, { type: e.type, not: e.not, subgraph: e.subgraph, 'scc-size': e.vertices.length, scc: e.vertices.map((v) => txns[v]!.op.index).sort((a, b) => a - b) });
  }
  for (const c of search.cycles) push(c.type, explainCycle(analysis, c));
  for (const t of search.timeouts) push('cycle-search-timeout', t);

  const prohibited = prohibitedAnomalies(models);
  const reportable = new Map([...found].filter(([t]) => prohibited.has(t) || UNKNOWN_TYPES.has(t)));
  // Maelstrom's rw-register wrapper drops search timeouts (eddy's --strict keeps them).
  if (kind === 'rw-register' && !opts.strict) reportable.delete('cycle-search-timeout');
  // Redundant cycle-exists entries: models already ruled out by the other anomalies.
  const others = [...reportable.keys()].filter((t) => !t.endsWith('-cycle-exists'));
  const ruledOut = impossibleModels(others);
  for (const t of [...reportable.keys()]) {
    if (t.endsWith('-cycle-exists') && ruledOut.has(t.slice(0, -'-cycle-exists'.length))) reportable.delete(t);
  }

  let workload: ElleResult;
  if (reportable.size === 0) {
    workload = { 'valid?': true };
    // Maelstrom's rw-register wrapper adds these even when Elle found nothing.
    if (kind === 'rw-register') { workload['anomaly-types'] = []; workload.anomalies = null; }
  } else {
    const bad = [...reportable.keys()].some((t) => prohibited.has(t));
    const types = [...reportable.keys()].sort();
    const anomalies: Record<string, unknown[]> = {};
    for (const t of types) anomalies[t] = reportable.get(t)!;
    workload = { 'valid?': bad ? false : 'unknown', 'anomaly-types': types, anomalies, ...friendlyBoundary([...found.keys()].filter((t) => !UNKNOWN_TYPES.has(t))) };
    if (kind === 'rw-register' && !opts.strict) {
      // Maelstrom: valid? is "no anomaly types left", never unknown.
      workload['valid?'] = types.length === 0;
    }
  }
  workload['txn-count'] = txns.length;
  workload['scc-count'] = search.sccSizes.length;
  workload['largest-scc'] = search.sccSizes[0] ?? 0;

  let strict: StrictResult | null = null;
  if (opts.strict) {
    const findings: string[] = [];
    for (const [type, entry] of reportable) {
      for (const a of Array.isArray(entry) ? entry : [entry]) {
        const ex = (a as { explanation?: unknown }).explanation;
        const steps = (a as { steps?: Step[] }).steps;
        if (Array.isArray(steps)) findings.push(`${type}: ${steps.map((st, i) => `T${i + 1} < T${((i + 1) % steps.length) + 1} because ${st.explanation}`).join('; ')} (${(a as CycleAnomaly).cycle.map((o, i) => `T${i + 1} = op ${o['index']}, process ${o['process']}`).join('; ')})`);
        else if (typeof ex === 'string') findings.push(`${type}: ${ex.split('\n')[0]}`);
        else if (type === 'cycle-search-timeout') findings.push(`cycle-search-timeout: the search for ${(a as { 'anomaly-spec-type': string })['anomaly-spec-type']} in a component of ${(a as { 'scc-size': number })['scc-size']} transactions ran out of budget, so the history is not proven free of it`);
        else if (type === 'empty-transaction-graph') findings.push('empty-transaction-graph: no transaction depends on another, so nothing could be checked');
        else if (type.endsWith('-cycle-exists')) findings.push(`${type}: a cycle exists among ${(a as { 'scc-size': number })['scc-size']} transactions, so the history is not ${(a as { not: string }).not}`);
      }
    }
    strict = { 'valid?': workload['valid?'] === true ? true : workload['valid?'] === false ? false : 'unknown', findings };
  }
  return { workload, strict };
}

function explainCycle(analysis: Analysis, c: FoundCycle): CycleAnomaly {
  const names = new Map<number, string>();
  c.edges.forEach((e, i) => names.set(e.from, `T${i + 1}`));
  const txns = analysis.txns;
  const steps: Step[] = c.edges.map((e) => {
    const a = txns[e.from]!, b = txns[e.to]!;
    const an = names.get(e.from)!, bn = names.get(e.to)!;
    if (e.kind === PROCESS) return { type: 'process', explanation: `process ${a.process} executed ${an} (op ${a.op.index}) before ${bn} (op ${b.op.index})` };
    if (e.kind === REALTIME) return { type: 'realtime', explanation: `${an} completed (op ${a.op.index}) before ${bn} began (op ${b.invokeIndex})` };
    return analysis.explain(a, b, KIND_NAMES[e.kind] as 'ww' | 'wr' | 'rw', an, bn);
  });
  const cycle = c.edges.map((e) => opRef(txns[e.from]!));
  const anomaly: CycleAnomaly = { type: c.type, cycle, steps, explanation: '' };
  anomaly.explanation = cycleText(anomaly);
  return anomaly;
}

/** `elle/<type>.txt` with every anomaly of the type explained, and an SVG of each cycle. */
export function elleArtifacts(result: Record<string, unknown>): { file: string; title: string; text: string }[] {
  const anomalies = result['anomalies'];
  if (anomalies === null || typeof anomalies !== 'object') return [];
  const out: { file: string; title: string; text: string }[] = [];
  for (const [type, list] of Object.entries(anomalies as Record<string, unknown[]>)) {
    if (!Array.isArray(list)) continue;
    const texts = list.map((a) => {
      const ex = (a as { explanation?: unknown } | null)?.explanation;
      return typeof ex === 'string' ? ex : JSON.stringify(a, null, 1);
    });
    out.push({ file: `elle/${type}.txt`, title: `Elle: ${type} (${list.length})`, text: texts.join('\n\n') + '\n' });
    if (CYCLE_TYPES.has(type)) {
      list.forEach((a, i) => {
        const c = a as CycleAnomaly;
        if (!Array.isArray(c.steps)) return;
        out.push({ file: `elle/${type}-${i}.svg`, title: `Elle: ${type} cycle ${i + 1}`, text: cycleSvg(c) });
      });
    }
  }
  return out;
}
