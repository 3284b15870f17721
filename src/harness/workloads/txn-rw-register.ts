/**
 * Maelstrom's txn-rw-register workload (workload/txn_rw_register.clj), the
 * Gossip Glomers 6a-6c challenges: transactions of reads and writes over
 * registers. Clients send `txn` with `[["r", k, null] | ["w", k, v], ...]`
 * and expect the completed transaction back in a `txn_ok` (reads filled in
 * with the value, or null for a key never written). Reusable clients, no
 * final phase; Elle's rw-register checker (writes-follow-reads version
 * inference, as Maelstrom) judges the history against
 * `--consistency-models` (default strict-serializable).
 */
import { checkRwRegister, elleArtifacts } from '../checker/elle/index.js';
import { availabilityFigure, netFigure } from './figures.js';
import { invokeTxn, txnGenerator, validateConsistencyModels, type ReadShape } from './txn.js';
import type { Completion, Conn, OpSpec, Workload, WorkloadDef } from './workload.js';
import type { TestOptions } from '../options.js';
import { anomalyTypesFigure } from './txn-figures.js';

/** A register read returns whatever the register holds (null for a key never written). */
const ANY_READ: ReadShape = {
  expected: 'the value read (any JSON value, null for none)',
  accepts: (v) => v !== undefined,
};

class TxnRwRegisterWorkload implements Workload {
  readonly generator;
  readonly final = null;
  readonly reusableClient = true;
  readonly rpcTimeoutMs = null;

  constructor(o: TestOptions) {
    this.generator = txnGenerator({ keyCount: o.keyCount, maxTxnLength: o.maxTxnLength, maxWritesPerKey: o.maxWritesPerKey, writeF: 'w' });
  }

  async setup(): Promise<void> {}

  invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    return invokeTxn(conn, op, ANY_READ);
  }
}

export const txnRwRegister: WorkloadDef = {
  name: 'txn-rw-register',
  summary: 'Transactions of reads and writes over registers, checked by Elle against --consistency-models (totally available, 6a-6c).',
  challenge: '6a-6c',
  ops: ['txn'],
  flags: ['key-count', 'max-txn-length', 'max-writes-per-key', 'consistency-models'],
  validate: validateConsistencyModels,
  create: (o) => new TxnRwRegisterWorkload(o),
  check: ({ history, options }) => checkRwRegister(history, { consistencyModels: options.consistencyModels, strict: options.strict }),
  defaultNode: { module: 'txn-rw-register/index.js', bin: 'eddy-txn-rw-register' },
  figures: [anomalyTypesFigure, availabilityFigure, netFigure],
  pictures: ({ results }) => {
    const w = results['workload'];
    return typeof w === 'object' && w !== null ? elleArtifacts(w as Record<string, unknown>) : [];
  },
};
