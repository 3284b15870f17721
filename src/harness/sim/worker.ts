/**
 * One worker thread of `eddy sim`: it loads the node module again from its
 * URL, then simulates each seed the supervising thread (supervisor.ts)
 * hands it and posts back what came of it. Every run is still one seed on its own
 * VirtualClock, so running seeds in threads changes no run's files. Entries
 * into node code are noted on the shared board (stall.ts), so that the
 * supervisor can stop a run whose node never returns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { wallNow } from '../ambient.js';
import { fromExports, importNodeModule } from '../hosts/inproc.js';
import { ActivityBoard } from '../stall.js';
import { figuresOf } from './figures.js';
import type { SimWorkerData, SimWorkerReply, SimWorkerTask } from './protocol.js';
import { simulate } from './run.js';

const data = workerData as SimWorkerData;
const port = parentPort!;
const module = fromExports(data.moduleName, await importNodeModule(data.moduleUrl, data.moduleName), data.moduleUrl);
const board = new ActivityBoard(data.board);
let running: AbortController | null = null;

port.on('message', (task: SimWorkerTask) => {
  if ('stop' in task) {
    port.close();
    return;
  }
  if ('abort' in task) {
    running?.abort();
    return;
  }
  const t0 = wallNow();
  const controller = new AbortController();
  running = controller;
  const options = task.progress === null ? { ...data.options, seed: task.seed, quiet: true } : { ...data.options, seed: task.seed };
  const isTTY = task.progress?.isTTY ?? false;
  simulate(options, {
    module,
    startedAt: new Date(task.startedAtMs),
    render: task.render,
    board,
    signal: controller.signal,
    onStore: (dir) => port.postMessage({ store: dir } satisfies SimWorkerReply),
    out: task.progress === null ? undefined : { write: (text: string) => port.postMessage({ progress: text } satisfies SimWorkerReply), isTTY },
  }).then(
    (outcome) => {
      running = null;
      const last = outcome.history[outcome.history.length - 1];
      port.postMessage({ figures: figuresOf(outcome, wallNow() - t0, options.workload), results: outcome.results, simulatedS: last === undefined ? 0 : last.time / 1e9 } satisfies SimWorkerReply);
    },
    (e: unknown) => {
      running = null;
      port.postMessage({ seed: task.seed, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies SimWorkerReply);
    },
  );
});
port.postMessage('ready');
