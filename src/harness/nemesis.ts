/**
 * The nemesis: the faults `--nemesis` names, each on its own schedule, as
 * Jepsen's `nemesis.combined` composes its packages.
 *
 * - `partition` is Maelstrom's (Jepsen's partition package): it alternates
 *   start-partition and stop-partition, the first at once and each next one
 *   after a delay drawn uniformly from [0, 2 * interval), picks one of the
 *   four grudge kinds at random for every start, applies it to the network
 *   and records both the invocation and the completion in the history as
 *   `nemesis` operations of type `info`, as Jepsen does. With `--nemesis
 *   partition` alone every draw and record is what it always was.
 * - `kill` / `restart` (eddy only): kills the targets (SIGKILL, or an
 *   in-process node discarded); the next op of that schedule starts each
 *   again (a fresh process, `init` again, the workload's setup again).
 * - `pause` / `resume` (eddy only): SIGSTOP / SIGCONT, or an in-process
 *   node whose deliveries and timers are held and then released in a burst.
 * - `start-partition-one-way` / `stop-partition-one-way` (eddy only): the
 *   targets' messages to every other node are dropped; the others' messages
 *   to the targets arrive.
 *
 * Each schedule has the same timing as the partition's, with its own random
 * stream; targets are Jepsen's node specs (one, minority, majority, all)
 * drawn per operation. Completions name the nodes hit. Only the run's
 * clock and seeded streams are used, so the same seed gives the same faults
 * on virtual time.
 */
import { NemesisSchedule, type NemesisF, type NemesisTiming } from './generator.js';
import { describeGrudge, majority, randomGrudge, type Grudge } from './grudge.js';
import type { History } from './history.js';
import type { NemesisFault } from './options.js';
import type { Rng } from './rng.js';

/** The part of Net the partition faults drive (Net satisfies it). */
export interface PartitionableNet {
  setGrudge(g: Grudge): void;
  heal(): void;
}

/** What the kill and pause faults need from the run (the runner provides it). */
export interface ProcessControl {
  /** Kills each node at once (SIGKILL); messages to it are dropped until it is restarted. */
  kill(nodes: readonly string[]): void;
  /** Starts each killed node again, inits it and repeats the workload's setup for it; resolves when it is ready. */
  restart(nodes: readonly string[]): Promise<void>;
  /** SIGSTOP: the node keeps its memory; its messages and timers wait. */
  pause(nodes: readonly string[]): void;
  /** SIGCONT: what waited arrives in a burst. */
  resume(nodes: readonly string[]): void;
}

/** Jepsen's node specs for a fault's targets, one drawn per operation. */
export type TargetSpec = 'one' | 'minority' | 'majority' | 'all';
export const TARGET_SPECS: readonly TargetSpec[] = ['one', 'minority', 'majority', 'all'];
/** A one-way partition needs someone on the other side: no `all`. */
const ONE_WAY_SPECS: readonly TargetSpec[] = ['one', 'minority', 'majority'];

/** The nodes a spec picks from `pool` (in `pool`'s order): one; the largest minority; a majority; all. */
export function pickTargets(spec: TargetSpec, pool: readonly string[], rng: Rng): string[] {
  if (pool.length === 0) return [];
  const n = pool.length;
  const count = spec === 'one' ? 1 : spec === 'minority' ? Math.max(1, majority(n) - 1) : spec === 'majority' ? majority(n) : n;
  const chosen = new Set(rng.shuffle(pool).slice(0, count));
  return pool.filter((node) => chosen.has(node));
}

/** The two operation names of each fault: [start, stop]. */
export const FAULT_OPS: Record<NemesisFault, readonly [NemesisF, NemesisF]> = {
  partition: ['start-partition', 'stop-partition'],
  kill: ['kill', 'restart'],
  pause: ['pause', 'resume'],
  'partition-one-way': ['start-partition-one-way', 'stop-partition-one-way'],
};

/** Which fault an operation name belongs to and whether it starts it; null for names of no fault. */
export function faultOf(f: string): { fault: NemesisFault; start: boolean } | null {
  for (const [fault, [start, stop]] of Object.entries(FAULT_OPS) as [NemesisFault, readonly [string, string]][]) {
    if (f === start) return { fault, start: true };
    if (f === stop) return { fault, start: false };
  }
  return null;
}

/** Several faults' schedules as one stream of operations: the earliest due first, ties in fault order. */
class CombinedTiming implements NemesisTiming {
  readonly #subs: { schedule: NemesisSchedule; ops: readonly [NemesisF, NemesisF] }[];

