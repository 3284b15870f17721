/**
 * The consistency-model lattice as data, after Elle 0.2.2's
 * `consistency_model.clj` (spec Appendix A): model names (friendly and
 * canonical), which models imply which, which anomalies each model directly
 * prohibits, and which anomalies imply which. From these it answers the two
 * questions the checker asks: which anomalies make a run invalid for the
 * chosen models (`prohibitedAnomalies`), and which models a set of found
 * anomalies rules out (`friendlyBoundary`, Elle's `:not` / `:also-not`).
 *
 * Elle's own spelling quirks are kept: `G-single` implies `GSIb`, while
 * forward-consistent-view prohibits `G-SIb`, so neither reaches the other.
 */

/** Friendly or alternative name -> canonical name. */
const CANONICAL: Readonly<Record<string, string>> = {
  'consistent-view': 'PL-2+',
  'conflict-serializable': 'PL-3',
  'cursor-stability': 'PL-CS',
  'forward-consistent-view': 'PL-FCV',
  'monotonic-snapshot-read': 'PL-MSR',
  'monotonic-view': 'PL-2L',
  'read-committed': 'PL-2',
  'read-uncommitted': 'PL-1',
  'repeatable-read': 'PL-2.99',
  serializable: 'PL-3',
  'snapshot-isolation': 'PL-SI',
  'strict-serializable': 'PL-SS',
  'strong-serializable': 'PL-SS',
  'update-serializable': 'PL-3U',
  'strong-session-read-uncommitted': 'strong-session-PL-1',
  'strong-session-read-committed': 'strong-session-PL-2',
  'strong-read-uncommitted': 'strong-PL-1',
  'strong-read-committed': 'strong-PL-2',
};

/** Canonical name -> the name Elle prints. */
const FRIENDLY: Readonly<Record<string, string>> = {
  'PL-2+': 'consistent-view',
  'PL-3': 'serializable',
  'PL-CS': 'cursor-stability',
  'PL-FCV': 'forward-consistent-view',
  'PL-MSR': 'monotonic-snapshot-read',
  'PL-2L': 'monotonic-view',
  'PL-2': 'read-committed',
  'PL-1': 'read-uncommitted',
  'PL-2.99': 'repeatable-read',
  'PL-SI': 'snapshot-isolation',
  'PL-SS': 'strict-serializable',
  'PL-3U': 'update-serializable',
  'strong-session-PL-1': 'strong-session-read-uncommitted',
  'strong-session-PL-2': 'strong-session-read-committed',
  'strong-PL-1': 'strong-read-uncommitted',
  'strong-PL-2': 'strong-read-committed',
};

/** Every model name `--consistency-models` accepts (spec §2.8), friendly or canonical. */
export const MODEL_NAMES: readonly string[] = Object.freeze([
  '1SR', 'PL-1', 'PL-2', 'PL-2+', 'PL-2.99', 'PL-2L', 'PL-3', 'PL-3U', 'PL-CS', 'PL-FCV', 'PL-MSR', 'PL-SI', 'PL-SS',
  'PRAM', 'causal', 'causal-cerone', 'conflict-serializable', 'consistent-view', 'cursor-stability',
  'forward-consistent-view', 'linearizable', 'monotonic-atomic-view', 'monotonic-reads', 'monotonic-snapshot-read',
  'monotonic-view', 'monotonic-writes', 'parallel-snapshot-isolation', 'prefix', 'read-atomic', 'read-committed',
  'read-uncommitted', 'read-your-writes', 'repeatable-read', 'sequential', 'serializable', 'session-serializable',
  'snapshot-isolation', 'strict-serializable', 'strong-PL-1', 'strong-PL-2', 'strong-read-committed',
  'strong-read-uncommitted', 'strong-serializable', 'strong-session-PL-1', 'strong-session-PL-2',
  'strong-session-read-committed', 'strong-session-read-uncommitted', 'strong-session-serializable',
  'strong-session-snapshot-isolation', 'strong-snapshot-isolation', 'update-atomic', 'update-serializable',
  'view-serializable', 'writes-follow-reads',
]);

const MODEL_SET = new Set(MODEL_NAMES);

/** The canonical name of a model (friendly or canonical, as the spec lists them), or null if Elle knows no such model. */
export function canonicalModel(name: string): string | null {
  if (!MODEL_SET.has(name)) return null;
  return CANONICAL[name] ?? name;
}

/** The name Elle prints for a model (`PL-2` -> `read-committed`). */
export function friendlyModel(name: string): string {
  const c = CANONICAL[name] ?? name;
  return FRIENDLY[c] ?? c;
}

