/**
 * The figures of one simulated run that sweeps compare and `eddy sim`
 * prints: Maelstrom's (validity, lost, msgs-per-op, stable latencies, op
 * rate) and the workload's headline figures from its registry entry, all
 * read from the run's results map, never from live state.
 */
import { challengeExitCode, challengeOf } from '../challenges.js';
import type { RunOutcome } from '../runner.js';
import { findWorkload } from '../workloads/registry.js';

/** The figures of one run that a sweep compares. */
export interface SeedFigures {
  seed: number;
  exitCode: number;
  valid: unknown;
  /** null when the run stopped before the checker ran. */
  lostCount: number | null;
  /** Server-to-server messages per client operation ("net" -> ("stats" ->) "servers" -> "msgs-per-op"). */
  msgsPerOp: number | null;
  /** Server-to-server messages sent ("servers" -> "msg-count"). */
  serverMsgCount: number | null;
  /** Client operations invoked ("stats" -> "count"). */
  opCount: number | null;
  /** Client operations invoked in the main phase ("op-rate" -> "main-ops"). */
  mainOps: number | null;
  /** Those / (rate x time-limit) ("op-rate" -> "ratio"): about 0.85 at rate 100 by default, 1 under --ideal-rate. */
  opRatio: number | null;
  stableLatencyMedianMs: number | null;
  stableLatencyMaxMs: number | null;
  /** The workload's headline figures (its registry entry's), in its order. */
  figures: FigureValue[];
  /** One sentence, when the run could not be carried out. */
  error: string | null;
  /** For a challenge run (`--challenge`): whether every target was met; null otherwise. */
  challengePassed?: boolean | null;
  dir: string;
  /** Wall time of the run, for speed reports only. */
  wallMs: number;
}

/** One headline figure of a run, as its workload defines it. */
export interface FigureValue {
  label: string;
  value: number | null;
  digits: number;
}

/** The workload's headline figures read from a results map (all null for an unknown workload or a failed run). */
export function headlineFigures(workload: string, results: Record<string, unknown>): FigureValue[] {
  const def = findWorkload(workload);
  if (def === undefined) return [];
  return def.figures.map((f) => ({ label: f.label, value: f.value(results), digits: f.digits ?? 0 }));
}

/** Pulls the compared figures out of a run's results. */
export function figuresOf(outcome: RunOutcome, wallMs: number, workloadName: string): SeedFigures {
  const r = outcome.results;
  const workload = record(r['workload']);
  // Maelstrom nests the groups under "stats"; accept them at either level.
  const net = record(r['net']);
  const servers = record(record(net?.['stats'])?.['servers'] ?? net?.['servers']);
  const stable = record(workload?.['stable-latencies']);
  return {
    seed: outcome.seed,
    // A challenge run that is valid but misses a target exits with EXIT_CHALLENGE_NOT_MET.
    exitCode: challengeExitCode(outcome.exitCode, r),
    valid: r['valid?'],
    lostCount: num(workload?.['lost-count']),
    msgsPerOp: num(servers?.['msgs-per-op']),
    serverMsgCount: num(servers?.['msg-count']),
    opCount: num(record(r['stats'])?.['count']),
    mainOps: num(record(r['op-rate'])?.['main-ops']),
    opRatio: num(record(r['op-rate'])?.['ratio']),
    stableLatencyMedianMs: num(stable?.['0.5']),
    stableLatencyMaxMs: num(stable?.['1']),
    figures: headlineFigures(workloadName, r),
    error: outcome.error,
    challengePassed: challengeOf(r)?.passed ?? null,
    dir: outcome.dir,
    wallMs,
  };
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