  constructor(subs: { schedule: NemesisSchedule; ops: readonly [NemesisF, NemesisF] }[]) {
    this.#subs = subs;
  }

  dueMs(nowMs: number): number {
    let due = Infinity;
    for (const s of this.#subs) due = Math.min(due, s.schedule.dueMs(nowMs));
    return due;
  }

  take(nowMs: number): NemesisF {
    const due = this.dueMs(nowMs);
    const sub = this.#subs.find((s) => s.schedule.dueMs(nowMs) === due)!;
    return sub.schedule.take(nowMs) === 'start-partition' ? sub.ops[0] : sub.ops[1];
  }
}

export interface NemesisOptions {
  /** The run's root stream; the nemesis forks its own streams from it. */
  rng: Rng;
  net: PartitionableNet;
  /** Needed when `faults` has kill or pause. */
  control?: ProcessControl;
  history: History;
  nodes: readonly string[];
  faults: readonly NemesisFault[];
  intervalS: number;
}

export class Nemesis {
  readonly timing: NemesisTiming;
  readonly #faults: readonly NemesisFault[];
  readonly #net: PartitionableNet;
  readonly #control: ProcessControl | null;
  readonly #history: History;
  readonly #nodes: readonly string[];
  readonly #rngs = new Map<NemesisFault, Rng>();
  #partition: Grudge | null = null;
  #oneWay: Grudge | null = null;
  #oneWayFrom: string[] = [];
  #killed: string[] = [];
  #paused: string[] = [];

