/**
 * Maelstrom's unique-ids workload (workload/unique_ids.clj, spec 2.1):
 * clients ask any node to `generate` an id, endlessly, under the global
 * stagger; every acknowledged id must differ from every other. No final
 * phase (the run ends at the time limit); clients are reusable.
 */
import { checkUniqueIds } from '../checker/unique-ids.js';
import { availabilityFigure, netFigure, workloadNumber } from './figures.js';
import { closedShapeProblem } from './reply-shape.js';
import { failureCompletion, malformedReply, plainGenerator, type Completion, type Conn, type OpSpec, type Workload, type WorkloadDef } from './workload.js';

class UniqueIdsWorkload implements Workload {
  readonly generator = plainGenerator(() => ({ f: 'generate', value: null }));
  readonly final = null;
  readonly reusableClient = true;
  readonly rpcTimeoutMs = null;

  async setup(): Promise<void> {}

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    const r = await conn.client.rpc(conn.node, { type: 'generate' }, conn.timeoutMs);
    const failed = failureCompletion(r, op, false);
    if (failed !== null) return failed;
    if (r.kind === 'reply' && r.body.type === 'generate_ok' && 'id' in r.body) {
      const problem = closedShapeProblem(r.body, ['id']);
      if (problem === null) return { type: 'ok', value: r.body['id'] };
      return malformedReply(op, `a generate_ok with ${problem}`, r.body, conn.node);
    }
    return malformedReply(op, 'a generate_ok with an id', r.kind === 'reply' ? r.body : { type: '?' }, conn.node);
  }
}

export const uniqueIds: WorkloadDef = {
  name: 'unique-ids',
  summary: 'Globally unique id generation: no two acknowledged generates may return the same id.',
  challenge: '2',
  ops: ['generate'],
  flags: [],
  create: () => new UniqueIdsWorkload(),
  check: ({ history }) => ({ workload: checkUniqueIds(history), strict: null }),
  defaultNode: { module: 'unique-ids.js', bin: 'eddy-unique-ids' },
  figures: [
    { label: 'duplicated', better: 'lower', value: (r) => workloadNumber(r, 'duplicated-count') },
    { label: 'acknowledged', better: 'higher', value: (r) => workloadNumber(r, 'acknowledged-count') },
    availabilityFigure,
    netFigure,
  ],
};
