/**
 * Runs server nodes inside the harness's own process, for `eddy sim`: each
 * node is built by a node module's `createNode(env)` on a `MemoryTransport`,
 * the run's shared clock (a `VirtualClock` in simulation) and a seeded
 * random stream of its own, so that a whole cluster is a pure function of
 * the seed. The runner sees the same `NodeHost` interface as with child
 * processes: lines in, stdout lines / log lines / exit out.
 *
 * What a node does wrong inside a handler is the node library's business
 * (it answers with a crash error and keeps serving). What stops a node from
 * existing at all — a module without `createNode`, a factory that throws —
 * is reported naming the module, so the user knows which file to fix.
 */

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock, Timer } from '../../node/clock.js';
import { MemoryDisk } from '../../node/disk.js';
import { MemoryTransport } from '../../node/memory.js';
import type { NodeEnv } from '../../node/node.js';
import type { ExitInfo, HostedNode, NodeHandlers, NodeHost, StartOptions } from '../host.js';
import { Rng } from '../rng.js';
import { ENTRY, type ActivityBoard, type EntryKind } from '../stall.js';
import { isTypeScript, registerTypeScript } from './typescript.js';

/** What `createNode` must return: something that runs until its input ends. */
export interface RunnableNode {
  run(): Promise<void>;
}

/** A node module as the simulator uses it. */
export interface NodeModule {
  /** Where it came from, for messages (a path or a name). */
  readonly name: string;
  /** An import()-able URL of the module, so that worker threads can load it too. */
  readonly url?: string;
  createNode(env: NodeEnv): RunnableNode;
}

export interface InProcHostOptions {
  /** The module that builds each node. */
  module: NodeModule;
  /** The run's clock; every node shares it. */
  clock: Clock;
  /** The run's seed: node `id` draws its randomness from `Rng(seed).fork('nodes').fork(id)`. */
  seed: number;
  /** Arguments for every node (`NodeEnv.args`, what follows `--`). @default [] */
  args?: readonly string[];
  /** How many stderr lines to keep for `ExitInfo`. @default 32 (as the process host) */
  tailLines?: number;
  /** Where every entry into node code is noted, for a watchdog on another thread (see stall.ts). */
  board?: ActivityBoard;
}

/** The options with their defaults filled in. */
type HostConfig = Required<Omit<InProcHostOptions, 'board'>> & { board: ActivityBoard | undefined };

export class InProcHost implements NodeHost {
  readonly #o: HostConfig;
  readonly #nodeRngs: Rng;
  readonly #nodes: InProcNode[] = [];
  /** The latest incarnation of each node id (a killed node is started again under the same id). */
  readonly #latest = new Map<string, InProcNode>();
  /** Each node's disk, kept across its restarts. */
  readonly #disks = new Map<string, MemoryDisk>();
  readonly #starts = new Map<string, number>();

  constructor(options: InProcHostOptions) {
    this.#o = { args: [], tailLines: 32, board: undefined, ...options };
    this.#nodeRngs = new Rng(options.seed).fork('nodes');
  }

  start(id: string, handlers: NodeHandlers, _opts?: StartOptions): HostedNode {
    this.#o.board?.arm(true);
    // A restarted node draws from a stream of its own: the first life keeps fork(id), as always.
    const starts = this.#starts.get(id) ?? 0;
    this.#starts.set(id, starts + 1);
    const rng = starts === 0 ? this.#nodeRngs.fork(id) : this.#nodeRngs.fork(`${id}#${starts}`);
    let disk = this.#disks.get(id);
    if (disk === undefined) this.#disks.set(id, (disk = new MemoryDisk()));
    const index = this.#latest.has(id) ? this.#latest.get(id)!.index : this.#latest.size;
    const node = new InProcNode(id, index, this.#o, rng, disk, handlers, () => {
      // Once every node has ended only the harness runs (checking can take long): nothing to watch.
      if (this.allExited) this.#o.board?.arm(false);
    });
    this.#nodes.push(node);
    this.#latest.set(id, node);
    return node;
  }

  /**
   * What `createNode` returned for each node id, its latest incarnation (a
   * node whose factory threw is absent), for probes that look inside a
   * simulated run. Reading a node's state is harmless; calling into it is
   * node code run outside any delivery or timer, on the run's clock.
   */
  get built(): ReadonlyMap<string, RunnableNode> {
    const out = new Map<string, RunnableNode>();
    for (const [id, n] of this.#latest) if (n.built !== null) out.set(id, n.built);
    return out;
  }

  /**
   * True once nodes were started and every one has ended. The simulated
   * part of a run is then over: the simulator stops moving the clock, so
   * that timers left behind (e.g. an init timeout after an aborted start)
   * do not fire while the runner writes its files.
   */
  get allExited(): boolean {
    // A killed node is to be started again: the simulation is not over.
    return this.#latest.size > 0 && [...this.#latest.values()].every((n) => n.exited && !n.killed);
  }
}

