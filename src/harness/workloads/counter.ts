/**
 * Maelstrom's g-counter and pn-counter workloads (workload/g_counter.clj,
 * pn_counter.clj, spec 2.3): clients `add` deltas and `read` the counter,
 * 50/50 (pn-counter: delta uniform in -5..4; g-counter: negative deltas
 * redrawn, so reads are 2/3 of the ops and deltas 0..4); after heal and the
 * recovery wait every worker reads once more, and those final reads must
 * each be a value the counter could hold. No with-errors: every timeout and
 * error reply is `info`, and the client is replaced after it.
 *
 * With --strict, every read of the run is checked too (see
 * `strictCounterReads`).
 */
import { checkCounter, strictCounterReads } from '../checker/counter.js';
import type { Rng } from '../rng.js';
import { netFigure, numberAt } from './figures.js';
import { closedShapeProblem, invokeAdd } from './reply-shape.js';
import { indeterminateCompletion, malformedReply, oncePerWorker, plainGenerator, type Completion, type Conn, type OpSpec, type Workload, type WorkloadDef } from './workload.js';

/** Maelstrom's op mix: a read or an add of `rng.int(10) - 5`, 50/50; g-counter redraws negative adds. */
export function counterMix(growOnly: boolean): (rng: Rng) => OpSpec {
  return (rng) => {
    for (;;) {
      if (rng.int(2) === 0) return { f: 'read', value: null };
      const delta = rng.int(10) - 5;
      if (!growOnly || delta >= 0) return { f: 'add', value: delta };
    }
  };
}

class CounterWorkload implements Workload {
  readonly generator;
  readonly final = oncePerWorker({ f: 'read', value: null });
  readonly reusableClient = false;
  readonly rpcTimeoutMs = null;

  constructor(growOnly: boolean) {
    this.generator = plainGenerator(counterMix(growOnly));
  }

  async setup(): Promise<void> {}

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    if (op.f === 'add') return invokeAdd(conn, op, 'delta');
    const r = await conn.client.rpc(conn.node, { type: 'read' }, conn.timeoutMs);
    const failed = indeterminateCompletion(r, op);
    if (failed !== null) return failed;
    const value = r.kind === 'reply' ? r.body['value'] : undefined;
    if (r.kind === 'reply' && r.body.type === 'read_ok' && typeof value === 'number' && Number.isInteger(value)) {
      const problem = closedShapeProblem(r.body, ['value']);
      if (problem === null) return { type: 'ok', value };
      return malformedReply(op, `a read_ok with ${problem}`, r.body, conn.node);
    }
    return malformedReply(op, 'a read_ok with an integer value', r.kind === 'reply' ? r.body : { type: '?' }, conn.node);
  }
}

function counterDef(name: 'g-counter' | 'pn-counter'): WorkloadDef {
  const growOnly = name === 'g-counter';
  return {
    name,
    summary: growOnly
      ? 'Grow-only counter: every final read must equal the acknowledged adds plus some of the indeterminate ones.'
      : 'Counter with increments and decrements (CRDT chapter): final reads checked as for g-counter.',
    challenge: growOnly ? '4' : null,
    ops: ['add', 'read'],
    flags: [],
    create: () => new CounterWorkload(growOnly),
    check: ({ history }) => ({ workload: checkCounter(history), strict: strictCounterReads(history) }),
    defaultNode: { module: `${name}.js`, bin: `eddy-${name}` },
    figures: [
      { label: 'bad final reads', better: 'lower', value: (r) => {
        const w = r['workload'] as { errors?: unknown; 'final-reads'?: unknown } | undefined;
        if (w === undefined || !Array.isArray(w['final-reads'])) return null;
        return Array.isArray(w.errors) ? w.errors.length : 0;
      } },
      { label: 'bad reads (strict)', better: 'lower', value: (r) => numberAt(r, 'strict', 'bad-read-count') },
      netFigure,
    ],
  };
}

export const gCounter = counterDef('g-counter');
export const pnCounter = counterDef('pn-counter');
