/**
 * Deterministic simulation: the `eddy test` harness (runner, network,
 * generator, nemesis, checker, store — the very same code) driven by a
 * `VirtualClock` with nodes built in-process by `InProcHost`. A run is a
 * pure function of its options and seed, so a failing seed replays exactly,
 * and a 30-second test takes a fraction of a second.
 *
 * This module owns driving one simulated run (`simulate`), running runs on
 * worker threads under a watchdog (`simulateInWorker`, `sweep`; see
 * stall.ts), and the figures a sweep reports (`summarise`). Wall time is read here only to report speed and to
 * name run directories; it never reaches a run's files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { VirtualClock } from '../node/clock.js';
import { simulationStandIns, wallDateNow, wallNow } from './ambient.js';
import { InProcHost, type NodeModule } from './hosts/inproc.js';
import { nodeIds, type TestOptions } from './options.js';
import type { ProgressOutput } from './progress.js';
import { Rng } from './rng.js';
import { challengeExitCode, challengeOf, EXIT_CHALLENGE_NOT_MET } from './challenges.js';
import { findWorkload } from './workloads/registry.js';
import { ActivityBoard, endedMessage, stallMessage } from './stall.js';
import { runTest, EXIT_RUN_FAILED, type RunDeps, type RunOutcome } from './runner.js';
import type { SimWorkerData, SimWorkerReply, SimWorkerTask } from './sim-worker.js';

export interface SimDeps {
  /** Builds each node. */
  module: NodeModule;
  /** Progress and notices; nothing is printed when absent. */
  out?: ProgressOutput;
  /** Names the run's directory (wall-clock time by default; never inside any file). */
  startedAt?: Date;
  /** Aborting it stops the run cleanly (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Draw the run's pictures at the end (about half the wall time of a 3d
   * run). Sweeps pass false.
   * @default true
   */
  render?: boolean;
  /** Where entries into node code are noted for a watchdog (see stall.ts); none by default. */
  board?: ActivityBoard;
  /** Told the run's directory as soon as it exists. */
  onStore?(dir: string): void;
}

/**
 * Runs one test on virtual time. `options.seed` must be set: a simulation
 * without a seed could not be replayed.
 */
export async function simulate(options: TestOptions, deps: SimDeps): Promise<RunOutcome> {
  if (options.seed === null) throw new Error('simulate: options.seed must be set, so that the run can be replayed');
  const clock = new VirtualClock();
  const host = new InProcHost({ module: deps.module, clock, seed: options.seed, args: options.args, board: deps.board });
  // From here to the end, a node reaching for Math.random or Date.now gets the run's seed and virtual time.
  const mathRandom = new Rng(options.seed).fork('Math.random');
  const restore = simulationStandIns(`seed ${options.seed} of ${deps.module.name}`, clock, () => mathRandom.float());
  try {
    return await drive(options, deps, clock, host);
  } finally {
    restore();
  }
}

async function drive(options: TestOptions, deps: SimDeps, clock: VirtualClock, host: InProcHost): Promise<RunOutcome> {
  let done = false;
  const runDeps: RunDeps = {
    clock,
    host,
    out: deps.out,
    startedAt: deps.startedAt ?? new Date(wallDateNow()),
    signal: deps.signal,
    onStore: deps.onStore,
    journalFlushMs: 1,
    stopGraceMs: 1000,
    render: deps.render ?? true,
    // Wall time and memory differ from run to run: harness.json only.
    harnessFiguresInResults: false,
  };
  const outcome = runTest(options, runDeps).finally(() => {
    done = true;
  });
  // A run that cannot start (e.g. an unwritable store) rejects while the loop
  // below is still waiting; the caller gets the rejection from the return.
  outcome.catch(() => undefined);
  // Let the runner's start-up continuations run before the first event, as
  // they would before any I/O event of a real run.
  await new Promise<void>((r) => setImmediate(r));
  // The clock runs until every node has ended; after that the runner only
  // checks and writes (real I/O), so the loop lets Node's event loop turn
  // and never moves virtual time again.
  const simulating = (): boolean => !done && !host.allExited;
  while (!done) {
    if (simulating()) await clock.run({ stop: () => !simulating(), yieldEvery: 20_000, yieldEveryMs: 100 });
    if (!done) await new Promise<void>((r) => setImmediate(r));
  }
  return outcome;
}

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

