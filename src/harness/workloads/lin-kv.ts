/**
 * Maelstrom's lin-kv workload (workload/lin_kv.clj over Jepsen's
 * linearizable-register test, spec 2.4): clients `read`, `write` and `cas`
 * integer keys with values 0..4; the history must be linearizable per key
 * (checker/linearizable.ts stands in for Knossos).
 *
 * The generator as Jepsen's: workers split into groups of 2n (n nodes), in
 * worker order; each group works on one key at a time (keys 0, 1, 2, ...
 * handed out in order); workers numbered 0..n-1 read, the others write
 * (1/3) or cas (2/3); a group's key is retired, and the group moves to the
 * next unused key, once more than 20 processes have belonged to the group
 * (every `info` replaces a process). Maelstrom's quirk is kept: the reading
 * workers are absolute numbers, so only group 0 ever reads. The
 * concurrency must be a multiple of 2n (Maelstrom crashes on a Jepsen
 * assertion otherwise; eddy refuses it at the command line). No final
 * phase; reusable clients; RPC timeout max(10 × latency, 1 s).
 */
import { checkLinearizable, nullReadsOfWrittenKeys, type LinearizableResult } from '../checker/linearizable.js';
import { nodeIds, OptionError, workerCount, type TestOptions } from '../options.js';
import { renderLinKvFailures } from '../../viz/lin-kv.js';
import { availabilityFigure, netFigure } from './figures.js';
import {
  failureCompletion,
  malformedReply,
  type Completion,
  type Conn,
  type DrawContext,
  type Draw,
  type MainGenerator,
  type OpSpec,
  type StrictResult,
  type Workload,
  type WorkloadDef,
} from './workload.js';

/** Processes a key's group may see before the key is retired (Jepsen's process limit). */
export const PROCESS_LIMIT = 20;

/** Jepsen's linearizable-register generator over `workers` workers and `nodes` nodes. */
export class LinKvGenerator implements MainGenerator {
  readonly #n: number;
  readonly #groupSize: number;
  /** Per group: its key, and the processes that have belonged to it on that key. */
  readonly #groups: { key: number; processes: Set<number> }[] = [];
  #nextKey: number;

  constructor(workers: number, nodes: number) {
    this.#n = nodes;
    this.#groupSize = 2 * nodes;
    const groups = Math.floor(workers / this.#groupSize);
    for (let g = 0; g < groups; g++) this.#groups.push({ key: g, processes: new Set() });
    this.#nextKey = groups;
  }

  /** The key group `g` works on now (for tests). */
  keyOf(group: number): number {
    return this.#groups[group]!.key;
  }

  draw(ctx: DrawContext): Draw {
    const worker = ctx.defaultWorker;
    const g = Math.floor(worker / this.#groupSize);
    const group = this.#groups[g];
    if (group === undefined) return { pending: true, untilMs: null }; // a worker beyond the last whole group never gets an op
    if (group.processes.size === 0) {
      for (let w = g * this.#groupSize; w < (g + 1) * this.#groupSize; w++) group.processes.add(ctx.processOf(w));
    }
    group.processes.add(ctx.processOf(worker));
    if (group.processes.size > PROCESS_LIMIT) {
      group.key = this.#nextKey++;
      group.processes = new Set();
      for (let w = g * this.#groupSize; w < (g + 1) * this.#groupSize; w++) group.processes.add(ctx.processOf(w));
    }
    const key = group.key;
    if (worker < this.#n) return { worker, f: 'read', value: [key, null] };
    if (ctx.rng.int(3) === 0) return { worker, f: 'write', value: [key, ctx.rng.int(5)] };
    return { worker, f: 'cas', value: [key, [ctx.rng.int(5), ctx.rng.int(5)]] };
  }
}

class LinKvWorkload implements Workload {
  readonly generator: LinKvGenerator;
  readonly final = null;
  readonly reusableClient = true;
  readonly rpcTimeoutMs: number;

  constructor(o: TestOptions) {
    const nodes = nodeIds(o.nodeCount).length;
    this.generator = new LinKvGenerator(workerCount(o.concurrency, nodes), nodes);
    this.rpcTimeoutMs = Math.max(10 * o.latencyMs, 1000);
  }

  async setup(): Promise<void> {}

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    const [key, v] = op.value as [unknown, unknown];
    const body =
      op.f === 'read'
        ? { type: 'read', key }
        : op.f === 'write'
          ? { type: 'write', key, value: v }
          : { type: 'cas', key, from: (v as unknown[])[0], to: (v as unknown[])[1] };
    const r = await conn.client.rpc(conn.node, body, conn.timeoutMs);
    const failed = failureCompletion(r, op, op.f === 'read');
    if (failed !== null) return failed;
    const reply = r.kind === 'reply' ? r.body : { type: '?' };
    if (op.f === 'read') {
      if (reply.type === 'read_ok' && 'value' in reply) return { type: 'ok', value: [key, reply['value']] };
      return malformedReply(op, 'a read_ok with a value', reply, conn.node);
    }
    const expected = op.f === 'write' ? 'write_ok' : 'cas_ok';
    if (reply.type === expected) return { type: 'ok', value: op.value };
    return malformedReply(op, `a ${expected}`, reply, conn.node);
  }
}

function strictNullReads(history: Parameters<WorkloadDef['check']>[0]['history']): StrictResult {
  const bad = nullReadsOfWrittenKeys(history);
  return {
    'valid?': bad.length === 0,
    findings: bad.slice(0, 10).map((b) => `Process ${String(b.process)} read null from key ${JSON.stringify(b.key)} (op ${b.index}) after a write to it had been acknowledged; Knossos' model (and Maelstrom) accepts a null read of any key.`),
    'null-reads-of-written-keys': bad.length,
  };
}

export const linKv: WorkloadDef = {
  name: 'lin-kv',
  summary: 'Linearizable key-value store (Raft chapter): read, write and cas on independent keys, linearizable per key.',
  challenge: null,
  ops: ['cas', 'write', 'read'],
  flags: [],
  validate(o) {
    const nodes = nodeIds(o.nodeCount).length;
    const workers = workerCount(o.concurrency, nodes);
    const g = 2 * nodes;
    if (workers % g !== 0) {
      throw new OptionError(
        `-w lin-kv needs --concurrency to be a multiple of 2n = ${g} (each key is worked by a group of 2 × node-count workers); --concurrency ${o.concurrency} gives ${workers} workers. Try --concurrency 2n (${g}), 4n (${2 * g}) or 10n (${5 * g})`,
      );
    }
  },
  create: (o) => new LinKvWorkload(o),
  check: ({ history }) => ({ workload: checkLinearizable(history), strict: strictNullReads(history) }),
  defaultNode: { module: 'raft/index.js', bin: 'eddy-lin-kv' },
  figures: [
    { label: 'bad keys', better: 'lower', value: (r) => {
      const f = (r['workload'] as Partial<LinearizableResult> | undefined)?.failures;
      return Array.isArray(f) ? f.length : null;
    } },
    availabilityFigure,
    netFigure,
  ],
  pictures: ({ history, results }) => renderLinKvFailures(history, results['workload'] as LinearizableResult | undefined),
};
