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
 *
 * A *script* (`NemesisScript`, a programmatic API for tests and benches)
 * replaces the random schedules: each step names its time and its nodes
 * (isolate n3 at 1 s, heal at 6 s). Its steps go through the generator's
 * nemesis slot and are applied and recorded exactly as the random faults
 * are, so the history, the journal and the checkers see an ordinary run.
 * A script may also hold probes: callbacks at a virtual time that look
 * inside the run, on the clock and outside the generator, so that a probe
 * that only reads changes nothing in the run.
 */
import { NemesisSchedule, type NemesisF, type NemesisTiming } from './generator.js';
import type { Clock } from '../node/clock.js';
import { completeGrudge, describeGrudge, majority, randomGrudge, type Grudge } from './grudge.js';
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

/**
 * One step of a scripted nemesis, `atS` seconds after the main phase
 * starts (the history's clock, give or take the workload's setup). Steps
 * due at the same time run in script order; one due after the main phase
 * has ended never runs, as a Jepsen nemesis op past the time limit.
 */
export type ScriptStep<Probe = () => void> =
  /** start-partition: these nodes hear only each other, the rest only the rest. */
  | { atS: number; isolate: readonly string[] }
  /** stop-partition: the network heals. */
  | { atS: number; heal: true }
  /** kill: these nodes end at once (SIGKILL, or an in-process node discarded). */
  | { atS: number; kill: readonly string[] }
  /** restart: every killed node starts again (init and the workload's setup again). */
  | { atS: number; restart: true }
  /** pause: these nodes' messages and timers wait (SIGSTOP). */
  | { atS: number; pause: readonly string[] }
  /** resume: every paused node goes on (SIGCONT). */
  | { atS: number; resume: true }
  /**
   * Not a fault: called on the run's clock, outside the generator, so it
   * takes no nemesis turn and records nothing. A probe at the same instant
   * as a fault step may run before it; put it a little later to see its
   * effect. One due after the nodes have stopped never runs.
   */
  | { atS: number; probe: Probe };

export type NemesisScript = readonly ScriptStep[];

const STEP_ACTIONS = ['isolate', 'heal', 'kill', 'restart', 'pause', 'resume', 'probe'] as const;
type StepAction = (typeof STEP_ACTIONS)[number];

/** The one action a step names; throws (a programmer error) for none or several. */
function actionOf(step: ScriptStep<unknown>, i: number): StepAction {
  const named = STEP_ACTIONS.filter((a) => a in step);
  if (named.length !== 1) {
    throw new Error(`nemesis script step ${i}: expected exactly one of ${STEP_ACTIONS.join(', ')}, got ${named.length === 0 ? 'none' : named.join(' and ')}`);
  }
  return named[0]!;
}

/** The fault a step action belongs to (null for a probe). */
const STEP_FAULT: Record<StepAction, NemesisFault | null> = {
  isolate: 'partition',
  heal: 'partition',
  kill: 'kill',
  restart: 'kill',
  pause: 'pause',
  resume: 'pause',
  probe: null,
};

/** The operation name a step is recorded under. */
const STEP_F: Record<Exclude<StepAction, 'probe'>, NemesisF> = {
  isolate: 'start-partition',
  heal: 'stop-partition',
  kill: 'kill',
  restart: 'restart',
  pause: 'pause',
  resume: 'resume',
};

/**
 * Checks a script against the run's nodes and `--nemesis` (a script
 * replaces the random faults, so it cannot be given with them); throws one
 * sentence naming the step. Returns the faults the script uses.
 */
export function checkScript(script: readonly ScriptStep<unknown>[], nodes: readonly string[], faults: readonly NemesisFault[]): NemesisFault[] {
  if (faults.length > 0) {
    throw new Error(`a nemesis script replaces the random faults, but --nemesis ${faults.join(',')} was given too; pass one or the other`);
  }
  const used = new Set<NemesisFault>();
  script.forEach((step, i) => {
    const action = actionOf(step, i);
    if (!(Number.isFinite(step.atS) && step.atS >= 0)) throw new Error(`nemesis script step ${i}: expected atS to be a number of seconds >= 0, got ${step.atS}`);
    const targets = 'isolate' in step ? step.isolate : 'kill' in step ? step.kill : 'pause' in step ? step.pause : [];
    for (const n of targets) {
      if (!nodes.includes(n)) throw new Error(`nemesis script step ${i}: ${action} names ${JSON.stringify(n)}, which is not one of the nodes (${nodes.join(', ')})`);
    }
    if ((action === 'isolate' || action === 'kill' || action === 'pause') && targets.length === 0) throw new Error(`nemesis script step ${i}: ${action} names no nodes`);
    const fault = STEP_FAULT[action];
    if (fault !== null) used.add(fault);
  });
  return NEMESIS_ORDER.filter((f) => used.has(f));
}

/** A script's fault steps as the generator's nemesis stream: each due at its time, in script order. */
class ScriptTiming implements NemesisTiming {
  readonly #steps: { atMs: number; step: ScriptStep; f: NemesisF }[];
  #next = 0;
  /** Steps handed out by `take` and not yet performed (the runner invokes each at once). */
  readonly taken: ScriptStep[] = [];

