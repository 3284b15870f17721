/**
 * One test run, start to finish, as Maelstrom runs it (spec section 4):
 * start every node, `init` each within its time limit, let the workload set
 * the cluster up (broadcast: topology), run the main phase (generated
 * operations on client workers, the nemesis alongside) for the time limit,
 * heal, wait for recovery, do the final operations, stop the nodes, check
 * the history and write the results.
 *
 * The runner sees time only through a `Clock`, nodes only through a
 * `NodeHost`, and messages only through the `Net`, so the simulator can run
 * this same code on a VirtualClock with in-process nodes.
 *
 * A run that cannot go on (a node exits, never answers init, breaks the
 * protocol) stops cleanly: whatever was recorded is written, results.json
 * says why in an "error" key, and the outcome carries exit code 3. Problems
 * Maelstrom would shrug off (a reply nobody waits for, a message to a node
 * that does not exist) are reported as warnings and the run goes on.
 *
 * This file is the phase script; the parts it drives live in run/: the
 * nodes (nodes.ts), the client interpreter (interpreter.ts), back-pressure
 * (backpressure.ts), the harness's own figures (figures.ts), the abort
 * machinery (abort.ts) and warnings (warnings.ts).
 */
import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import type { Clock } from '../node/clock.js';
import { wallNow } from './ambient.js';
import { checkOpRate, composeResults, mergeValid, NetStats, verdictExitCode, withOpRate, type Valid } from './checker/index.js';
import { ClientFactory } from './client.js';
import { OpGenerator } from './generator.js';
import { History } from './history.js';
import { JournalWriter } from './journal.js';
import type { NodeHost } from './host.js';
import { judgeRun } from './challenges.js';
import { Nemesis, type NemesisScript } from './nemesis.js';
import { Net } from './net.js';
import { lateStrength, nodeIds, validateOptions, workerCount, type TestOptions } from './options.js';
import { Progress, type ProgressOutput } from './progress.js';
import { Rng } from './rng.js';
import { attachServices } from './services/index.js';
import { RunStore } from './store.js';
import { HISTORY_ORIGIN_KEY, type Envelope, type JournalEvent, type Op } from './types.js';
import { RunAbort, RunAborted } from './run/abort.js';
import { clip, Warnings } from './run/warnings.js';
import { BackPressure } from './run/backpressure.js';
import { HarnessMeter, type HarnessFigures } from './run/figures.js';
import { Interpreter } from './run/interpreter.js';
import { Nodes } from './run/nodes.js';
import { SetupError, workloadDef, type StrictResult, type Workload, type WorkloadDef } from './workloads/index.js';

/**
 * The whole results.json of a run from its history and net figures: the
 * workload's checker inside Maelstrom's composed map, plus "strict" with
 * eddy's own findings, which decide the verdict only under `--strict`.
 * `eddy check` calls the same function.
 */
export function checkRun(
  def: WorkloadDef,
  history: readonly Op[],
  net: ReturnType<NetStats['result']>,
  options: TestOptions,
): { results: Record<string, unknown>; strict: StrictResult | null } {
  let strict: StrictResult | null = null;
  const maelstrom = composeResults(history, net, { availability: options.availability }, () => {
    const out = def.check({ history, options });
    strict = out.strict;
    return out.workload;
  }) as unknown as Record<string, unknown>;
  // eddy's "op-rate" next to "net": operations issued against --rate, read together with msgs-per-op.
  const opRate = checkOpRate(history, { rateHz: options.rateHz, timeLimitS: options.timeLimitS, lateness: lateStrength(options), msgsPerOp: net.servers['msgs-per-op'] ?? null });
  const composed = withOpRate(maelstrom, opRate);
  const s = strict as StrictResult | null;
  if (s === null) return { results: composed, strict: null };
  const results: Record<string, unknown> = { ...composed, strict: s };
  if (options.strict) results['valid?'] = mergeValid([composed['valid?'], s['valid?']]);
  return { results, strict: s };
}

/** Exit code of a run that could not be carried out. */
export const EXIT_RUN_FAILED = 3;