/** One run as a worker reports it. */
export interface WorkerRun {
  figures: SeedFigures;
  /** The results.json object. */
  results: Record<string, unknown>;
  /** Test time covered (s): the last history event's time, or how far a stopped run got. */
  simulatedS: number;
}

/**
 * One simulated run on a worker thread under the watchdog, for `eddy sim`
 * without `--seeds`: progress goes to `out`, the pictures are drawn, and a
 * node that never returns ends the run with exit code 3 and a sentence
 * naming it instead of freezing the command.
 */
export async function simulateInWorker(options: TestOptions & { seed: number }, module: NodeModule & { url: string }, deps: { out?: ProgressOutput; signal?: AbortSignal }): Promise<WorkerRun> {
  let run: WorkerRun | null = null;
  await supervise({
    options,
    module,
    moduleUrl: module.url,
    seeds: [options.seed],
    jobs: 1,
    render: true,
    progress: deps.out,
    signal: deps.signal,
    onRun: (r) => (run = r),
  });
  if (run === null) throw new Error(`simulating seed ${options.seed} ended without a result`);
  return run;
}

/** Seconds a run may go without entering node code, while nodes run, before it counts as stuck. */
export const STALL_LIMIT_S_DEFAULT = 10;
/** How long an interrupted run may take to stop by itself before its worker is ended. */
const ABORT_GRACE_MS = 3000;
const WATCH_PERIOD_MS = 250;

/** The stall limit: `EDDY_SIM_STALL_S` seconds if set to a positive number, else the default. */
export function stallLimitS(): number {
  const v = Number(process.env['EDDY_SIM_STALL_S']);
  return Number.isFinite(v) && v > 0 ? v : STALL_LIMIT_S_DEFAULT;
}

interface SuperviseOptions {
  options: TestOptions;
  module: NodeModule;
  moduleUrl: string;
  seeds: readonly number[];
  jobs: number;
  render: boolean;
  progress: ProgressOutput | undefined;
  signal: AbortSignal | undefined;
  onRun(run: WorkerRun): void;
}

/**
 * Simulates `seeds` on up to `jobs` worker threads and watches each one's
 * board. A worker whose nodes stop making progress for the stall limit (or
 * that does not stop within a few seconds of an interrupt) is ended: its
 * run is reported as not carried out, with the sentence written into its
 * results.json, and a fresh worker takes the remaining seeds.
 */