  constructor(script: NemesisScript, startMs: number) {
    const faults = script.flatMap((step, i) => {
      const action = actionOf(step, i);
      return action === 'probe' ? [] : [{ atMs: startMs + step.atS * 1000, step, f: STEP_F[action], i }];
    });
    // Stable: steps at one time keep the script's order.
    faults.sort((a, b) => a.atMs - b.atMs || a.i - b.i);
    this.#steps = faults;
  }

  dueMs(nowMs: number): number {
    const s = this.#steps[this.#next];
    return s === undefined ? Infinity : Math.max(nowMs, s.atMs);
  }

  take(_nowMs: number): NemesisF {
    const s = this.#steps[this.#next++]!;
    this.taken.push(s.step);
    return s.f;
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
  /**
   * Steps at scripted times instead of the random faults (`faults` must
   * then be empty). Needs `clock`: time 0 of the script is when the
   * Nemesis is made, at the start of the main phase.
   */
  script?: NemesisScript;
  /** The run's clock; needed with a script (its probes run on it). */
  clock?: Clock;
}

export class Nemesis {
  readonly timing: NemesisTiming;
  readonly #faults: readonly NemesisFault[];
  readonly #net: PartitionableNet;
  readonly #control: ProcessControl | null;
  readonly #history: History;
  readonly #nodes: readonly string[];
  readonly #rngs = new Map<NemesisFault, Rng>();
  readonly #script: ScriptTiming | null = null;
  #partition: Grudge | null = null;
  #oneWay: Grudge | null = null;
  #oneWayFrom: string[] = [];
  #killed: string[] = [];
  #paused: string[] = [];

  constructor(o: NemesisOptions) {
    this.#net = o.net;
    this.#control = o.control ?? null;
    this.#history = o.history;
    this.#nodes = o.nodes;
    if (o.script !== undefined) {
      this.#faults = checkScript(o.script, o.nodes, o.faults);
      if (this.#control === null && (this.#faults.includes('kill') || this.#faults.includes('pause'))) {
        throw new Error('Nemesis: kill and pause need a ProcessControl');
      }
      if (o.clock === undefined) throw new Error('Nemesis: a script needs the run\'s clock');
      const timing = new ScriptTiming(o.script, o.clock.now());
      this.#script = timing;
      this.timing = timing;
      for (const step of o.script) if ('probe' in step) o.clock.setTimer(step.atS * 1000, step.probe);
      return;
    }
    this.#faults = NEMESIS_ORDER.filter((f) => o.faults.includes(f));
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
    if (this.#script !== null) return this.#invokeStep(f);
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

  /** Performs the script step the timing just handed out (`f` is its operation name). */
  #invokeStep(f: NemesisF): void | Promise<void> {
    const step = this.#script!.taken.shift();
    if (step === undefined) throw new Error(`Nemesis: ${f} was invoked, but the script handed out no step`);
    if ('isolate' in step) return this.#startPartition(step.isolate);
    if ('heal' in step) return this.#stopPartition();
    if ('kill' in step) return this.#kill(step.kill);
    if ('restart' in step) return this.#restart();
    if ('pause' in step) return this.#pause(step.pause);
    if ('resume' in step) return this.#resume();
    throw new Error(`Nemesis: the script handed out a step that is no fault (${f})`);
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

  /** A random partition kind, or (scripted) `isolate` against the rest; the invocation records the kind or the two sides. */
  #startPartition(isolate?: readonly string[]): void {
    if (isolate === undefined) {
      const { kind, grudge, description } = randomGrudge(this.#nodes, this.#rngs.get('partition')!);
      this.#record('start-partition', kind);
      this.#partition = grudge;
      this.#applyGrudges();
      this.#record('start-partition', description);
      return;
    }
    const inside = this.#nodes.filter((n) => isolate.includes(n));
    const components = [inside, this.#nodes.filter((n) => !isolate.includes(n))];
    this.#record('start-partition', components);
    this.#partition = completeGrudge(components, this.#nodes);
    this.#applyGrudges();
    this.#record('start-partition', describeGrudge(this.#partition, this.#nodes));
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

  #kill(named?: readonly string[]): void {
    const targets = this.#targets('kill', named);
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

  #pause(named?: readonly string[]): void {
    const targets = this.#targets('pause', named);
    this.#control!.pause(targets);
    this.#paused = this.#nodes.filter((n) => this.#paused.includes(n) || targets.includes(n));
    this.#record('pause', Object.fromEntries(targets.map((n) => [n, 'paused'])));
  }

  /**
   * Records the invocation of a kill or pause and picks its targets among
   * the nodes neither killed nor paused: by a spec drawn from the fault's
   * own stream (the invocation records the spec), or, scripted, the nodes
   * named (it records the names). A paused node is not killed (it already
   * does not answer, and a later restart would race its resume), a killed
   * one not paused.
   */
  #targets(f: 'kill' | 'pause', named: readonly string[] | undefined): string[] {
    const pool = this.#nodes.filter((n) => !this.#paused.includes(n) && !this.#killed.includes(n));
    if (named !== undefined) {
      this.#record(f, [...named]);
      return pool.filter((n) => named.includes(n));
    }
    const rng = this.#rngs.get(f)!;
    const spec = rng.pick(TARGET_SPECS);
    this.#record(f, spec);
    return pickTargets(spec, pool, rng);
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