class InProcNode implements HostedNode {
  readonly #clock: Clock;
  readonly #id: string;
  readonly index: number;
  readonly #disk: MemoryDisk;
  /** Paused (`--nemesis pause`): timers that came due wait here, in order. */
  #paused = false;
  #heldTimers: (() => void)[] = [];
  readonly #board: ActivityBoard | undefined;
  readonly #onEnded: () => void;
  readonly #handlers: NodeHandlers;
  readonly #transport = new MemoryTransport();
  readonly #stderrTail: string[] = [];
  readonly #tailLines: number;
  /** Settles once with how the node ended. */
  readonly #exited: Promise<ExitInfo>;
  #resolveExit!: (info: ExitInfo) => void;
  #exit: ExitInfo | null = null;
  #stopRequested = false;
  /** What createNode returned; null until then, or when it threw. */
  built: RunnableNode | null = null;

  constructor(id: string, index: number, o: HostConfig, rng: Rng, disk: MemoryDisk, handlers: NodeHandlers, onEnded: () => void) {
    this.#clock = o.clock;
    this.index = index;
    this.#disk = disk;
    this.#board = o.board;
    this.#onEnded = onEnded;
    this.#handlers = handlers;
    this.#tailLines = o.tailLines;
    this.#exited = new Promise<ExitInfo>((resolve) => (this.#resolveExit = resolve));
    this.#transport.onOutput((line) => {
      if (this.#exit === null) handlers.onLine(line);
    });
    this.#transport.onLog((line) => {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > this.#tailLines) this.#stderrTail.shift();
      handlers.onStderr(line);
    });

    this.#id = id;
    // The node's view of the run's clock: its timers run as this node's code (see #guard).
    const shared = o.clock;
    const clock: Clock = {
      now: () => shared.now(),
      setTimer: (delayMs, fn) =>
        shared.setTimer(delayMs, () => {
          if (this.#paused) this.#heldTimers.push(fn);
          else this.#guard(ENTRY.timer, fn);
        }),
    };
    this.#guard(ENTRY.start, () => this.#build(id, o, clock, rng));
  }

  /**
   * Runs node code as a process would run it: noted on the board (if any),
   * and an exception nothing inside the node caught ends the node (exit
   * code 1, the stack on its stderr) rather than the harness. A node that
   * has ended runs nothing more, as a dead process would not.
   */
  #guard(kind: EntryKind, fn: () => void): void {
    if (this.#exit !== null) return;
    this.#board?.enter(this.index, kind, this.#clock.now());
    try {
      fn();
    } catch (e) {
      this.#handlers.onStderr(`node ${this.#id} crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.#ended({ code: 1, signal: null });
    } finally {
      this.#board?.leave();
    }
  }

  #build(id: string, o: HostConfig, clock: Clock, rng: Rng): void {
    let node: RunnableNode;
    try {
      node = o.module.createNode({ transport: this.#transport, clock, args: [...o.args], random: () => rng.float(), disk: this.#disk });
      if (node === null || typeof node !== 'object' || typeof node.run !== 'function') {
        throw new TypeError(`it returned ${describe(node)}, expected a Node (an object with a run() method)`);
      }
      checkWiring(node);
      this.built = node;
    } catch (e) {
      // The runner learns of it the way it learns of a process that would not
      // start: an exit, reported after start() has returned.
      const reason = `createNode of ${o.module.name} threw for node ${id}: ${e instanceof Error ? e.message : String(e)}`;
      this.#clock.setTimer(0, () => this.#ended({ code: null, signal: null, error: reason }));
      return;
    }
    let running: Promise<void>;
    try {
      running = node.run();
    } catch (e) {
      running = Promise.reject(e);
    }
    running.then(
      () => this.#ended({ code: 0, signal: null }),
      (e: unknown) => {
        this.#handlers.onStderr(`node ${id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        this.#ended({ code: 1, signal: null });
      },
    );
  }

  /** True once the nemesis killed this incarnation. */
  killed = false;

  get exited(): boolean {
    return this.#exit !== null;
  }

  deliver(line: string): void {
    if (this.#exit !== null || this.#transport.ended) return;
    this.#guard(ENTRY.message, () => this.#transport.inject(line));
  }

  /**
   * Ends the node's input (what closing stdin is to a process) and waits up
   * to `graceMs` of the run's clock for it to finish. A node that never
   * finishes is abandoned (there is nothing to kill in-process) and reported
   * as killed, as the process host would.
   */
  stop(graceMs: number): Promise<ExitInfo> {
    if (!this.#stopRequested) {
      this.#stopRequested = true;
      this.#guard(ENTRY.stop, () => this.#transport.end());
      if (this.#exit === null) {
        const timer: Timer = this.#clock.setTimer(graceMs, () => this.#ended({ code: null, signal: 'SIGKILL' }));
        void this.#exited.then(() => timer.cancel());
      }
    }
    return this.#exited;
  }

  /** `--nemesis kill`: the node ends at once; its disk keeps only what was synced. */
  kill(): Promise<ExitInfo> {
    if (this.#exit === null) {
      this.killed = true;
      this.#disk.crash();
      this.#ended({ code: null, signal: 'SIGKILL' });
    }
    return this.#exited;
  }

  /** `--nemesis pause`: its timers wait (the network holds its messages). */
  pause(): void {
    this.#paused = true;
  }

  /** Runs the timers that came due while paused, at once and in order. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#heldTimers;
    this.#heldTimers = [];
    if (held.length > 0) {
      this.#clock.setTimer(0, () => {
        for (const fn of held) this.#guard(ENTRY.timer, fn);
      });
    }
  }

  #ended(how: { code: number | null; signal: string | null; error?: string }): void {
    if (this.#exit !== null) return;
    const info: ExitInfo = { ...how, stderrTail: this.#stderrTail.slice(), stopped: this.#stopRequested };
    if (how.error === undefined) delete info.error;
    this.#exit = info;
    this.#resolveExit(info);
    this.#handlers.onExit(info);
    this.#onEnded();
  }
}

/**
 * Loads a node module from a file: `.js`/`.mjs`/`.cjs` are imported as they
 * are; `.ts`/`.mts` are compiled on the way in with the `typescript` package
 * (see `typescript.ts`). Throws one sentence naming the file when it cannot
 * be loaded or has no `createNode`.
 */
export async function loadNodeModule(file: string): Promise<NodeModule> {
  const abs = path.resolve(file);
  const url = pathToFileURL(abs).href;
  let mod: Record<string, unknown>;
  try {
    mod = await importNodeModule(url, file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (e as Error).message.includes(abs)) {
      throw new Error(`--node ${file}: no such module (looked for ${abs})`);
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(message.startsWith('--node ') ? message : `--node ${file} could not be loaded: ${message}`);
  }
  return fromExports(file, mod, url);
}

/**
 * Imports a node module by URL, TypeScript included: what `loadNodeModule`
 * and each sweep worker do. `name` is how errors name the module.
 */
export async function importNodeModule(url: string, name: string): Promise<Record<string, unknown>> {
  if (url.startsWith('file:') && isTypeScript(url)) registerTypeScript(name);
  return (await import(url)) as Record<string, unknown>;
}

/** Checks a module's exports for `createNode` (or a default export that has it). */
export function fromExports(name: string, mod: Record<string, unknown>, url?: string): NodeModule {
  const fallback = mod['default'] as Record<string, unknown> | undefined;
  const createNode = mod['createNode'] ?? (typeof fallback === 'object' && fallback !== null ? fallback['createNode'] : undefined);
  if (typeof createNode !== 'function') {
    const names = Object.keys(mod);
    throw new Error(
      `--node ${name} does not export a createNode function (it exports ${names.length > 0 ? names.join(', ') : 'nothing'}); a node module must export createNode(env: NodeEnv): Node`,
    );
  }
  return url === undefined ? { name, createNode: createNode as NodeModule['createNode'] } : { name, url, createNode: createNode as NodeModule['createNode'] };
}

/**
 * An eddy `Node` built without `env.transport` or `env.clock` falls back to
 * stdin/stdout and wall-clock timers: outside the simulation, where it would
 * read the harness's own stdin or retry on real time while 30 virtual seconds
 * pass in half a real one. Said at once instead of a puzzling run. (Class
 * names, not instanceof: a TypeScript node may load its own copy of the library.)
 */
function checkWiring(node: RunnableNode): void {
  const { transport, clock } = node as { transport?: unknown; clock?: unknown };
  const kind = (v: unknown): string | undefined => (v !== null && typeof v === 'object' ? v.constructor?.name : undefined);
  if (kind(transport) === 'StdioTransport') {
    throw new Error('its Node talks over stdin/stdout, not the simulated network: build it with new Node({ transport: env.transport, clock: env.clock, random: env.random })');
  }
  if (kind(clock) === 'RealClock') {
    throw new Error('its Node keeps wall-clock time, so its timers would not follow the simulation: build it with new Node({ transport: env.transport, clock: env.clock, random: env.random })');
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof (v as { then?: unknown } | undefined)?.then === 'function') return 'a Promise (createNode must build the node synchronously)';
  if (typeof v === 'object') return `an object without run() (keys: ${Object.keys(v as object).slice(0, 5).join(', ') || 'none'})`;
  return String(typeof v);
}
