/**
 * The client interpreter, as Jepsen's: one worker per client thread, each
 * bound to a node, taking the operations the generator hands it, recording
 * invoke and completion in the history, and becoming a new process (with,
 * unless the workload's clients are reusable, a new client) after an
 * indeterminate one. The main loop also hands the nemesis its operations,
 * one at a time; the final phase runs each worker's copy of the workload's
 * final generator until it is done or the cutoff comes.
 */
import type { Clock, Timer } from '../../node/clock.js';
import type { Client, ClientFactory } from '../client.js';
import type { OpGenerator } from '../generator.js';
import type { History } from '../history.js';
import type { Nemesis } from '../nemesis.js';
import type { Rng } from '../rng.js';
import { SetupError, type Conn, type FinalGenerator, type OpSpec, type Workload } from '../workloads/index.js';
import type { RunAbort } from './abort.js';

export interface InterpreterDeps {
  clock: Clock;
  clients: ClientFactory;
  history: History;
  workload: Workload;
  abort: RunAbort;
  /** The node each worker talks to, in worker order (worker i: node i mod n). */
  nodes: readonly string[];
  workerCount: number;
  /** Client RPC timeout when the workload sets none. */
  rpcTimeoutS: number;
}

interface Worker {
  readonly index: number;
  readonly node: string;
  process: number;
  client: Client | null;
  /** The workload's state for the current client (reset with it). */
  state: unknown;
  /** The client saw an indeterminate operation and must be replaced before the next one. */
  stale: boolean;
  busy: boolean;
}

export class Interpreter {
  readonly #d: InterpreterDeps;
  readonly #workers: Worker[];

