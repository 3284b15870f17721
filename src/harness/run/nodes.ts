/**
 * The nodes under test, as the run sees them: starting each through the
 * `NodeHost`, `init` within its time limit, every line a node writes onto
 * the network (or a warning, or the sentence that stops the run), its
 * stderr into its log with the last lines kept for the sentences, the
 * nemesis's hands on them (kill, restart, pause, resume), and stopping them
 * all at the end. An exit that nobody asked for stops the run with one
 * sentence naming the node, how it ended, in which phase, and its last
 * stderr lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock, Timer } from '../../node/clock.js';
import type { Client, ClientFactory } from '../client.js';
import type { ExitInfo, HostedNode, NodeHost } from '../host.js';
import type { ProcessControl } from '../nemesis.js';
import { NetError, type Net } from '../net.js';
import type { TestOptions } from '../options.js';
import type { LineFile, RunStore } from '../store.js';
import { isClientId } from '../types.js';
import { parseNodeLine } from '../wire.js';
import { SetupError, type Workload } from '../workloads/index.js';
import type { RunAbort } from './abort.js';
import type { BackPressure } from './backpressure.js';
import { clip, type Warnings } from './warnings.js';

/** Lines of a node's stderr kept to quote when it fails. */
const STDERR_TAIL_LINES = 10;

export interface NodesDeps {
  ids: readonly string[];
  clock: Clock;
  host: NodeHost;
  net: Net;
  store: RunStore;
  clients: ClientFactory;
  workload: Workload;
  options: Pick<TestOptions, 'initTimeoutS' | 'rpcTimeoutS' | 'logStderr'>;
  abort: RunAbort;
  warnings: Warnings;
  backPressure: BackPressure;
  /** The run's phase now, for the sentence about a node that exits. */
  phase: () => string;
  /** Grace period for nodes to exit at the end before they are killed. */
  stopGraceMs: number;
}

export class Nodes {
  readonly #d: NodesDeps;
  readonly #hosted = new Map<string, HostedNode>();
  readonly #logs = new Map<string, LineFile>();
  readonly #stderrTail = new Map<string, string[]>();
  /** Each node's incarnation (0 at the start, +1 per restart): what an old incarnation still reports is ignored. */
  readonly #generation = new Map<string, number>();
  /** Nodes the nemesis has killed and not yet restarted, and those it has paused. */
  readonly #killed = new Set<string>();
  readonly #paused = new Set<string>();
  #stopping = false;

  constructor(deps: NodesDeps) {
    this.#d = deps;
  }

  /** The nodes' outputs as they are now, for back-pressure (a restarted node has a new one). */
  outputs(): Iterable<HostedNode> {
    return this.#hosted.values();
  }

  /** Starts every node and puts it on the network. */
  startAll(): void {
    for (const id of this.#d.ids) {
      this.#logs.set(id, this.#d.store.lines(path.join('node-logs', `${id}.log`)));
      this.#stderrTail.set(id, []);
      this.#start(id);
      this.#d.net.addEndpoint(id, (_msg, line) => this.#hosted.get(id)!.deliver(line));
    }
  }

  /** `init` on every node at once; throws SetupError naming the first that does not answer with an init_ok in time. */
  async init(): Promise<void> {
    const { initTimeoutS } = this.#d.options;
    const ids = this.#d.ids;
    // Clients are opened in node order before any await, so init clients are c0..c(n-1).
    const calls = ids.map((id) => {
      const client = this.#d.clients.open();
      return (async () => {
        try {
          const r = await client.rpc(id, { type: 'init', node_id: id, node_ids: ids }, initTimeoutS * 1000);
          if (r.kind === 'timeout') {
            const tail = this.#stderrTail.get(id) ?? [];
            const stderr = tail.length > 0 ? ` Its last stderr lines:\n  ${tail.join('\n  ')}` : '';
            throw new SetupError(id, `Node ${id} did not respond to init within ${initTimeoutS} s.${stderr}`);
          }
          if (r.body.type !== 'init_ok') {
            throw new SetupError(id, `Node ${id} answered init with ${clip(JSON.stringify(r.body))} instead of an init_ok.`);
          }
        } finally {
          client.close();
        }
      })();
    });
    await this.#d.abort.abortable(Promise.all(calls));
  }

