/**
 * One worker thread of a parallel seed sweep (`sweep` with `jobs` > 1): it
 * loads the node module again from its URL, then simulates each seed the
 * main thread hands it and posts back the seed's figures. Every run is
 * still one seed on its own VirtualClock, so running seeds side by side
 * changes no run's files.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { wallNow } from './ambient.js';
import { fromExports, importNodeModule } from './hosts/inproc.js';
import type { TestOptions } from './options.js';
import { figuresOf, simulate } from './sim.js';

export interface SimWorkerData {
  moduleName: string;
  moduleUrl: string;
  options: TestOptions;
}

/** main -> worker: run this seed (directory named after `startedAtMs`), or stop. */
export type SimWorkerTask = { seed: number; startedAtMs: number } | { stop: true };

/** worker -> main: the seed's figures, or why the harness itself failed. */
export type SimWorkerReply = { figures: ReturnType<typeof figuresOf> } | { seed: number; error: string };

const data = workerData as SimWorkerData;
const port = parentPort!;
const module = fromExports(data.moduleName, await importNodeModule(data.moduleUrl, data.moduleName), data.moduleUrl);

port.on('message', (task: SimWorkerTask) => {
  if ('stop' in task) {
    port.close();
    return;
  }
  const t0 = wallNow();
  simulate({ ...data.options, seed: task.seed, quiet: true }, { module, startedAt: new Date(task.startedAtMs), render: false }).then(
    (outcome) => port.postMessage({ figures: figuresOf(outcome, wallNow() - t0) } satisfies SimWorkerReply),
    (e: unknown) => port.postMessage({ seed: task.seed, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies SimWorkerReply),
  );
});
port.postMessage('ready');
