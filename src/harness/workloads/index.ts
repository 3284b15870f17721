/** The workloads `eddy test -w NAME` knows: the registry and the interface a workload implements. */
export type {
  Workload,
  WorkloadDef,
  OpSpec,
  Completion,
  Conn,
  SetupContext,
  MainGenerator,
  FinalGenerator,
  Draw,
  DrawContext,
  CompletionEvent,
  CheckInput,
  CheckOutput,
  WorkloadResult,
  StrictResult,
  Figure,
  Picture,
  PictureInput,
} from './workload.js';
export { SetupError, failureCompletion, indeterminateCompletion, malformedReply, plainGenerator, oncePerWorker } from './workload.js';
export { workloads, workloadNames, findWorkload, workloadDef } from './registry.js';