  constructor(deps: InterpreterDeps) {
    this.#d = deps;
    this.#workers = Array.from({ length: deps.workerCount }, (_, i) => ({
      index: i,
      node: deps.nodes[i % deps.nodes.length]!,
      process: i,
      client: null,
      state: undefined,
      stale: false,
      busy: false,
    }));
  }

  /** Worker `w`'s process number now (it grows by the worker count after each indeterminate operation). */
  processOf(w: number): number {
    return this.#workers[w]!.process;
  }

  /**
   * The main phase: polls the generator, runs each operation on its worker
   * and each nemesis operation, until the generator is done; then waits for
   * what is still outstanding. Throws RunAborted if the run failed.
   */
  async main(generator: OpGenerator, nemesis: Nemesis | null): Promise<void> {
    const inflight = new Set<Promise<void>>();
    const wake = new Wake(this.#d.clock);
    const unregister = this.#d.abort.onAbort(() => wake.wake());
    // A restart takes time (init, setup): the nemesis does one operation at a time, as Jepsen's does.
    let nemesisBusy = false;
    try {
      for (;;) {
        if (this.#d.abort.failure !== null) break;
        const p = generator.poll(this.#d.clock.now(), (w) => !this.#workers[w]!.busy, !nemesisBusy);
        if (p.kind === 'done') break;
        if (p.kind === 'nemesis') {
          const r = nemesis!.invoke(p.f);
          if (r !== undefined) {
            nemesisBusy = true;
            const done: Promise<void> = r
              .catch((e: unknown) => {
                if (e instanceof SetupError) this.#d.abort.fail(e.message);
                else this.#d.abort.fail(`eddy itself failed in the nemesis: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
              })
              .finally(() => {
                nemesisBusy = false;
                inflight.delete(done);
                wake.wake();
              });
            inflight.add(done);
          }
          continue;
        }
        if (p.kind === 'op') {
          const worker = this.#workers[p.worker]!;
          const done: Promise<void> = this.#perform(worker, { f: p.f, value: p.value }, null).finally(() => {
            inflight.delete(done);
            wake.wake();
          });
          inflight.add(done);
          continue;
        }
        await wake.until(p.untilMs ?? Infinity);
      }
      // Jepsen's phases wait for every outstanding operation before moving on.
      while (inflight.size > 0 && this.#d.abort.failure === null) await Promise.race([...inflight, this.#d.abort.promise()]);
    } finally {
      unregister();
      wake.cancel();
    }
    this.#d.abort.throwIfFailed();
  }

  /** The final phase: each worker runs its own copy of `final`, drawing from `rng`, until done or cut off. */
  async final(final: FinalGenerator, rng: Rng): Promise<void> {
    const startMs = this.#d.clock.now();
    let cutoff: Timer | null = null;
    let cut = false;
    const cutWaiters = new Set<() => void>();
    if (final.cutoffMs !== null) {
      cutoff = this.#d.clock.setTimer(final.cutoffMs, () => {
        cut = true;
        for (const w of cutWaiters) w();
      });
    }
    const sleepUnlessCut = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const t = this.#d.clock.setTimer(ms, () => {
          cutWaiters.delete(done);
          resolve();
        });
        const done = (): void => {
          t.cancel();
          resolve();
        };
        cutWaiters.add(done);
      });
    // Each worker runs its own copy of the final generator, not staggered, until it says done.
    const runWorker = async (worker: Worker): Promise<void> => {
      // After a wait the generator sees at least the instant it asked for:
      // (start + t) + (due - t) - start can land a hair before due in
      // floating point, and a generator comparing `now < due` would then ask
      // for the same vanishing wait forever with virtual time standing still.
      let wokeAtMs = 0;
      for (;;) {
        if (cut || this.#d.abort.failure !== null) return;
        const nowMs = Math.max(this.#d.clock.now() - startMs, wokeAtMs);
        const step = final.next({ rng, nowMs, worker: worker.index, process: worker.process, workerCount: this.#workers.length });
        if ('done' in step) return;
        if ('waitMs' in step) {
          wokeAtMs = nowMs + step.waitMs;
          await sleepUnlessCut(step.waitMs);
          continue;
        }
        await this.#perform(worker, step, final);
      }
    };
    try {
      await this.#d.abort.abortable(Promise.all(this.#workers.map((w) => runWorker(w))));
    } finally {
      (cutoff as Timer | null)?.cancel();
    }
  }

  /**
   * One operation on one worker: invoke, the workload's client, complete;
   * after an `info` the worker becomes a new process and, unless the
   * workload's clients are reusable, gets a new client. `final` is the final
   * generator when the operation is one of the final phase's.
   */
  async #perform(worker: Worker, op: OpSpec, final: FinalGenerator | null): Promise<void> {
    worker.busy = true;
    try {
      if (worker.stale) {
        // Jepsen treats an indeterminate operation as a crashed process: a new
        // process number and, at its next operation, a new client.
        worker.client?.close();
        worker.client = null;
        worker.state = undefined;
        worker.stale = false;
      }
      worker.client ??= this.#d.clients.open();
      const process = worker.process;
      const isFinal = final !== null;
      const invoke = this.#d.history.record({ process, type: 'invoke', f: op.f, value: op.value, final: isFinal });
      const conn: Conn = {
        client: worker.client,
        node: worker.node,
        timeoutMs: this.#d.workload.rpcTimeoutMs ?? this.#d.rpcTimeoutS * 1000,
        final: isFinal,
        state: worker.state,
      };
      let completion;
      try {
        completion = await this.#d.workload.invoke(conn, op);
      } catch (e) {
        // As Jepsen's interpreter: an exception in a client makes the operation indeterminate.
        completion = { type: 'info' as const, value: op.value, error: `indeterminate: ${e instanceof Error ? e.message : String(e)}` };
      }
      worker.state = conn.state;
      // After an abort the history ends with open invocations, as Jepsen's does when a test crashes.
      if (this.#d.abort.failure !== null) return;
      const complete = this.#d.history.record({ process, type: completion.type, f: op.f, value: completion.value, error: completion.error, final: isFinal });
      if (completion.type === 'info') {
        worker.process += this.#workers.length;
        if (this.#d.workload.reusableClient) worker.stale = false;
        else worker.stale = true;
      }
      const ev = { worker: worker.index, process, invoke, complete };
      if (final !== null) final.update?.(ev);
      else this.#d.workload.generator.update?.(ev);
    } finally {
      worker.busy = false;
    }
  }
}

/** Wakes the main loop at a time or on demand (a worker became free, the run aborted). */
class Wake {
  readonly #clock: Clock;
  #timer: Timer | null = null;
  #resolve: (() => void) | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  until(atMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      if (atMs !== Infinity) this.#timer = this.#clock.setTimer(Math.max(0, atMs - this.#clock.now()), () => this.wake());
    });
  }

  wake(): void {
    this.#timer?.cancel();
    this.#timer = null;
    const r = this.#resolve;
    this.#resolve = null;
    r?.();
  }

  cancel(): void {
    this.wake();
  }
}