/** a -> models a implies, as Elle writes them (canonicalised when loaded). */
const MODEL_IMPLIES_RAW: Readonly<Record<string, readonly string[]>> = {
  'causal-cerone': ['read-atomic'],
  'consistent-view': ['cursor-stability', 'monotonic-view'],
  'conflict-serializable': ['view-serializable'],
  'cursor-stability': ['read-committed', 'PL-2'],
  'forward-consistent-view': ['consistent-view'],
  'PL-2': ['PL-1'],
  'PL-3': ['repeatable-read', 'update-serializable'],
  'update-serializable': ['forward-consistent-view'],
  'monotonic-atomic-view': ['read-committed'],
  'monotonic-view': ['PL-2'],
  'monotonic-snapshot-read': ['PL-2'],
  'parallel-snapshot-isolation': ['causal-cerone', 'update-atomic'],
  prefix: ['causal-cerone'],
  'read-atomic': ['monotonic-atomic-view'],
  'read-committed': ['read-uncommitted'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  'update-atomic': ['read-atomic'],
  serializable: ['repeatable-read', 'snapshot-isolation', 'view-serializable'],
  'session-serializable': ['1SR'],
  'snapshot-isolation': ['forward-consistent-view', 'monotonic-atomic-view', 'monotonic-snapshot-read', 'parallel-snapshot-isolation', 'prefix'],
  'strict-serializable': ['PL-3', 'serializable', 'linearizable', 'snapshot-isolation', 'strong-snapshot-isolation', 'strong-session-serializable'],
  'strong-session-PL-1': ['PL-1'],
  'strong-session-PL-2': ['PL-2', 'strong-session-PL-1'],
  'strong-PL-1': ['strong-session-PL-1'],
  'strong-PL-2': ['strong-session-PL-2', 'strong-PL-1'],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-PL-2'],
  'strong-serializable': ['session-serializable'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-PL-2'],
  linearizable: ['sequential'],
  sequential: ['causal'],
  causal: ['writes-follow-reads', 'PRAM'],
  PRAM: ['monotonic-reads', 'monotonic-writes', 'read-your-writes'],
};

/** Anomalies each model prohibits directly (before closure). */
const DIRECT_PROHIBITED_RAW: Readonly<Record<string, readonly string[]>> = {
  'causal-cerone': ['internal', 'G1a'],
  'cursor-stability': ['G1', 'G-cursor', 'lost-update'],
  'monotonic-view': ['G1', 'G-monotonic'],
  'monotonic-snapshot-read': ['G1', 'G-MSR'],
  'consistent-view': ['G1', 'G-single'],
  'forward-consistent-view': ['G1', 'G-SIb'],
  'parallel-snapshot-isolation': ['internal', 'G1a'],
  'PL-3': ['G1', 'G2', 'predicate-read-miss', 'PL-3-cycle-exists'],
  'PL-2': ['G1', 'PL-2-cycle-exists'],
  'PL-1': ['G0', 'duplicate-elements', 'cyclic-versions', 'PL-1-cycle-exists'],
  prefix: ['internal', 'G1a'],
  serializable: ['internal'],
  'snapshot-isolation': ['internal', 'G1', 'G-SI', 'G-nonadjacent', 'PL-SI-cycle-exists'],
  'read-atomic': ['internal', 'G1a', 'future-read'],
  'repeatable-read': ['G1', 'G2-item', 'PL-2.99-cycle-exists', 'lost-update'],
  'update-atomic': ['lost-update'],
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime', 'PL-SS-cycle-exists'],
  'strong-session-PL-1': ['strong-session-PL-1-cycle-exists', 'G0-process'],
  'strong-session-PL-2': ['strong-session-PL-2-cycle-exists', 'G1c-process'],
  'strong-PL-1': ['strong-PL-1-cycle-exists', 'G0-realtime'],
  'strong-PL-2': ['strong-PL-2-cycle-exists', 'G1c-realtime'],
  'strong-session-snapshot-isolation': ['internal', 'G1-process', 'G-nonadjacent-process', 'strong-session-snapshot-isolation-cycle-exists'],
  'strong-snapshot-isolation': ['internal', 'G1-realtime', 'G-nonadjacent-realtime', 'strong-snapshot-isolation-cycle-exists'],
  'strong-session-serializable': ['G1-process', 'G2-process', 'strong-session-serializable-cycle-exists'],
  'update-serializable': ['G1', 'G-update'],
};

/** a -> anomalies a implies (a history with a also has these). */
const ANOMALY_IMPLIES: Readonly<Record<string, readonly string[]>> = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': ['G-single-process', 'G-single-item-realtime', 'G-nonadjacent-item-process'],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': ['G-nonadjacent-process', 'G2-item-process', 'G-nonadjacent-item-realtime'],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  GSIa: ['GSI'],
  GSIb: ['GSI'],
  'incompatible-order': ['G1a'],
  'future-read': ['G1c'],
  'dirty-update': ['G1a'],
  'lost-update': ['write-skew', 'G2-item'],
  'write-skew': ['G2'],
};

function canon(name: string): string {
  return CANONICAL[name] ?? name;
}

/** Model implication with canonical names on both ends. */
const MODEL_IMPLIES: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const [a, bs] of Object.entries(MODEL_IMPLIES_RAW)) {
    const list = m.get(canon(a)) ?? [];
    for (const b of bs) if (!list.includes(canon(b))) list.push(canon(b));
    m.set(canon(a), list);
  }
  return m;
})();

