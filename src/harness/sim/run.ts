/**
 * One simulated run: the `eddy test` harness (runner, network, generator,
 * nemesis, checker, store — the very same code) driven by a `VirtualClock`
 * with nodes built in-process by `InProcHost`. A run is a pure function of
 * its options and seed, so a failing seed replays exactly, and a 30-second
 * test takes a fraction of a second. Wall time is read here only to name
 * the run's directory; it never reaches a run's files.
 */
import { VirtualClock } from '../../node/clock.js';
import { simulationStandIns, wallDateNow } from '../ambient.js';
import { InProcHost, type NodeModule, type RunnableNode } from '../hosts/inproc.js';
import { checkScript, type ScriptStep } from '../nemesis.js';
import { nodeIds, type TestOptions } from '../options.js';
import type { ProgressOutput } from '../progress.js';
import { Rng } from '../rng.js';
import type { ActivityBoard } from '../stall.js';
import { runTest, type RunDeps, type RunOutcome } from '../runner.js';

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
  /**
   * A scripted nemesis instead of `--nemesis` (which must then be empty):
   * faults at given times, applied and recorded as the random ones are,
   * and probes, called with the nodes as `createNode` built them. Times
   * count from the start of the main phase. The script is not in
   * test.json: a run with one replays from its code, not from the CLI.
   * @default none
   */
  script?: readonly SimScriptStep[];
}

/** A nemesis script step (nemesis.ts), with probes that see the in-process nodes by id. */
export type SimScriptStep = ScriptStep<(nodes: ReadonlyMap<string, RunnableNode>) => void>;

/**
 * Runs one test on virtual time. `options.seed` must be set: a simulation
 * without a seed could not be replayed.
 */
export async function simulate(options: TestOptions, deps: SimDeps): Promise<RunOutcome> {
  if (options.seed === null) throw new Error('simulate: options.seed must be set, so that the run can be replayed');
  // A bad script is the caller's mistake: say so before a run directory exists.
  if (deps.script !== undefined) checkScript(deps.script, nodeIds(options.nodeCount), options.nemesis);
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
    ...(deps.script === undefined
      ? {}
      : { nemesisScript: deps.script.map((step): ScriptStep => ('probe' in step ? { atS: step.atS, probe: () => step.probe(host.built) } : step)) }),
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
