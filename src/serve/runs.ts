/**
 * What `eddy serve` knows about the runs in a store: finding run
 * directories (`STORE/<workload>/<timestamp>/`), and summarising each one
 * from its `results.json` and `test.json` for the list and compare pages.
 * Summaries tolerate runs that aborted or are still going: missing figures
 * are null, and a run without `results.json` has no verdict yet.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { asRecord, readJsonFile } from '../viz/run-files.js';
import { challengeOf, type ChallengeJudgement } from '../harness/challenges.js';
import { findWorkload } from '../harness/workloads/registry.js';
import { resolveInStore } from './safe-path.js';

export type Verdict = 'valid' | 'invalid' | 'unknown' | 'none';

export interface RunSummary {
  /** Path inside the store with '/' separators, e.g. "broadcast/20261124T100412.345Z". */
  id: string;
  /** Absolute directory. */
  dir: string;
  workload: string | null;
  verdict: Verdict;
  /** The run's options in one short line, e.g. "25 nodes · rate 100/s · latency 100 ms · partition · seed 7". */
  flags: string;
  lostCount: number | null;
  attemptCount: number | null;
  stableCount: number | null;
  /** Servers' msgs-per-op (what the Gossip Glomers efficiency challenges judge). */
  msgsPerOpServers: number | null;
  msgsPerOpAll: number | null;
  stableLatencyMedianMs: number | null;
  stableLatencyMaxMs: number | null;
  opCount: number | null;
  /** The workload's headline figures (its registry entry's), empty for a workload eddy does not know. */
  figures: RunFigure[];
  /** The Gossip Glomers judgement of a challenge run (results.json "challenge"), or null. */
  challenge?: ChallengeJudgement | null;
  results: Record<string, unknown> | null;
  test: Record<string, unknown> | null;
}

/** One headline figure of a run, as its workload's registry entry defines it. */
export interface RunFigure {
  label: string;
  value: number | null;
  digits: number;
  better: 'lower' | 'higher' | null;
}

/** The headline figures `workload` defines, read from `results` (null values where the run has none). */
export function runFigures(workload: string | null, results: Record<string, unknown> | null): RunFigure[] {
  const def = workload === null ? undefined : findWorkload(workload);
  if (def === undefined) return [];
  return def.figures.map((f) => ({ label: f.label, value: results === null ? null : f.value(results), digits: f.digits ?? 0, better: f.better }));
}

/** Files whose presence makes a directory a run. */
const RUN_MARKERS = ['test.json', 'results.json', 'history.jsonl', 'journal.jsonl'];

/** True if `dir` looks like a run directory. */
export async function isRunDir(dir: string): Promise<boolean> {
  for (const marker of RUN_MARKERS) {
    try {
      if ((await stat(join(dir, marker))).isFile()) return true;
    } catch {
      // not this one
    }
  }
  return false;
}

/** A run id as a URL path (each segment percent-encoded). */
export function encodeId(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}

/**
 * Every run in the store (given as its real path), newest first. Run directory names are timestamps
 * (`20261124T100412.345Z`), which sort by time; ties and other names fall
 * back to the id.
 */
export async function listRuns(store: string): Promise<RunSummary[]> {
  const ids: string[] = [];
  for (const workload of await dirEntries(store)) {
    if (workload === 'latest') continue; // a symlink to one of the runs
    const workloadDir = join(store, workload);
    if (await isRunDir(workloadDir)) {
      ids.push(workload);
      continue;
    }
    for (const run of await dirEntries(workloadDir)) {
      if (await isRunDir(join(workloadDir, run))) ids.push(`${workload}/${run}`);
    }
  }
  // A symlinked directory that leads out of the store is not listed (and could not be served).
  const inside = await Promise.all(ids.map(async (id) => (await resolveInStore(store, encodeId(id))).ok));
  const summaries = await Promise.all(ids.filter((_, i) => inside[i]).map((id) => summariseRun(store, id)));
  return summaries.sort((a, b) => {
    const na = lastSegment(a.id);
    const nb = lastSegment(b.id);
    return na !== nb ? (na < nb ? 1 : -1) : a.id < b.id ? 1 : -1;
  });
}

