/**
 * Sweeps: many seeds of one test, one after another in this thread or
 * `jobs` at a time on worker threads (supervisor.ts), and what they add up
 * to: the spread of each figure over the seeds, the failing seeds, the
 * worst exit code, and the lines `eddy sim --seeds` prints.
 */
import type { NodeModule } from '../hosts/inproc.js';
import { wallNow } from '../ambient.js';
import { EXIT_CHALLENGE_NOT_MET } from '../challenges.js';
import type { TestOptions } from '../options.js';
import { EXIT_RUN_FAILED } from '../runner.js';
import { figuresOf, type SeedFigures } from './figures.js';
import { simulate } from './run.js';
import { supervise } from './supervisor.js';

/**
 * The exit code of a sweep: the worst of its runs, where a run that could
 * not be carried out (3) is worst, then invalid (1), then unknown (2), then
 * valid (0).
 */
export function worstExitCode(codes: readonly number[]): number {
  const rank = (c: number): number =>
    c === EXIT_RUN_FAILED ? 4 : c === 1 ? 3 : c === 2 ? 2 : c === EXIT_CHALLENGE_NOT_MET ? 1 : c === 0 ? 0 : 5;
  let worst = 0;
  for (const c of codes) if (rank(c) > rank(worst)) worst = c;
  return worst;
}

export interface SweepOptions {
  /** The run's options; `seed` is replaced by each seed in turn. */
  options: TestOptions;
  /** First seed. @default 1 */
  firstSeed: number;
  /** How many seeds. */
  count: number;
  module: NodeModule;
  /** Called after each seed (the CLI prints a line). */
  onSeed?(figures: SeedFigures, index: number): void;
  /** Keep the run directory of a valid seed, or delete it to save space. @default false */
  keepValid?: boolean;
  /** Wall-clock time source for speed figures. @default performance.now */
  wallNow?: () => number;
  signal?: AbortSignal;
  /** Removes a run directory (when keepValid is false). */
  removeDir?(dir: string): void;
  /**
   * Seeds simulated at once, each in a worker thread (needs `module.url`).
   * Every run stays a pure function of its seed; only the order of the
   * `onSeed` calls changes. @default 1
   */
  jobs?: number;
}

/**
 * Runs seeds `firstSeed .. firstSeed + count - 1`, one after another or
 * `jobs` at a time; the figures come back in seed order. A module loaded
 * from a URL is simulated on worker threads under a watchdog (a node that
 * never returns cannot freeze the sweep); one without a URL runs in this
 * thread.
 */
export async function sweep(o: SweepOptions): Promise<SeedFigures[]> {
  const jobs = Math.min(o.jobs ?? 1, o.count);
  if (o.module.url !== undefined) {
    const all: SeedFigures[] = [];
    await supervise({
      options: o.options,
      module: o.module,
      moduleUrl: o.module.url,
      seeds: Array.from({ length: o.count }, (_, i) => o.firstSeed + i),
      jobs,
      render: false,
      progress: undefined,
      signal: o.signal,
      onRun: ({ figures: f }) => {
        if (f.exitCode === 0 && !o.keepValid) o.removeDir?.(f.dir);
        all.push(f);
        o.onSeed?.(f, all.length - 1);
      },
    });
    return all.sort((a, b) => a.seed - b.seed);
  }
  if (jobs > 1) throw new Error(`sweep: jobs > 1 needs a node module loaded from a URL, and ${o.module.name} has none`);
  const now = o.wallNow ?? wallNow;
  const all: SeedFigures[] = [];
  for (let i = 0; i < o.count; i++) {
    if (o.signal?.aborted) break;
    const seed = o.firstSeed + i;
    const t0 = now();
    const outcome = await simulate({ ...o.options, seed, quiet: true }, { module: o.module, signal: o.signal, render: false });
    const figures = figuresOf(outcome, now() - t0, o.options.workload);
    if (figures.exitCode === 0 && !o.keepValid) o.removeDir?.(outcome.dir);
    all.push(figures);
    o.onSeed?.(figures, i);
  }
  return all;
}