export interface RunDeps {
  /** All timing of the run. RealClock for `eddy test`, VirtualClock for `eddy sim`. */
  clock: Clock;
  /** Starts the nodes under test. */
  host: NodeHost;
  /** Root of every random choice; defaults to `new Rng(seed)`. */
  rng?: Rng;
  /** Progress and notices (stderr in the CLI); nothing is printed when absent. */
  out?: ProgressOutput;
  /** Names the run's directory; defaults to the wall-clock time. */
  startedAt?: Date;
  /**
   * Draw the pictures (src/viz) before returning. The CLI turns this off to
   * print the verdict first and draw afterwards with `renderPictures`.
   * @default true
   */
  render?: boolean;
  /** Aborting it stops the run cleanly (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /** Told the run's directory as soon as it exists (a supervisor that may have to finish the run's files). */
  onStore?(dir: string): void;
  /**
   * Wall-clock ms the journal may hold events before writing them. A
   * simulation, which covers seconds of test time per millisecond, passes 1
   * so that a run stopped from outside has its journal on disk.
   * @default 250
   */
  journalFlushMs?: number;
  /** Grace period for nodes to exit at the end before they are killed. @default 500 */
  stopGraceMs?: number;
  /**
   * Put the harness's own figures (wall time, overrun past the time limit,
   * peak memory, timer lateness) in results.json under "harness". They are
   * always written to harness.json; `eddy sim` turns this off so that its
   * results.json stays a pure function of the seed.
   * @default true
   */
  harnessFiguresInResults?: boolean;
  /**
   * Most the network may hold undelivered (messages, characters of their
   * lines) before eddy stops reading the nodes' output until it halves.
   * @default { messages: 500000, chars: 134217728 }
   */
  backlogMax?: { messages: number; chars: number };
  /** Faults (and probes) at scripted times instead of `--nemesis`'s random ones (see nemesis.ts); none by default. */
  nemesisScript?: NemesisScript;
}

export type { HarnessFigures };

export interface RunOutcome {
  /** The results.json object. */
  results: Record<string, unknown>;
  /** 0 valid, 1 invalid, 2 unknown, 3 the run could not be carried out. */
  exitCode: number;
  /** The run's directory in the store. */
  dir: string;
  seed: number;
  /** One sentence on why the run stopped, or null if it ran to the end. */
  error: string | null;
  /** The history, for callers that check more. */
  history: readonly Op[];
  /** Wall time spent drawing the pictures after the run (ms), or null when they were not drawn. */
  renderMs: number | null;
}

/** The store directory cannot be created or written: nothing can be recorded, so the run does not start. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}


/** Runs one test. Never throws for anything a node does; throws only for harness bugs and a store it cannot write. */
export async function runTest(options: TestOptions, deps: RunDeps): Promise<RunOutcome> {
  validateOptions(options);
  const seed = options.seed ?? randomInt(0, 2 ** 48 - 1);
  const run = new Run({ ...options, seed }, deps, seed);
  return run.execute();
}

/** What each service answers, for the sentence about a request it does not know. */
const SERVICE_REQUESTS: Record<string, string> = {
  'lin-kv': 'it answers read, write and cas',
  'seq-kv': 'it answers read, write and cas',
  'lww-kv': 'it answers read, write and cas',
  'lin-tso': 'it answers ts',
};

class Run {
  readonly #o: TestOptions;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #out: ProgressOutput | null;
  readonly #seed: number;
  readonly #nodes: string[];
  readonly #def: WorkloadDef;
  readonly #workload: Workload;
  readonly #store: RunStore;
  readonly #startMs: number;
  /** What test.json says of the run (the options, seed and nodes). */
  #testRecord: Record<string, unknown> = {};
  readonly #history: History;
  readonly #journal: JournalWriter;
  readonly #netStats = new NetStats();
  readonly #net: Net;
  readonly #clients: ClientFactory;
  readonly #warnings: Warnings;
  readonly #render: boolean;
  #progress: Progress | null = null;
  #nemesis: Nemesis | null = null;
  #phase = 'starting';
  readonly #abort: RunAbort;
  /** The client interpreter, from the main phase on. */
  #interpreter: Interpreter | null = null;
  readonly #figuresInResults: boolean;
  readonly #meter = new HarnessMeter();
  readonly #backPressure: BackPressure;
  readonly #cluster: Nodes;
  readonly #nemesisScript: NemesisScript | undefined;

