/**
 * The harness's public entry (`import ... from 'eddy/harness'`): run a
 * Maelstrom-style test programmatically, on real processes or on any
 * NodeHost and Clock, and the pieces a caller needs to build options and
 * read the outcome.
 *
 * ```ts
 * import { runTest, parseTestArgs, ProcessHost } from 'eddy/harness';
 * import { RealClock } from 'eddy';
 * const { options } = parseTestArgs(['-w', 'broadcast', '--bin', './node.js', '--time-limit', '10']);
 * const outcome = await runTest(options, { clock: new RealClock(), host: new ProcessHost(options.bin, options.args) });
 * console.log(outcome.results['valid?'], outcome.dir);
 * ```
 *
 * `simulate` runs the same test on virtual time with in-process nodes, and
 * takes a scripted nemesis (faults and probes at given times; nemesis.ts).
 */
export { runTest, EXIT_RUN_FAILED, StoreError, type RunDeps, type RunOutcome } from './runner.js';
export {
  DEFAULT_OPTIONS,
  OptionError,
  nodeIds,
  validateOptions,
  workerCount,
  type TestOptions,
  type WorkloadName,
} from './options.js';
// The command-line reading lives with the CLI (one table for every command); a library caller still gets it here.
export { parseTestArgs } from '../cli/flags.js';
export { History } from './history.js';
export { Client, ClientFactory, type RpcResult } from './client.js';
export { RunStore } from './store.js';
export { workloads, workloadDef, findWorkload, type Workload, type WorkloadDef, type OpSpec, type Completion } from './workloads/index.js';
export { Net, NetError, type NetOptions } from './net.js';
export { Rng } from './rng.js';
export type { Body, Envelope, JournalEvent, Op, OpType } from './types.js';
export type { NodeHost, HostedNode, NodeHandlers, ExitInfo } from './host.js';
export { ProcessHost } from './hosts/process.js';
export { InProcHost, type NodeModule, type RunnableNode } from './hosts/inproc.js';
export { simulate, type SimDeps, type SimScriptStep } from './sim.js';
export type { NemesisScript, ScriptStep } from './nemesis.js';
