/**
 * Maelstrom's txn-list-append workload (workload/txn_list_append.clj):
 * transactions of reads and appends over keys holding lists. Clients send
 * `txn` with `[["r", k, null] | ["append", k, v], ...]` and expect the
 * completed transaction back in a `txn_ok` (reads filled in with the list,
 * or null for a key never appended to). Reusable clients, no final phase;
 * Elle's list-append checker judges the history against
 * `--consistency-models` (default strict-serializable).
 */
import { checkListAppend, elleArtifacts } from '../checker/elle/index.js';
import { availabilityFigure, netFigure } from './figures.js';
import { invokeTxn, txnGenerator, validateConsistencyModels, type ReadShape } from './txn.js';
import type { Completion, Conn, OpSpec, Workload, WorkloadDef } from './workload.js';
import type { TestOptions } from '../options.js';
import { anomalyTypesFigure } from './txn-figures.js';

/** A list-append read returns the key's list, or null for a key nobody appended to. */
const LIST_READ: ReadShape = {
  expected: 'the list read (an array) or null',
  accepts: (v) => v === null || Array.isArray(v),
};

class TxnListAppendWorkload implements Workload {
  readonly generator;
  readonly final = null;
  readonly reusableClient = true;
  readonly rpcTimeoutMs = null;

  constructor(o: TestOptions) {
    this.generator = txnGenerator({ keyCount: o.keyCount, maxTxnLength: o.maxTxnLength, maxWritesPerKey: o.maxWritesPerKey, writeF: 'append' });
  }

  async setup(): Promise<void> {}

  invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    return invokeTxn(conn, op, LIST_READ);
  }
}

export const txnListAppend: WorkloadDef = {
  name: 'txn-list-append',
  summary: 'Transactions of reads and appends over lists, checked by Elle against --consistency-models (Datomic chapter).',
  challenge: null,
  ops: ['txn'],
  flags: ['key-count', 'max-txn-length', 'max-writes-per-key', 'consistency-models'],
  validate: validateConsistencyModels,
  create: (o) => new TxnListAppendWorkload(o),
  check: ({ history, options }) => checkListAppend(history, { consistencyModels: options.consistencyModels, strict: options.strict }),
  defaultNode: { module: 'txn-list-append/index.js', bin: 'eddy-txn-list-append' },
  figures: [anomalyTypesFigure, availabilityFigure, netFigure],
  pictures: ({ results }) => {
    const w = results['workload'];
    return typeof w === 'object' && w !== null ? elleArtifacts(w as Record<string, unknown>) : [];
  },
};
