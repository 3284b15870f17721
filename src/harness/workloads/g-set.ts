/**
 * Maelstrom's g-set workload (workload/g_set.clj, spec 2.2): clients `add`
 * the integers 0, 1, 2, ... and `read` the whole set, 50/50; after heal and
 * the recovery wait every worker reads once more; Jepsen's set-full checker
 * (with `add`) decides what was lost or stale. No with-errors: every timeout
 * and every error reply is an indeterminate `info`, and the client is
 * replaced after it.
 */
import { renderStableLatency } from '../../viz/stable.js';
import { checkSetFull } from '../checker/set-full.js';
import { setFullFigures } from './figures.js';
import { closedShapeProblem, invokeAdd } from './reply-shape.js';
import { indeterminateCompletion, malformedReply, oncePerWorker, plainGenerator, type Completion, type Conn, type OpSpec, type Workload, type WorkloadDef } from './workload.js';

class GSetWorkload implements Workload {
  readonly generator = plainGenerator(
    (() => {
      let next = 0;
      return (rng) => (rng.int(2) === 0 ? { f: 'add', value: next++ } : { f: 'read', value: null });
    })(),
  );
  readonly final = oncePerWorker({ f: 'read', value: null });
  readonly reusableClient = false;
  readonly rpcTimeoutMs = null;

  async setup(): Promise<void> {}

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    if (op.f === 'add') return invokeAdd(conn, op, 'element');
    const r = await conn.client.rpc(conn.node, { type: 'read' }, conn.timeoutMs);
    const failed = indeterminateCompletion(r, op);
    if (failed !== null) return failed;
    if (r.kind === 'reply' && r.body.type === 'read_ok' && Array.isArray(r.body['value'])) {
      const problem = closedShapeProblem(r.body, ['value']);
      if (problem === null) return { type: 'ok', value: r.body['value'] };
      return malformedReply(op, `a read_ok with ${problem}`, r.body, conn.node);
    }
    return malformedReply(op, 'a read_ok with a value array', r.kind === 'reply' ? r.body : { type: '?' }, conn.node);
  }
}

export const gSet: WorkloadDef = {
  name: 'g-set',
  summary: 'Grow-only set (CRDT chapter): every added element must reach every node (set-full: lost, stale, stable latency).',
  challenge: null,
  ops: ['add', 'read'],
  flags: [],
  create: () => new GSetWorkload(),
  check: ({ history }) => ({ workload: checkSetFull(history, { addF: 'add' }), strict: null }),
  defaultNode: { module: 'g-set.js', bin: 'eddy-g-set' },
  figures: setFullFigures,
  pictures: ({ history, faults }) => [{ file: 'stable-latency.svg', title: 'Stable latency per added element', text: renderStableLatency(history, faults, { addF: 'add' }) }],
};
