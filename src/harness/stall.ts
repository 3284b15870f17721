/**
 * Telling a simulation that is working from one that is stuck. Simulated
 * nodes share one thread, so a node that never returns from a handler (a
 * busy-wait for a reply, say) freezes the whole run, Ctrl-C included. Runs
 * are therefore simulated on worker threads, and the thread that started
 * them watches this board: the simulating thread notes every entry into
 * node code (which node, why, at what virtual time); if no node has been
 * entered for a while although nodes are running, the supervisor ends the
 * worker and says which node it last entered.
 *
 * The board is a few numbers in shared memory, written with plain stores:
 * the watchdog only needs to see them change within seconds.
 */

/** Why node code was entered. */
export const ENTRY = { start: 0, message: 1, timer: 2, stop: 3 } as const;
export type EntryKind = (typeof ENTRY)[keyof typeof ENTRY];
const ENTRY_NAMES = ['createNode and run()', 'a message handler', 'a timer callback', 'the end of its input'] as const;

// Int32 slots, then one Float64 (at byte 32).
const BEATS = 0;
const INSIDE = 1;
const NODE = 2;
const KIND = 3;
const ARMED = 4;
const BYTES = 40;

export interface BoardReading {
  /** Entries into node code so far. */
  beats: number;
  /** Whether node code is running right now (not counting its async continuations). */
  inside: boolean;
  /** Index of the node last entered (in start order), or -1. */
  node: number;
  kind: EntryKind;
  /** Virtual time of that entry (ms). */
  virtualMs: number;
  /** Whether nodes are running, so that a still board means a stuck one (not, say, a long check). */
  armed: boolean;
}

export class ActivityBoard {
  readonly buffer: SharedArrayBuffer;
  readonly #ints: Int32Array;
  readonly #time: Float64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    this.buffer = buffer;
    this.#ints = new Int32Array(buffer, 0, 8);
    this.#time = new Float64Array(buffer, 32, 1);
    this.#ints[NODE] = -1;
  }

  enter(node: number, kind: EntryKind, virtualMs: number): void {
    const ints = this.#ints;
    ints[BEATS] = (ints[BEATS]! + 1) | 0;
    ints[INSIDE] = 1;
    ints[NODE] = node;
    ints[KIND] = kind;
    this.#time[0] = virtualMs;
  }

  leave(): void {
    this.#ints[INSIDE] = 0;
  }

  arm(on: boolean): void {
    this.#ints[ARMED] = on ? 1 : 0;
  }

  read(): BoardReading {
    const ints = this.#ints;
    return {
      beats: Atomics.load(ints, BEATS),
      inside: Atomics.load(ints, INSIDE) === 1,
      node: Atomics.load(ints, NODE),
      kind: Atomics.load(ints, KIND) as EntryKind,
      virtualMs: this.#time[0]!,
      armed: Atomics.load(ints, ARMED) === 1,
    };
  }
}

/**
 * The sentence a supervisor prints when the thread simulating a run ended
 * in the middle of it: node code called `process.exit`, or threw where
 * nothing could catch it (`error`).
 */
export function endedMessage(r: BoardReading, nodeIds: readonly string[], moduleName: string, exitCode: number, error: Error | null): string {
  const { node, where } = lastEntry(r, nodeIds);
  const how = error !== null ? `an uncaught ${error.name}: ${error.message}` : `exit code ${exitCode} (process.exit in node code?)`;
  return `The simulation's thread ended in the middle of the run with ${how}; the last node code to run was ${node} (${moduleName}), in ${where}. Simulated nodes share the harness's process: they must not exit it, and errors should stay inside their handlers.`;
}

/**
 * The sentence a supervisor prints when a board has stood still for
 * `stalledS` seconds of wall time while nodes were running.
 */
export function stallMessage(r: BoardReading, nodeIds: readonly string[], moduleName: string, stalledS: number): string {
  const { node, what, at } = lastEntry(r, nodeIds);
  const where = `${what}, entered ${at}`;
  const advice = 'Simulated nodes share one thread, so node code must never wait by spinning (a loop until a reply arrives, say): await a promise or use node.after instead.';
  return r.inside
    ? `${node} (${moduleName}) has not returned from ${where}, for ${stalledS} s of wall time; eddy stopped the simulation. ${advice}`
    : `The simulation has made no progress for ${stalledS} s of wall time; the last node code to run was ${node} (${moduleName}), in ${where}, perhaps in an async continuation of it; eddy stopped the simulation. ${advice}`;
}

/** The node last entered and where, as the supervisor's sentences name them. */
function lastEntry(r: BoardReading, nodeIds: readonly string[]): { node: string; what: string; at: string; where: string } {
  const node = nodeIds[r.node] ?? (r.node >= 0 ? `node #${r.node}` : 'no node yet');
  const what = ENTRY_NAMES[r.kind] ?? 'its code';
  const at = `at virtual time ${(r.virtualMs / 1000).toFixed(3)} s`;
  return { node, what, at, where: `${what} (entered ${at})` };
}