async function supervise(o: SuperviseOptions): Promise<void> {
  const queue = [...o.seeds];
  const limitS = stallLimitS();
  const ids = nodeIds(o.options.nodeCount);
  // Directory names come from here, one millisecond apart, so that runs
  // started at the same moment in two threads never share a directory.
  let lastStampMs = 0;
  const stamp = (): number => (lastStampMs = Math.max(wallDateNow(), lastStampMs + 1));

  const workerLoop = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const board = new ActivityBoard();
      const workerData: SimWorkerData = { moduleName: o.module.name, moduleUrl: o.moduleUrl, options: o.options, board: board.buffer };
      const worker = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData });
      let current: { seed: number; dir: string | null; startMs: number } | null = null;
      let lastBeats = -1;
      let stillSinceMs = wallNow();
      let abortedAtMs: number | null = null;
      let replaced = false;

      const onAbort = (): void => {
        if (current === null) return;
        abortedAtMs = wallNow();
        worker.postMessage({ abort: true } satisfies SimWorkerTask);
      };
      o.signal?.addEventListener('abort', onAbort);
      const done = (): void => {
        clearInterval(watchdog);
        o.signal?.removeEventListener('abort', onAbort);
      };
      const handOut = (): void => {
        const seed = queue.shift();
        if (seed === undefined || o.signal?.aborted) {
          worker.postMessage({ stop: true } satisfies SimWorkerTask);
          return;
        }
        current = { seed, dir: null, startMs: wallNow() };
        lastBeats = -1;
        stillSinceMs = wallNow();
        const progress = o.progress === undefined ? null : { isTTY: o.progress.isTTY === true };
        worker.postMessage({ seed, startedAtMs: stamp(), render: o.render, progress } satisfies SimWorkerTask);
      };

      const watchdog = setInterval(() => {
        if (current === null) return;
        const r = board.read();
        const now = wallNow();
        if (!r.armed || r.beats !== lastBeats) {
          lastBeats = r.beats;
          stillSinceMs = now;
        }
        const stuck = r.armed && now - stillSinceMs >= limitS * 1000;
        const deaf = abortedAtMs !== null && now - abortedAtMs >= ABORT_GRACE_MS;
        if (!stuck && !deaf) return;
        const message = stuck
          ? stallMessage(r, ids, o.module.name, limitS)
          : `The run was interrupted and did not stop within ${ABORT_GRACE_MS / 1000} s (a node that never returns?); eddy stopped it.`;
        const run = stoppedRun(current, message, now, r.virtualMs / 1000, o.options.workload);
        current = null;
        replaced = true;
        done();
        void worker.terminate();
        o.onRun(run);
        // The worker is gone, and with it the stuck node: a fresh one takes the remaining seeds.
        workerLoop().then(resolve, reject);
      }, WATCH_PERIOD_MS);

      worker.on('message', (m: SimWorkerReply) => {
        if (m === 'ready') return handOut();
        if ('store' in m) {
          if (current !== null) current.dir = m.store;
          return;
        }
        if ('progress' in m) {
          o.progress?.write(m.progress);
          return;
        }
        if ('error' in m) {
          queue.length = 0; // the other workers finish their seed and stop
          done();
          void worker.terminate();
          reject(new Error(`simulating seed ${m.seed} failed in eddy itself: ${m.error}`));
          return;
        }
        current = null;
        abortedAtMs = null;
        o.onRun(m);
        handOut();
      });
      let uncaught: Error | null = null;
      worker.on('error', (e) => {
        uncaught = e;
      });
      worker.on('exit', (code) => {
        done();
        if (replaced) return;
        if (current === null) {
          if (uncaught !== null) reject(uncaught);
          else resolve();
          return;
        }
        // The thread ended under a run: node code exited it, or threw where nothing could catch it.
        const r = board.read();
        const run = stoppedRun(current, endedMessage(r, ids, o.module.name, code, uncaught), wallNow(), r.virtualMs / 1000, o.options.workload);
        current = null;
        o.onRun(run);
        if (queue.length > 0 && o.signal?.aborted !== true) workerLoop().then(resolve, reject);
        else resolve();
      });
    });
  await Promise.all(Array.from({ length: Math.min(o.jobs, o.seeds.length) }, workerLoop));
}

/** The report of a run whose worker had to be ended: what a run that could not be carried out says. */
function stoppedRun(current: { seed: number; dir: string | null; startMs: number }, message: string, nowMs: number, simulatedS: number, workload: string): WorkerRun {
  const results: Record<string, unknown> = { 'valid?': 'unknown', error: message };
  if (current.dir !== null) {
    // The run's other files hold what it recorded until it stopped; this one says why it stopped.
    try {
      fs.writeFileSync(path.join(current.dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    } catch {
      // The sentence still reaches the user on the console.
    }
  }
  const figures: SeedFigures = {
    seed: current.seed,
    exitCode: EXIT_RUN_FAILED,
    valid: 'unknown',
    lostCount: null,
    msgsPerOp: null,
    serverMsgCount: null,
    opCount: null,
    mainOps: null,
    opRatio: null,
    stableLatencyMedianMs: null,
    stableLatencyMaxMs: null,
    figures: headlineFigures(workload, {}),
    error: message,
    dir: current.dir ?? '',
    wallMs: nowMs - current.startMs,
  };
  return { figures, results, simulatedS };
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

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