async function dirEntries(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
  } catch {
    return [];
  }
}

function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/** Reads a run's summary; `id` must already be known to be inside the store. */
export async function summariseRun(store: string, id: string): Promise<RunSummary> {
  const dir = join(store, ...id.split('/'));
  const [resultsRaw, testRaw] = await Promise.all([readJsonFile(join(dir, 'results.json')), readJsonFile(join(dir, 'test.json'))]);
  const results = asRecord(resultsRaw);
  const test = asRecord(testRaw);
  const workloadResults = asRecord(results?.workload);
  const stable = asRecord(workloadResults?.['stable-latencies']);
  const netStats = asRecord(asRecord(results?.net)?.stats);
  const stats = asRecord(results?.stats);
  const workload = str(test?.workload) ?? (id.includes('/') ? id.slice(0, id.indexOf('/')) : null);
  return {
    id,
    dir,
    workload,
    verdict: verdictOf(results),
    flags: flagSummary(test),
    lostCount: num(workloadResults?.['lost-count']),
    attemptCount: num(workloadResults?.['attempt-count']),
    stableCount: num(workloadResults?.['stable-count']),
    msgsPerOpServers: num(asRecord(netStats?.servers)?.['msgs-per-op']),
    msgsPerOpAll: num(asRecord(netStats?.all)?.['msgs-per-op']),
    stableLatencyMedianMs: num(stable?.['0.5']),
    stableLatencyMaxMs: num(stable?.['1']),
    opCount: num(stats?.count),
    figures: runFigures(workload, results),
    challenge: results === null ? null : challengeOf(results),
    results,
    test,
  };
}

function verdictOf(results: Record<string, unknown> | null): Verdict {
  if (results === null) return 'none';
  const valid = results['valid?'];
  if (valid === true) return 'valid';
  if (valid === false) return 'invalid';
  return 'unknown';
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Looks an option up under its camelCase name (what eddy writes) or its
 * Maelstrom flag name (node-count, time-limit, ...).
 */
function option(test: Record<string, unknown>, ...names: string[]): unknown {
  const wanted = new Set(names.map(normaliseKey));
  for (const [key, value] of Object.entries(test)) {
    if (wanted.has(normaliseKey(key))) return value;
  }
  return undefined;
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The options that tell runs apart, in one line. */
export function flagSummary(test: Record<string, unknown> | null): string {
  if (test === null) return '';
  const parts: string[] = [];
  const nodeCount = option(test, 'nodeCount', 'node-count');
  const nodes = option(test, 'nodes');
  if (typeof nodeCount === 'number') parts.push(`${nodeCount} nodes`);
  else if (Array.isArray(nodes)) parts.push(`${nodes.length} nodes`);
  const timeLimit = option(test, 'timeLimitS', 'time-limit');
  if (typeof timeLimit === 'number') parts.push(`${timeLimit} s`);
  const rate = option(test, 'rateHz', 'rate');
  if (typeof rate === 'number') parts.push(`rate ${rate}/s`);
  const latency = option(test, 'latencyMs', 'latency');
  const dist = option(test, 'latencyDist', 'latency-dist');
  if (typeof latency === 'number' && latency > 0) {
    parts.push(`latency ${latency} ms${typeof dist === 'string' && dist !== 'constant' ? ` ${dist}` : ''}`);
  }
  const topology = option(test, 'topology');
  if (typeof topology === 'string' && topology !== 'grid') parts.push(topology);
  const nemesis = option(test, 'nemesis');
  const faults = Array.isArray(nemesis) ? nemesis.filter((n) => typeof n === 'string') : typeof nemesis === 'string' && nemesis !== '' ? [nemesis] : [];
  if (faults.length > 0) parts.push(faults.join('+'));
  const concurrency = option(test, 'concurrency');
  if ((typeof concurrency === 'string' && concurrency !== '1n') || typeof concurrency === 'number') parts.push(`concurrency ${concurrency}`);
  const seed = option(test, 'seed');
  if (typeof seed === 'number') parts.push(`seed ${seed}`);
  return parts.join(' · ');
}