  constructor(o: NemesisOptions) {
    this.#faults = NEMESIS_ORDER.filter((f) => o.faults.includes(f));
    this.#net = o.net;
    this.#control = o.control ?? null;
    this.#history = o.history;
    this.#nodes = o.nodes;
    if (this.#control === null && (this.#faults.includes('kill') || this.#faults.includes('pause'))) {
      throw new Error('Nemesis: kill and pause need a ProcessControl');
    }
    // Partition keeps the streams it always had ('nemesis' for timing, 'partitions' for grudges).
    const timingRng = (fault: NemesisFault): Rng => o.rng.fork(fault === 'partition' ? 'nemesis' : `nemesis:${fault}`);
    for (const fault of this.#faults) this.#rngs.set(fault, o.rng.fork(fault === 'partition' ? 'partitions' : `targets:${fault}`));
    const subs = this.#faults.map((fault) => ({ schedule: new NemesisSchedule(timingRng(fault), o.intervalS), ops: FAULT_OPS[fault] }));
    this.timing = subs.length === 1 && this.#faults[0] === 'partition' ? subs[0]!.schedule : new CombinedTiming(subs);
  }

  /** True while a partition (two-way or one-way) is in force. */
  get partitioned(): boolean {
    return this.#partition !== null || this.#oneWay !== null;
  }

  /** True when only Maelstrom's partition fault is in use. */
  get maelstromOnly(): boolean {
    return this.#faults.length === 1 && this.#faults[0] === 'partition';
  }

  /** What is in force now, for the progress line: e.g. ["partition", "kill n1,n3"]. */
  active(): string[] {
    const out: string[] = [];
    if (this.#partition !== null) out.push('partition');
    if (this.#oneWay !== null) out.push(`one-way from ${this.#oneWayFrom.join(',')}`);
    if (this.#killed.length > 0) out.push(`kill ${this.#killed.join(',')}`);
    if (this.#paused.length > 0) out.push(`pause ${this.#paused.join(',')}`);
    return out;
  }

  /** Performs one nemesis operation the generator issued; a restart resolves once the nodes are ready. */
  invoke(f: NemesisF): void | Promise<void> {
    switch (f) {
      case 'start-partition':
        return this.#startPartition();
      case 'stop-partition':
        return this.#stopPartition();
      case 'start-partition-one-way':
        return this.#startOneWay();
      case 'stop-partition-one-way':
        return this.#stopOneWay();
      case 'kill':
        return this.#kill();
      case 'restart':
        return this.#restart();
      case 'pause':
        return this.#pause();
      case 'resume':
        return this.#resume();
      default:
        throw new Error(`Nemesis: no such operation ${JSON.stringify(f)}`);
    }
  }

  /**
   * Ends every fault before the recovery wait: the final stop-partition
   * Maelstrom always issues (whatever the state), then eddy's faults that
   * are in force (dead nodes restarted, paused ones resumed).
   * `includePartition: false` leaves partitions as they are (a workload
   * without final operations ends faults and all, as in Maelstrom).
   */
  async heal(includePartition = true): Promise<void> {
    if (includePartition && this.#faults.includes('partition')) this.#stopPartition();
    if (includePartition && this.#oneWay !== null) this.#stopOneWay();
    if (this.#paused.length > 0) this.#resume();
    if (this.#killed.length > 0) await this.#restart();
  }

  #record(f: string, value: unknown): void {
    this.#history.record({ process: 'nemesis', type: 'info', f, value });
  }

  #applyGrudges(): void {
    if (this.#partition === null && this.#oneWay === null) {
      this.#net.heal();
      return;
    }
    if (this.#oneWay === null) {
      this.#net.setGrudge(this.#partition!);
      return;
    }
    const union: Grudge = new Map();
    for (const g of [this.#partition, this.#oneWay]) {
      if (g === null) continue;
      for (const [dest, srcs] of g) union.set(dest, new Set([...(union.get(dest) ?? []), ...srcs]));
    }
    this.#net.setGrudge(union);
  }

  #startPartition(): void {
    const { kind, grudge, description } = randomGrudge(this.#nodes, this.#rngs.get('partition')!);
    this.#record('start-partition', kind);
    this.#partition = grudge;
    this.#applyGrudges();
    this.#record('start-partition', description);
  }

  #stopPartition(): void {
    this.#record('stop-partition', null);
    this.#partition = null;
    this.#applyGrudges();
    this.#record('stop-partition', 'network-healed');
  }

  #startOneWay(): void {
    const rng = this.#rngs.get('partition-one-way')!;
    const spec = rng.pick(ONE_WAY_SPECS);
    this.#record('start-partition-one-way', spec);
    const from = pickTargets(spec, this.#nodes, rng);
    const others = this.#nodes.filter((n) => !from.includes(n));
    const grudge: Grudge = new Map();
    // Each other node drops what the targets send it; what it sends them arrives.
    for (const dest of others) grudge.set(dest, new Set(from));
    this.#oneWay = others.length > 0 ? grudge : null;
    this.#oneWayFrom = others.length > 0 ? from : [];
    this.#applyGrudges();
    this.#record('start-partition-one-way', ['dropped', describeGrudge(grudge, this.#nodes)[1]]);
  }

  #stopOneWay(): void {
    this.#record('stop-partition-one-way', null);
    this.#oneWay = null;
    this.#oneWayFrom = [];
    this.#applyGrudges();
    this.#record('stop-partition-one-way', 'network-healed');
  }

  #kill(): void {
    const rng = this.#rngs.get('kill')!;
    const spec = rng.pick(TARGET_SPECS);
    this.#record('kill', spec);
    // A paused node is left alone (it is already not answering); a later restart would otherwise race its resume.
    const targets = pickTargets(spec, this.#nodes.filter((n) => !this.#paused.includes(n) && !this.#killed.includes(n)), rng);
    this.#control!.kill(targets);
    this.#killed = this.#nodes.filter((n) => this.#killed.includes(n) || targets.includes(n));
    this.#record('kill', Object.fromEntries(targets.map((n) => [n, 'killed'])));
  }

  async #restart(): Promise<void> {
    const targets = this.#killed;
    this.#record('restart', null);
    await this.#control!.restart(targets);
    this.#killed = [];
    this.#record('restart', Object.fromEntries(targets.map((n) => [n, 'started'])));
  }

  #pause(): void {
    const rng = this.#rngs.get('pause')!;
    const spec = rng.pick(TARGET_SPECS);
    this.#record('pause', spec);
    const targets = pickTargets(spec, this.#nodes.filter((n) => !this.#killed.includes(n) && !this.#paused.includes(n)), rng);
    this.#control!.pause(targets);
    this.#paused = this.#nodes.filter((n) => this.#paused.includes(n) || targets.includes(n));
    this.#record('pause', Object.fromEntries(targets.map((n) => [n, 'paused'])));
  }

  #resume(): void {
    const targets = this.#paused;
    this.#record('resume', null);
    this.#control!.resume(targets);
    this.#paused = [];
    this.#record('resume', Object.fromEntries(targets.map((n) => [n, 'resumed'])));
  }
}

/** The order faults are scheduled in (ties) and healed in. */
const NEMESIS_ORDER: readonly NemesisFault[] = ['partition', 'kill', 'pause', 'partition-one-way'];
