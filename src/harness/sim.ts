/**
 * Deterministic simulation, `eddy sim`'s public entry point: the `eddy
 * test` harness driven by a `VirtualClock` with nodes built in-process, so
 * that a run is a pure function of its options and seed.
 *
 * The parts live in sim/: one run (`run.ts`: `simulate`), runs on worker
 * threads under a watchdog (`supervisor.ts`: `simulateInWorker`, with the
 * thread protocol in `protocol.ts` and the thread itself in `worker.ts`),
 * the figures of a run (`figures.ts`) and sweeps over seeds (`sweep.ts`).
 */
export { simulate, type SimDeps, type SimScriptStep } from './sim/run.js';
export { figuresOf, headlineFigures, type FigureValue, type SeedFigures } from './sim/figures.js';
export { simulateInWorker, stallLimitS, STALL_LIMIT_S_DEFAULT, type WorkerRun } from './sim/supervisor.js';
export { formatSeedLine, formatSummary, spread, summarise, sweep, worstExitCode, type Spread, type SweepOptions, type SweepSummary } from './sim/sweep.js';