const DIRECT_PROHIBITED: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const [a, bs] of Object.entries(DIRECT_PROHIBITED_RAW)) {
    const list = m.get(canon(a)) ?? [];
    for (const b of bs) if (!list.includes(b)) list.push(b);
    m.set(canon(a), list);
  }
  return m;
})();

/** Every model reachable from `start` along `edges` (start included). */
function closure(start: Iterable<string>, edges: ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>): Set<string> {
  const get = (x: string): readonly string[] =>
    edges instanceof Map ? (edges.get(x) ?? []) : ((edges as Record<string, readonly string[]>)[x] ?? []);
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const y of get(x)) if (!seen.has(y)) stack.push(y);
  }
  return seen;
}

const ALL_MODELS: readonly string[] = (() => {
  const s = new Set<string>();
  for (const n of MODEL_NAMES) s.add(canon(n));
  for (const [a, bs] of MODEL_IMPLIES) { s.add(a); for (const b of bs) s.add(b); }
  for (const a of DIRECT_PROHIBITED.keys()) s.add(a);
  return [...s].sort();
})();

const ALL_ANOMALIES: readonly string[] = (() => {
  const s = new Set<string>();
  for (const bs of DIRECT_PROHIBITED.values()) for (const b of bs) s.add(b);
  for (const [a, bs] of Object.entries(ANOMALY_IMPLIES)) { s.add(a); for (const b of bs) s.add(b); }
  return [...s];
})();

/** Every anomaly implied by the given ones (themselves included). */
export function impliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return closure(anomalies, ANOMALY_IMPLIES);
}

/** Every model the given ones imply (canonical names, themselves included). */
export function impliedModels(models: Iterable<string>): Set<string> {
  return closure([...models].map(canon), MODEL_IMPLIES);
}

/**
 * The anomalies that make a run invalid under the given models: every model
 * implied, what those prohibit directly, and every anomaly implying one of
 * those (Elle's `anomalies-prohibited-by`).
 */
export function prohibitedAnomalies(models: readonly string[]): Set<string> {
  const memoKey = [...models].sort().join(' ');
  const hit = prohibitedMemo.get(memoKey);
  if (hit !== undefined) return new Set(hit);
  const r = prohibitedUncached(models);
  prohibitedMemo.set(memoKey, r);
  return new Set(r);
}

const prohibitedMemo = new Map<string, Set<string>>();
const impossibleMemo = new Map<string, Set<string>>();

function prohibitedUncached(models: readonly string[]): Set<string> {
  const direct = new Set<string>();
  for (const m of impliedModels(models)) for (const a of DIRECT_PROHIBITED.get(m) ?? []) direct.add(a);
  const out = new Set<string>();
  for (const a of ALL_ANOMALIES) {
    for (const b of impliedAnomalies([a])) if (direct.has(b)) { out.add(a); break; }
  }
  return out;
}

/** Canonical models ruled out by the given anomalies: those prohibiting anything they imply, and every model implying one of those. */
export function impossibleModels(anomalies: Iterable<string>): Set<string> {
  const list = [...anomalies];
  const memoKey = [...new Set(list)].sort().join(' ');
  const hit = impossibleMemo.get(memoKey);
  if (hit !== undefined) return new Set(hit);
  const r = impossibleUncached(list);
  impossibleMemo.set(memoKey, r);
  return new Set(r);
}

function impossibleUncached(anomalies: Iterable<string>): Set<string> {
  const implied = impliedAnomalies(anomalies);
  const direct = new Set<string>();
  for (const [m, as] of DIRECT_PROHIBITED) if (as.some((a) => implied.has(a))) direct.add(m);
  const out = new Set<string>();
  for (const m of ALL_MODELS) {
    for (const w of impliedModels([m])) if (direct.has(w)) { out.add(m); break; }
  }
  return out;
}

/**
 * Elle's `friendly-boundary`: the weakest models the anomalies rule out
 * (`not`) and the rest of the ruled-out models (`also-not`), friendly names,
 * sorted. Empty when nothing is ruled out.
 */
export function friendlyBoundary(anomalies: Iterable<string>): { not: string[]; 'also-not': string[] } {
  const impossible = impossibleModels(anomalies);
  const not: string[] = [];
  const alsoNot: string[] = [];
  for (const m of impossible) {
    let weakest = true;
    for (const w of impliedModels([m])) if (w !== m && impossible.has(w)) { weakest = false; break; }
    (weakest ? not : alsoNot).push(friendlyModel(m));
  }
  const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();
  return { not: uniq(not), 'also-not': uniq(alsoNot) };
}
