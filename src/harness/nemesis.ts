/**
 * The partition nemesis (Jepsen's partition-package as Maelstrom uses it):
 * it alternates start-partition and stop-partition, the first at once and
 * each next one after a delay drawn uniformly from [0, 2 * interval), picks one of the four grudge
 * kinds at random for every start, applies it to the network and records
 * both the invocation and the completion in the history as `nemesis`
 * operations of type `info`, as Jepsen does.
 *
 * It only uses the run's Clock, so it runs the same on virtual time.
 */
import type { NemesisF } from './generator.js';
import { randomGrudge, type Grudge } from './grudge.js';
import type { History } from './history.js';
import type { Rng } from './rng.js';

/** The part of Net the nemesis drives (Net satisfies it). */
export interface PartitionableNet {
  setGrudge(g: Grudge): void;
  heal(): void;
}

export class PartitionNemesis {
  readonly #rng: Rng;
  readonly #net: PartitionableNet;
  readonly #history: History;
  readonly #nodes: readonly string[];
  #partitioned = false;

  constructor(opts: { rng: Rng; net: PartitionableNet; history: History; nodes: readonly string[] }) {
    this.#rng = opts.rng;
    this.#net = opts.net;
    this.#history = opts.history;
    this.#nodes = opts.nodes;
  }

  /** True while a partition is in force. */
  get partitioned(): boolean {
    return this.#partitioned;
  }

  /** Performs one nemesis operation the generator issued. */
  invoke(f: NemesisF): void {
    if (f === 'start-partition') this.#startPartition();
    else this.#stopPartition();
  }

  /** The final stop-partition Maelstrom always issues before recovery. */
  heal(): void {
    this.#stopPartition();
  }

  #startPartition(): void {
    const { kind, grudge, description } = randomGrudge(this.#nodes, this.#rng);
    this.#history.record({ process: 'nemesis', type: 'info', f: 'start-partition', value: kind });
    this.#net.setGrudge(grudge);
    this.#partitioned = true;
    this.#history.record({ process: 'nemesis', type: 'info', f: 'start-partition', value: description });
  }

  #stopPartition(): void {
    this.#history.record({ process: 'nemesis', type: 'info', f: 'stop-partition', value: null });
    this.#net.heal();
    this.#partitioned = false;
    this.#history.record({ process: 'nemesis', type: 'info', f: 'stop-partition', value: 'network-healed' });
  }
}