  constructor(o: TestOptions, deps: RunDeps, seed: number) {
    this.#o = o;
    this.#clock = deps.clock;
    this.#seed = seed;
    this.#rng = deps.rng ?? new Rng(seed);
    this.#out = deps.out ?? null;
    this.#abort = new RunAbort(this.#clock);
    this.#warnings = new Warnings(this.#out);
    this.#render = deps.render ?? true;
    this.#figuresInResults = deps.harnessFiguresInResults ?? true;
    this.#nemesisScript = deps.nemesisScript;

    this.#nodes = nodeIds(o.nodeCount);
    this.#def = workloadDef(o.workload);
    this.#workload = this.#def.create(o);
    try {
      this.#store = RunStore.create(o.store, o.workload, deps.startedAt ?? new Date());
    } catch (e) {
      throw new StoreError(`Cannot write the run's files under --store ${o.store}: ${e instanceof Error ? e.message : String(e)}.`);
    }
    this.#testRecord = { name: o.workload, ...o, seed, nodes: this.#nodes };
    this.#store.writeJson('test.json', this.#testRecord);
    deps.onStore?.(this.#store.dir);
    this.#startMs = this.#clock.now();
    this.#history = new History(this.#clock, this.#startMs, this.#store.lines('history.jsonl'));
    this.#journal = new JournalWriter({ path: path.join(this.#store.dir, 'journal.jsonl'), flushIntervalMs: deps.journalFlushMs });
    this.#net = new Net({
      clock: this.#clock,
      rng: this.#rng.fork('net'),
      latencyMs: o.latencyMs,
      latencyDist: o.latencyDist,
      delivery: o.idealNetworkUnlikeMaelstrom ? 'ideal-not-maelstrom' : 'maelstrom',
      startMs: this.#startMs,
      onJournal: (ev, line) => {
        this.#journal.add(ev, line);
        this.#netStats.add(ev);
        if (ev.type === 'send' ? o.logNetSend : o.logNetRecv) this.#warnings.note(`:${ev.type} ${line}`);
      },
    });
    this.#backPressure = new BackPressure({
      clock: this.#clock,
      net: this.#net,
      outputs: () => this.#cluster.outputs(),
      warn: (key, sentence) => this.#warnings.warn(key, sentence),
      max: deps.backlogMax,
    });
    attachServices(this.#net, this.#rng.fork('services'), {
      onUnknown: (service, src, type) =>
        this.#warnings.warn(
          `service:${service}:${src}:${type}`,
          `Node ${src} sent ${service} a message of type ${JSON.stringify(type)}, which ${service} does not know (${SERVICE_REQUESTS[service] ?? 'it has no such request'}); as in Maelstrom, it got no reply.`,
        ),
    });
    this.#clients = new ClientFactory(this.#net, this.#clock, (client, msg) => this.#stray(client.id, msg));
    this.#cluster = new Nodes({
      ids: this.#nodes,
      clock: this.#clock,
      host: deps.host,
      net: this.#net,
      store: this.#store,
      clients: this.#clients,
      workload: this.#workload,
      options: o,
      abort: this.#abort,
      warnings: this.#warnings,
      backPressure: this.#backPressure,
      phase: () => this.#phase,
      stopGraceMs: deps.stopGraceMs ?? 500,
    });
    this.#signal = deps.signal ?? null;
    this.#signal?.addEventListener('abort', this.#onInterrupt, { once: true });
    if (this.#signal?.aborted) this.#onInterrupt();
  }

  readonly #signal: AbortSignal | null;
  readonly #onInterrupt = (): void => this.#abort.fail('The run was interrupted.');

  async execute(): Promise<RunOutcome> {
    this.#warnings.note(`Running ${this.#o.workload} on ${this.#nodes.length} nodes of ${this.#o.bin}; seed ${this.#seed} (replay with --seed ${this.#seed})`);
    let results: Record<string, unknown> = {};
    let exitCode: number = EXIT_RUN_FAILED;
    try {
      try {
        this.#cluster.startAll();
        this.#phase = 'init';
        this.#backPressure.resetCounts();
        await this.#cluster.init();
        this.#startHistory();
        this.#phase = 'setup';
        // Start-up (spawning, booting nodes) is not what these figures are about.
        this.#meter.startRouting(this.#net.counts().sent, this.#figuresInResults);
        await this.#abort.abortable(this.#workload.setup({ nodes: this.#nodes, openClient: () => this.#clients.open(), rpcTimeoutMs: this.#o.rpcTimeoutS * 1000 }));
        await this.#mainPhase();
        await this.#finalPhase();
      } catch (e) {
        if (e instanceof SetupError) this.#abort.fail(e.message);
        else if (!(e instanceof RunAborted)) throw e;
      } finally {
        this.#meter.endRouting(this.#net.counts().sent);
        this.#progress?.stop();
        this.#clients.closeAll();
        await this.#cluster.stopAll();
        this.#net.close();
      }
      results = this.#check();
      exitCode = this.#abort.failure !== null ? EXIT_RUN_FAILED : verdictExitCode(results['valid?'] as Valid);
    } catch (e) {
      // A harness bug: still leave the records and say what happened.
      this.#abort.fail(`eddy itself failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      results = { 'valid?': 'unknown', error: this.#abort.failure };
      exitCode = EXIT_RUN_FAILED;
    } finally {
      if (this.#abort.failure !== null) {
        results = { ...results, 'valid?': 'unknown', error: this.#abort.failure };
      }
      const warnings = this.#warnings.list();
      if (warnings.length > 0) results['warnings'] = warnings;
      // Judged last, on the verdict as it stands (a run that could not be carried out is not valid).
      if (this.#o.challenge !== null) results['challenge'] = judgeRun(this.#o, results);
      // Held-back time still running counts up to now.
      this.#backPressure.release();
      const figures = this.#meter.figures({
        routedCount: this.#net.counts().sent,
        timeLimitS: this.#o.timeLimitS,
        recoveryS: this.#workload.final === null ? 0 : this.#o.recoveryS,
        holdBack: this.#backPressure.figures(),
      });
      if (this.#figuresInResults) results['harness'] = figures;
      try {
        this.#store.writeJson('harness.json', figures);
      } catch {
        // Only figures; results.json below is what matters.
      }
      this.#store.writeJson('results.json', results);
      this.#store.close();
      await this.#journal.close().catch((e: unknown) => this.#warnings.note(`Could not finish journal.jsonl: ${e instanceof Error ? e.message : String(e)}`));
      this.#cluster.closeLogs();
    }
    this.#signal?.removeEventListener('abort', this.#onInterrupt);
    let renderMs: number | null = null;
    if (this.#render) {
      const t0 = wallNow();
      // The journal's first events and the history are still in memory: the pictures need not parse them again.
      await renderPictures(this.#store.dir, (m) => this.#warnings.note(m), { firstEvents: this.#journal.firstEvents, history: this.#history.ops });
      renderMs = wallNow() - t0;
    }
    return { results, exitCode, dir: this.#store.dir, seed: this.#seed, error: this.#abort.failure, history: this.#history.ops, renderMs };
  }

  // ---- history ----------------------------------------------------------

  /**
   * Time 0 of the history is now, with every node up and initialised, as
   * Jepsen starts its relative time after database setup (Maelstrom's init
   * is part of that). The journal counts from the harness's start, so
   * test.json says where history time 0 falls on the journal's clock.
   */
  #startHistory(): void {
    const now = this.#clock.now();
    this.#history.startAt(now);
    const originNs = Math.round((now - this.#startMs) * 1e6);
    this.#store.writeJson('test.json', { ...this.#testRecord, [HISTORY_ORIGIN_KEY]: originNs });
  }

  // ---- operations ---------------------------------------------------------

  async #mainPhase(): Promise<void> {
    this.#phase = 'main';
    const count = workerCount(this.#o.concurrency, this.#nodes.length);
    const interpreter = new Interpreter({
      clock: this.#clock,
      clients: this.#clients,
      history: this.#history,
      workload: this.#workload,
      abort: this.#abort,
      nodes: this.#nodes,
      workerCount: count,
      rpcTimeoutS: this.#o.rpcTimeoutS,
    });
    this.#interpreter = interpreter;
    const startMs = this.#clock.now();
    if (this.#o.nemesis.length > 0 || this.#nemesisScript !== undefined) {
      this.#nemesis = new Nemesis({
        rng: this.#rng,
        net: this.#net,
        control: this.#cluster.control,
        history: this.#history,
        nodes: this.#nodes,
        faults: this.#o.nemesis,
        intervalS: this.#o.nemesisIntervalS,
        script: this.#nemesisScript,
        clock: this.#clock,
      });
    }
    const generator = new OpGenerator({
      rateHz: this.#o.rateHz,
      workerCount: count,
      rng: this.#rng.fork('generator'),
      timeLimitMs: this.#o.timeLimitS * 1000,
      startMs,
      generator: this.#workload.generator,
      processOf: (w) => interpreter.processOf(w),
      nodeCount: this.#nodes.length,
      workerChoice: this.#workload.workerChoice ?? 'round-robin',
      nemesis: this.#nemesis?.timing ?? null,
      // Maelstrom's interpreter issues each operation a little late (generator.ts, latenessMs); its own stream, so no other draw moves.
      lateness: { strength: lateStrength(this.#o), rng: this.#rng.fork('lateness') },
    });
    this.#startProgress(startMs);
    await interpreter.main(generator, this.#nemesis);
  }


  #startProgress(startMs: number): void {
    if (this.#out === null || this.#o.quiet) return;
    this.#progress = new Progress(this.#clock, this.#out, () => {
      const c = this.#history.counts;
      return {
        phase: this.#phase,
        elapsedS: (this.#clock.now() - startMs) / 1000,
        limitS: this.#o.timeLimitS,
        ok: c.ok,
        fail: c.fail,
        info: c.info,
        messages: this.#net.counts().sent,
        partitioned: this.#nemesis?.partitioned ?? false,
        ...(this.#nemesis !== null && !this.#nemesis.maelstromOnly ? { active: this.#nemesis.active() } : {}),
      };
    });
    this.#warnings.progress = this.#progress;
    this.#progress.start();
  }

  async #finalPhase(): Promise<void> {
    const final = this.#workload.final;
    // Workloads without a final generator end at the time limit, partitions and all (spec 1.2);
    // dead nodes are started again and paused ones resumed, so that they stop as asked.
    if (final === null) {
      await this.#abort.abortable(this.#nemesis?.heal(false) ?? Promise.resolve());
      return;
    }
    // Maelstrom always ends the nemesis with a stop-partition, whatever its state; eddy's faults end too.
    await this.#abort.abortable(this.#nemesis?.heal() ?? Promise.resolve());
    this.#phase = 'recovery';
    this.#warnings.note('Waiting for recovery...');
    await this.#abort.sleep(this.#o.recoveryS * 1000);
    this.#phase = 'final';
    await this.#interpreter!.final(final, this.#rng.fork('final'));
  }

  // ---- checking -----------------------------------------------------------

  #check(): Record<string, unknown> {
    const opCount = this.#history.counts.invoke;
    const netResult = this.#netStats.result(opCount);
    const { results, strict } = checkRun(this.#def, this.#history.ops, netResult, this.#o);
    if (strict !== null && strict['valid?'] !== true && !this.#o.strict) {
      for (const f of strict.findings.slice(0, 10)) this.#warnings.warn(`strict:${f.slice(0, 80)}`, `${f} (an eddy check beyond Maelstrom's; --strict makes it decide the verdict)`);
    }
    return results;
  }

  // ---- output -------------------------------------------------------------

  #stray(clientId: string, msg: Envelope): void {
    this.#warnings.warn(`stray:${clientId}:${msg.src}`, `Client ${clientId} got a message nobody waits for from ${msg.src} (a late or unexpected reply), ignored: ${clip(JSON.stringify(msg.body))}`);
  }
}

/**
 * Draws the pictures of a finished run when the viz part of eddy is
 * present (src/viz/index.ts exports `renderRun(dir, opts)`). A drawing failure is
 * reported but never changes the verdict. `inMemory` passes on what the caller
 * still holds of the run (the journal's first events, the history), so the
 * pictures need not parse those files again.
 */
export async function renderPictures(
  dir: string,
  note: (line: string) => void,
  inMemory: { firstEvents?: JournalEvent[]; history?: readonly Op[] } = {},
): Promise<string[]> {
  let mod: { renderRun?: (dir: string, opts: typeof inMemory) => unknown };
  try {
    mod = (await import('../viz/index.js')) as typeof mod;
  } catch {
    return [];
  }
  if (typeof mod.renderRun !== 'function') return [];
  try {
    const files = await mod.renderRun(dir, inMemory);
    return Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [];
  } catch (e) {
    note(`Could not draw the pictures for ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}
