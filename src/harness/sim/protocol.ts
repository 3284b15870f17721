/**
 * What the supervising thread (supervisor.ts) and a simulating worker
 * thread (worker.ts) say to each other. It lives apart from both so that
 * each imports it and neither imports the other.
 */
import type { TestOptions } from '../options.js';
import type { SeedFigures } from './figures.js';

export interface SimWorkerData {
  moduleName: string;
  moduleUrl: string;
  options: TestOptions;
  /** The board this worker notes entries into node code on. */
  board: SharedArrayBuffer;
}

/** supervisor -> worker: run this seed (directory named after `startedAtMs`), abort it, or stop. */
export type SimWorkerTask =
  | {
      seed: number;
      startedAtMs: number;
      /** Draw the pictures (single runs do; sweeps leave that to eddy serve). */
      render: boolean;
      /** Forward progress and notices (single runs); `quiet` stays as in the options. */
      progress: { isTTY: boolean } | null;
    }
  | { abort: true }
  | { stop: true };

/** One run as a worker reports it. */
export interface WorkerRun {
  figures: SeedFigures;
  /** The results.json object. */
  results: Record<string, unknown>;
  /** Test time covered (s): the last history event's time, or how far a stopped run got. */
  simulatedS: number;
}

/** worker -> supervisor. */
export type SimWorkerReply =
  | 'ready'
  /** The run's directory exists. */
  | { store: string }
  /** Progress or notice text, for the supervisor's output. */
  | { progress: string }
  /** A finished run: its figures, results and how much test time it covered. */
  | WorkerRun
  /** The harness itself failed. */
  | { seed: number; error: string };