  /** The nemesis's hands on the nodes (`--nemesis kill,pause`). */
  readonly control: ProcessControl = {
    kill: (nodes) => {
      for (const id of nodes) {
        this.#killed.add(id);
        this.#d.net.setDown(id, new Set());
        const h = this.#hosted.get(id)!;
        if (h.kill !== undefined) void h.kill();
        else void h.stop(0);
      }
    },
    restart: async (nodes) => {
      await Promise.all(nodes.map((id) => this.#restart(id)));
    },
    pause: (nodes) => {
      for (const id of nodes) {
        this.#paused.add(id);
        this.#d.net.setHeld(id, true);
        this.#hosted.get(id)!.pause?.();
      }
    },
    resume: (nodes) => {
      for (const id of nodes) {
        this.#paused.delete(id);
        this.#hosted.get(id)!.resume?.();
        this.#d.net.setHeld(id, false);
      }
    },
  };

  /** Asks every node to stop; from here on nothing a node does is held against the run. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    const { clock, stopGraceMs, warnings } = this.#d;
    // A stopped (SIGSTOP) process cannot exit when asked.
    for (const id of this.#paused) this.#hosted.get(id)?.resume?.();
    this.#paused.clear();
    // Paused output would keep the nodes' pipes from closing after they exit.
    this.#d.backPressure.stop();
    const stops = [...this.#hosted.entries()].map(([id, h]) =>
      h.stop(stopGraceMs).then(
        () => undefined,
        (e: unknown) => warnings.warn(`stop:${id}`, `Node ${id} could not be stopped cleanly: ${e instanceof Error ? e.message : String(e)}`),
      ),
    );
    // A host that never reports its node stopped must not hang the run: give
    // up after the grace period plus 5 s and write what was recorded.
    let timer: Timer | null = null;
    const giveUp = new Promise<void>((resolve) => {
      timer = clock.setTimer(stopGraceMs + 5000, () => {
        warnings.warn('stop:timeout', `Some nodes did not stop within ${(stopGraceMs + 5000) / 1000} s of being asked to; eddy went on without them.`);
        resolve();
      });
    });
    await Promise.race([Promise.all(stops), giveUp]);
    (timer as Timer | null)?.cancel();
  }

  closeLogs(): void {
    for (const f of this.#logs.values()) f.close();
  }

  /** Where node `id` keeps what outlives a kill (EDDY_NODE_DIR for a process): `nodes/<id>` in the run's directory. */
  #dir(id: string): string {
    const dir = path.join(this.#d.store.dir, 'nodes', id);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Starts (or, after a kill, starts again) node `id`; what an older incarnation reports is ignored. */
  #start(id: string): void {
    const gen = (this.#generation.get(id) ?? -1) + 1;
    this.#generation.set(id, gen);
    const current = (): boolean => this.#generation.get(id) === gen && !this.#killed.has(id);
    const log = this.#logs.get(id)!;
    const hosted = this.#d.host.start(
      id,
      {
        onLine: (line) => {
          if (current()) this.#line(id, line);
        },
        onStderr: (line) => {
          log.writeLine(line);
          const tail = this.#stderrTail.get(id)!;
          tail.push(line);
          if (tail.length > STDERR_TAIL_LINES) tail.shift();
          if (this.#d.options.logStderr) this.#d.warnings.note(`${id} stderr: ${line}`);
        },
        onExit: (info) => {
          // A kill is the nemesis's doing, not a crash.
          if (current()) this.#exit(id, info);
        },
        // e.g. a stdout line over the host's size limit, which the host discards.
        onError: (sentence) => this.#d.warnings.warn(`host:${id}:${sentence.slice(0, 60)}`, sentence),
      },
      { dir: this.#dir(id) },
    );
    this.#hosted.set(id, hosted);
  }

  /**
   * A killed node again: a fresh process (or in-process node) with the same
   * id, `init` with the same node list, then the workload's setup for it
   * alone (broadcast: the same topology message). Until it is ready only
   * the clients doing that reach it; other messages are dropped as to a dead node.
   */
  async #restart(id: string): Promise<void> {
    const { net, clients, options, workload } = this.#d;
    const ids = this.#d.ids;
    const allowed = new Set<string>();
    net.setDown(id, allowed);
    this.#killed.delete(id);
    this.#start(id);
    const openClient = (): Client => {
      const c = clients.open();
      allowed.add(c.id);
      return c;
    };
    const client = openClient();
    try {
      const r = await client.rpc(id, { type: 'init', node_id: id, node_ids: ids }, options.initTimeoutS * 1000);
      if (r.kind === 'timeout') throw new SetupError(id, `Node ${id}, restarted after a kill, did not respond to init within ${options.initTimeoutS} s.`);
      if (r.body.type !== 'init_ok') throw new SetupError(id, `Node ${id}, restarted after a kill, answered init with ${clip(JSON.stringify(r.body))} instead of an init_ok.`);
    } finally {
      client.close();
    }
    await workload.setup({ nodes: ids, targets: [id], openClient, rpcTimeoutMs: options.rpcTimeoutS * 1000 });
    net.setDown(id, null);
  }

  #line(id: string, line: string): void {
    const { abort, backPressure, warnings, net } = this.#d;
    if (this.#stopping || abort.failure !== null) return;
    backPressure.countLine(id);
    const parsed = parseNodeLine(id, line);
    if (!parsed.ok) {
      abort.fail(parsed.error);
      return;
    }
    if (parsed.warning !== undefined) warnings.warn(`wire:${id}`, parsed.warning);
    try {
      net.send(parsed.msg, line);
      backPressure.afterSend();
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
      const { src, dest } = parsed.msg;
      if (e.code === 14) return; // the network closed while the node was still talking
      if (isClientId(dest) && src === id) {
        warnings.warn(`stray:${dest}`, `Node ${id} sent a message to client ${dest}, which is closed; nobody waits for it, so it was dropped: ${clip(line)}`);
      } else {
        warnings.warn(`unknown:${id}:${src}:${dest}`, `Node ${id} sent a message from ${src} to ${dest}, but ${net.hasEndpoint(src) ? dest : src} is not in the network (nodes are ${this.#d.ids.join(', ')}); the message was dropped: ${clip(line)}`);
      }
    }
  }

  #exit(id: string, info: ExitInfo): void {
    if (this.#stopping) return;
    const how =
      info.error !== undefined
        ? `could not be run (${info.error})`
        : info.signal !== null
          ? `was killed by signal ${info.signal}`
          : `exited with code ${info.code}`;
    const phase = this.#d.phase();
    const when = phase === 'starting' || phase === 'init' ? 'before the test started' : `during the ${phase} phase`;
    const tail = info.stderrTail.length > 0 ? info.stderrTail : this.#stderrTail.get(id) ?? [];
    const stderr = tail.length > 0 ? ` Its last stderr lines:\n  ${tail.slice(-STDERR_TAIL_LINES).join('\n  ')}` : ' It wrote nothing to stderr.';
    this.#d.abort.fail(`Node ${id} ${how} ${when}.${stderr}`);
  }
}
