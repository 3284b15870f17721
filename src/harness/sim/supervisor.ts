/**
 * The thread supervisor: simulated runs on worker threads (worker.ts), each
 * watched through its activity board (stall.ts). A node that never returns,
 * or a run that does not stop when interrupted, ends its worker instead of
 * freezing `eddy sim`; the run is reported as not carried out, with a
 * sentence naming the node. Wall time is read here only for the watchdog
 * and to name run directories; it never reaches a run's files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { wallDateNow, wallNow } from '../ambient.js';
import type { NodeModule } from '../hosts/inproc.js';
import { nodeIds, type TestOptions } from '../options.js';
import type { ProgressOutput } from '../progress.js';
import { EXIT_RUN_FAILED } from '../runner.js';
import { ActivityBoard, endedMessage, stallMessage } from '../stall.js';
import { headlineFigures, type SeedFigures } from './figures.js';
import type { SimWorkerData, SimWorkerReply, SimWorkerTask, WorkerRun } from './protocol.js';

export type { WorkerRun } from './protocol.js';

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

export interface SuperviseOptions {
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
export async function supervise(o: SuperviseOptions): Promise<void> {
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
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData });
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