/** min / median / max of the numbers present, or null when there are none. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(xs: readonly (number | null)[]): Spread | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: v[0]!, median, max: v[v.length - 1]! };
}

export interface SweepSummary {
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  failed: number;
  /** Challenge runs: seeds that met every target, or null when the sweep was not a challenge's. */
  challengePassed: number | null;
  lostTotal: number;
  msgsPerOp: Spread | null;
  stableLatencyMedianMs: Spread | null;
  stableLatencyMaxMs: Spread | null;
  /** Each headline figure of the workload, spread over the seeds. */
  figures: { label: string; digits: number; spread: Spread | null }[];
  /** Seeds whose verdict was not valid, in order. */
  failingSeeds: number[];
  exitCode: number;
}

export function summarise(figures: readonly SeedFigures[]): SweepSummary {
  return {
    runs: figures.length,
    valid: figures.filter((f) => f.exitCode === 0 || f.exitCode === EXIT_CHALLENGE_NOT_MET).length,
    invalid: figures.filter((f) => f.exitCode === 1).length,
    unknown: figures.filter((f) => f.exitCode === 2).length,
    failed: figures.filter((f) => f.exitCode === EXIT_RUN_FAILED).length,
    challengePassed: figures.some((f) => (f.challengePassed ?? null) !== null) ? figures.filter((f) => f.challengePassed === true).length : null,
    lostTotal: figures.reduce((s, f) => s + (f.lostCount ?? 0), 0),
    msgsPerOp: spread(figures.map((f) => f.msgsPerOp)),
    stableLatencyMedianMs: spread(figures.map((f) => f.stableLatencyMedianMs)),
    stableLatencyMaxMs: spread(figures.map((f) => f.stableLatencyMaxMs)),
    figures: (figures[0]?.figures ?? []).map((fig, i) => ({ label: fig.label, digits: fig.digits, spread: spread(figures.map((f) => f.figures[i]?.value ?? null)) })),
    failingSeeds: figures.filter((f) => f.exitCode !== 0).map((f) => f.seed),
    exitCode: worstExitCode(figures.map((f) => f.exitCode)),
  };
}

/** The summary as a small table of text lines. */
export function formatSummary(s: SweepSummary): string[] {
  const fmt = (x: Spread | null, digits: number): string =>
    x === null ? 'n/a' : `${x.min.toFixed(digits)} / ${x.median.toFixed(digits)} / ${x.max.toFixed(digits)}`;
  const rows: [string, string][] = [
    ['seeds run', String(s.runs)],
    ['valid', `${s.valid} of ${s.runs}${s.invalid > 0 ? `, invalid ${s.invalid}` : ''}${s.unknown > 0 ? `, unknown ${s.unknown}` : ''}${s.failed > 0 ? `, run failed ${s.failed}` : ''}`],
    ...(s.challengePassed === null ? [] : [['challenge passed', `${s.challengePassed} of ${s.runs}`] as [string, string]]),
    ...s.figures.map((f): [string, string] => [`${f.label} (min / median / max)`, fmt(f.spread, f.digits)]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

/** One progress line for a finished seed. */
export function formatSeedLine(f: SeedFigures): string {
  const verdict = f.error !== null ? 'run failed' : f.valid === true ? 'valid' : f.valid === false ? 'INVALID' : 'unknown';
  const parts = [`seed ${f.seed}: ${verdict}`];
  for (const fig of f.figures) if (fig.value !== null) parts.push(`${fig.label} ${fig.value.toFixed(fig.digits)}`);
  if (f.challengePassed !== undefined && f.challengePassed !== null) parts.push(f.challengePassed ? 'challenge passed' : 'challenge NOT passed');
  parts.push(`(${(f.wallMs / 1000).toFixed(2)} s)`);
  let line = parts.join('  ');
  if (f.error !== null) line += `\n    ${f.error.split('\n')[0]}`;
  return line;
}
