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
 */
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock, Timer } from '../node/clock.js';
import { wallNow } from './ambient.js';
import { checkOpRate, composeResults, mergeValid, NetStats, verdictExitCode, withOpRate, type Valid } from './checker/index.js';
import { ClientFactory, type Client } from './client.js';
import { OpGenerator } from './generator.js';
import { History } from './history.js';
import { JournalWriter } from './journal.js';
import type { ExitInfo, HostedNode, NodeHost } from './host.js';
import { judgeRun } from './challenges.js';
import { Nemesis, type NemesisScript, type ProcessControl } from './nemesis.js';
import { Net, NetError } from './net.js';
import { lateStrength, nodeIds, validateOptions, workerCount, type TestOptions } from './options.js';
import { Progress, type ProgressOutput } from './progress.js';
import { Rng } from './rng.js';
import { attachServices } from './services/index.js';
import { RunStore, type LineFile } from './store.js';
import { HISTORY_ORIGIN_KEY, isClientId, type Envelope, type JournalEvent, type Op } from './types.js';
import { parseNodeLine } from './wire.js';
import { RunAbort, RunAborted } from './run/abort.js';
import { clip, Warnings } from './run/warnings.js';
import { BackPressure } from './run/backpressure.js';
import { HarnessMeter, type HarnessFigures } from './run/figures.js';
import { SetupError, workloadDef, type Conn, type FinalGenerator, type OpSpec, type StrictResult, type Workload, type WorkloadDef } from './workloads/index.js';

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
  readonly #host: NodeHost;
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
  readonly #hosted = new Map<string, HostedNode>();
  readonly #nodeLogs = new Map<string, LineFile>();
  readonly #stderrTail = new Map<string, string[]>();
  readonly #warnings: Warnings;
  readonly #stopGraceMs: number;
  readonly #render: boolean;
  #progress: Progress | null = null;
  #nemesis: Nemesis | null = null;
  /** Each node's incarnation (0 at the start, +1 per restart): what an old incarnation still reports is ignored. */
  readonly #generation = new Map<string, number>();
  /** Nodes the nemesis has killed and not yet restarted, and those it has paused. */
  readonly #killedNodes = new Set<string>();
  readonly #pausedNodes = new Set<string>();
  #phase = 'starting';
  readonly #abort: RunAbort;
  #stopping = false;
  #workers: Worker[] = [];
  readonly #figuresInResults: boolean;
  readonly #meter = new HarnessMeter();
  readonly #backPressure: BackPressure;
  readonly #nemesisScript: NemesisScript | undefined;

  constructor(o: TestOptions, deps: RunDeps, seed: number) {
    this.#o = o;
    this.#clock = deps.clock;
    this.#host = deps.host;
    this.#seed = seed;
    this.#rng = deps.rng ?? new Rng(seed);
    this.#out = deps.out ?? null;
    this.#abort = new RunAbort(this.#clock);
    this.#warnings = new Warnings(this.#out);
    this.#stopGraceMs = deps.stopGraceMs ?? 500;
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
      outputs: () => this.#hosted.values(),
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
        await this.#startNodes();
        await this.#initNodes();
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
        await this.#stopNodes();
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
      for (const f of this.#nodeLogs.values()) f.close();
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

  // ---- nodes ------------------------------------------------------------

  async #startNodes(): Promise<void> {
    for (const id of this.#nodes) {
      this.#nodeLogs.set(id, this.#store.lines(path.join('node-logs', `${id}.log`)));
      this.#stderrTail.set(id, []);
      this.#startNode(id);
      this.#net.addEndpoint(id, (_msg, line) => this.#hosted.get(id)!.deliver(line));
    }
  }

  /** Where node `id` keeps what outlives a kill (EDDY_NODE_DIR for a process): `nodes/<id>` in the run's directory. */
  #nodeDir(id: string): string {
    const dir = path.join(this.#store.dir, 'nodes', id);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Starts (or, after a kill, starts again) node `id`; what an older incarnation reports is ignored. */
  #startNode(id: string): void {
    const gen = (this.#generation.get(id) ?? -1) + 1;
    this.#generation.set(id, gen);
    const current = (): boolean => this.#generation.get(id) === gen && !this.#killedNodes.has(id);
    const log = this.#nodeLogs.get(id)!;
    const hosted = this.#host.start(
      id,
      {
        onLine: (line) => {
          if (current()) this.#nodeLine(id, line);
        },
        onStderr: (line) => {
          log.writeLine(line);
          const tail = this.#stderrTail.get(id)!;
          tail.push(line);
          if (tail.length > 10) tail.shift();
          if (this.#o.logStderr) this.#warnings.note(`${id} stderr: ${line}`);
        },
        onExit: (info) => {
          // A kill is the nemesis's doing, not a crash.
          if (current()) this.#nodeExit(id, info);
        },
        // e.g. a stdout line over the host's size limit, which the host discards.
        onError: (sentence) => this.#warnings.warn(`host:${id}:${sentence.slice(0, 60)}`, sentence),
      },
      { dir: this.#nodeDir(id) },
    );
    this.#hosted.set(id, hosted);
  }

  /** The nemesis's hands on the nodes (`--nemesis kill,pause`). */
  readonly #control: ProcessControl = {
    kill: (nodes) => {
      for (const id of nodes) {
        this.#killedNodes.add(id);
        this.#net.setDown(id, new Set());
        const h = this.#hosted.get(id)!;
        if (h.kill !== undefined) void h.kill();
        else void h.stop(0);
      }
    },
    restart: async (nodes) => {
      await Promise.all(nodes.map((id) => this.#restartNode(id)));
    },
    pause: (nodes) => {
      for (const id of nodes) {
        this.#pausedNodes.add(id);
        this.#net.setHeld(id, true);
        this.#hosted.get(id)!.pause?.();
      }
    },
    resume: (nodes) => {
      for (const id of nodes) {
        this.#pausedNodes.delete(id);
        this.#hosted.get(id)!.resume?.();
        this.#net.setHeld(id, false);
      }
    },
  };

  /**
   * A killed node again: a fresh process (or in-process node) with the same
   * id, `init` with the same node list, then the workload's setup for it
   * alone (broadcast: the same topology message). Until it is ready only
   * the clients doing that reach it; other messages are dropped as to a dead node.
   */
  async #restartNode(id: string): Promise<void> {
    const allowed = new Set<string>();
    this.#net.setDown(id, allowed);
    this.#killedNodes.delete(id);
    this.#startNode(id);
    const openClient = (): Client => {
      const c = this.#clients.open();
      allowed.add(c.id);
      return c;
    };
    const client = openClient();
    try {
      const r = await client.rpc(id, { type: 'init', node_id: id, node_ids: this.#nodes }, this.#o.initTimeoutS * 1000);
      if (r.kind === 'timeout') throw new SetupError(id, `Node ${id}, restarted after a kill, did not respond to init within ${this.#o.initTimeoutS} s.`);
      if (r.body.type !== 'init_ok') throw new SetupError(id, `Node ${id}, restarted after a kill, answered init with ${clip(JSON.stringify(r.body))} instead of an init_ok.`);
    } finally {
      client.close();
    }
    await this.#workload.setup({ nodes: this.#nodes, targets: [id], openClient, rpcTimeoutMs: this.#o.rpcTimeoutS * 1000 });
    this.#net.setDown(id, null);
  }

  #nodeLine(id: string, line: string): void {
    if (this.#stopping || this.#abort.failure !== null) return;
    this.#backPressure.countLine(id);
    const parsed = parseNodeLine(id, line);
    if (!parsed.ok) {
      this.#abort.fail(parsed.error);
      return;
    }
    if (parsed.warning !== undefined) this.#warnings.warn(`wire:${id}`, parsed.warning);
    try {
      this.#net.send(parsed.msg, line);
      this.#backPressure.afterSend();
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
      const { src, dest } = parsed.msg;
      if (e.code === 14) return; // the network closed while the node was still talking
      if (isClientId(dest) && src === id) {
        this.#warnings.warn(`stray:${dest}`, `Node ${id} sent a message to client ${dest}, which is closed; nobody waits for it, so it was dropped: ${clip(line)}`);
      } else {
        this.#warnings.warn(`unknown:${id}:${src}:${dest}`, `Node ${id} sent a message from ${src} to ${dest}, but ${this.#net.hasEndpoint(src) ? dest : src} is not in the network (nodes are ${this.#nodes.join(', ')}); the message was dropped: ${clip(line)}`);
      }
    }
  }

  #nodeExit(id: string, info: ExitInfo): void {
    if (this.#stopping) return;
    const how =
      info.error !== undefined
        ? `could not be run (${info.error})`
        : info.signal !== null
          ? `was killed by signal ${info.signal}`
          : `exited with code ${info.code}`;
    const when = this.#phase === 'starting' || this.#phase === 'init' ? 'before the test started' : `during the ${this.#phase} phase`;
    const tail = info.stderrTail.length > 0 ? info.stderrTail : this.#stderrTail.get(id) ?? [];
    const stderr = tail.length > 0 ? ` Its last stderr lines:\n  ${tail.slice(-10).join('\n  ')}` : ' It wrote nothing to stderr.';
    this.#abort.fail(`Node ${id} ${how} ${when}.${stderr}`);
  }

  async #initNodes(): Promise<void> {
    this.#phase = 'init';
    this.#backPressure.resetCounts();
    const timeoutMs = this.#o.initTimeoutS * 1000;
    // Clients are opened in node order before any await, so init clients are c0..c(n-1).
    const calls = this.#nodes.map((id) => {
      const client = this.#clients.open();
      return (async () => {
        try {
          const r = await client.rpc(id, { type: 'init', node_id: id, node_ids: this.#nodes }, timeoutMs);
          if (r.kind === 'timeout') {
            const tail = this.#stderrTail.get(id) ?? [];
            const stderr = tail.length > 0 ? ` Its last stderr lines:\n  ${tail.join('\n  ')}` : '';
            throw new SetupError(id, `Node ${id} did not respond to init within ${this.#o.initTimeoutS} s.${stderr}`);
          }
          if (r.body.type !== 'init_ok') {
            throw new SetupError(id, `Node ${id} answered init with ${clip(JSON.stringify(r.body))} instead of an init_ok.`);
          }
        } finally {
          client.close();
        }
      })();
    });
    await this.#abort.abortable(Promise.all(calls));
  }

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

  async #stopNodes(): Promise<void> {
    this.#stopping = true;
    // A stopped (SIGSTOP) process cannot exit when asked.
    for (const id of this.#pausedNodes) this.#hosted.get(id)?.resume?.();
    this.#pausedNodes.clear();
    // Paused output would keep the nodes' pipes from closing after they exit.
    this.#backPressure.stop();
    const stops = [...this.#hosted.entries()].map(([id, h]) =>
      h.stop(this.#stopGraceMs).then(
        () => undefined,
        (e: unknown) => this.#warnings.warn(`stop:${id}`, `Node ${id} could not be stopped cleanly: ${e instanceof Error ? e.message : String(e)}`),
      ),
    );
    // A host that never reports its node stopped must not hang the run: give
    // up after the grace period plus 5 s and write what was recorded.
    let timer: Timer | null = null;
    const giveUp = new Promise<void>((resolve) => {
      timer = this.#clock.setTimer(this.#stopGraceMs + 5000, () => {
        this.#warnings.warn('stop:timeout', `Some nodes did not stop within ${(this.#stopGraceMs + 5000) / 1000} s of being asked to; eddy went on without them.`);
        resolve();
      });
    });
    await Promise.race([Promise.all(stops), giveUp]);
    (timer as Timer | null)?.cancel();
  }

  // ---- operations ---------------------------------------------------------

  async #mainPhase(): Promise<void> {
    this.#phase = 'main';
    const count = workerCount(this.#o.concurrency, this.#nodes.length);
    this.#workers = Array.from({ length: count }, (_, i) => ({
      index: i,
      node: this.#nodes[i % this.#nodes.length]!,
      process: i,
      client: null,
      state: undefined,
      stale: false,
      busy: false,
    }));
    const startMs = this.#clock.now();
    if (this.#o.nemesis.length > 0 || this.#nemesisScript !== undefined) {
      this.#nemesis = new Nemesis({
        rng: this.#rng,
        net: this.#net,
        control: this.#control,
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
      processOf: (w) => this.#workers[w]!.process,
      nodeCount: this.#nodes.length,
      workerChoice: this.#workload.workerChoice ?? 'round-robin',
      nemesis: this.#nemesis?.timing ?? null,
      // Maelstrom's interpreter issues each operation a little late (generator.ts, latenessMs); its own stream, so no other draw moves.
      lateness: { strength: lateStrength(this.#o), rng: this.#rng.fork('lateness') },
    });
    this.#startProgress(startMs);

    const inflight = new Set<Promise<void>>();
    const wake = new Wake(this.#clock);
    const unregister = this.#abort.onAbort(() => wake.wake());
    // A restart takes time (init, setup): the nemesis does one operation at a time, as Jepsen's does.
    let nemesisBusy = false;
    try {
      for (;;) {
        if (this.#abort.failure !== null) break;
        const p = generator.poll(this.#clock.now(), (w) => !this.#workers[w]!.busy, !nemesisBusy);
        if (p.kind === 'done') break;
        if (p.kind === 'nemesis') {
          const r = this.#nemesis!.invoke(p.f);
          if (r !== undefined) {
            nemesisBusy = true;
            const done: Promise<void> = r
              .catch((e: unknown) => {
                if (e instanceof SetupError) this.#abort.fail(e.message);
                else this.#abort.fail(`eddy itself failed in the nemesis: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
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
      while (inflight.size > 0 && this.#abort.failure === null) await Promise.race([...inflight, this.#abort.promise()]);
    } finally {
      unregister();
      wake.cancel();
    }
    this.#abort.throwIfFailed();
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
    const startMs = this.#clock.now();
    const rng = this.#rng.fork('final');
    let cutoff: Timer | null = null;
    let cut = false;
    const cutWaiters = new Set<() => void>();
    if (final.cutoffMs !== null) {
      cutoff = this.#clock.setTimer(final.cutoffMs, () => {
        cut = true;
        for (const w of cutWaiters) w();
      });
    }
    const sleepUnlessCut = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const t = this.#clock.setTimer(ms, () => {
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
        if (cut || this.#abort.failure !== null) return;
        const nowMs = Math.max(this.#clock.now() - startMs, wokeAtMs);
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
      await this.#abort.abortable(Promise.all(this.#workers.map((w) => runWorker(w))));
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
      worker.client ??= this.#clients.open();
      const process = worker.process;
      const isFinal = final !== null;
      const invoke = this.#history.record({ process, type: 'invoke', f: op.f, value: op.value, final: isFinal });
      const conn: Conn = {
        client: worker.client,
        node: worker.node,
        timeoutMs: this.#workload.rpcTimeoutMs ?? this.#o.rpcTimeoutS * 1000,
        final: isFinal,
        state: worker.state,
      };
      let completion;
      try {
        completion = await this.#workload.invoke(conn, op);
      } catch (e) {
        // As Jepsen's interpreter: an exception in a client makes the operation indeterminate.
        completion = { type: 'info' as const, value: op.value, error: `indeterminate: ${e instanceof Error ? e.message : String(e)}` };
      }
      worker.state = conn.state;
      // After an abort the history ends with open invocations, as Jepsen's does when a test crashes.
      if (this.#abort.failure !== null) return;
      const complete = this.#history.record({ process, type: completion.type, f: op.f, value: completion.value, error: completion.error, final: isFinal });
      if (completion.type === 'info') {
        worker.process += this.#workers.length;
        if (this.#workload.reusableClient) worker.stale = false;
        else worker.stale = true;
      }
      const ev = { worker: worker.index, process, invoke, complete };
      if (final !== null) final.update?.(ev);
      else this.#workload.generator.update?.(ev);
    } finally {
      worker.busy = false;
    }
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
