/**
 * Every workload eddy knows, in one list: `-w NAME` looks its definition up
 * here, and so do `--help`, the sweep summary, `eddy check`, `eddy serve`
 * and the benches. Adding a workload is one module exporting a
 * `WorkloadDef` and one line below; nothing else in eddy names it.
 */
import { broadcast } from './broadcast.js';
import { gCounter, pnCounter } from './counter.js';
import { echo } from './echo.js';
import { gSet } from './g-set.js';
import { kafka } from './kafka.js';
import { linKv } from './lin-kv.js';
import { txnListAppend } from './txn-list-append.js';
import { txnRwRegister } from './txn-rw-register.js';
import { uniqueIds } from './unique-ids.js';
import type { WorkloadDef } from './workload.js';

const WORKLOADS: readonly WorkloadDef[] = [broadcast, echo, uniqueIds, gSet, gCounter, pnCounter, kafka, linKv, txnListAppend, txnRwRegister];

const byName = new Map(WORKLOADS.map((w) => [w.name, w]));

/** Every registered workload, in the order `--help` lists them. */
export function workloads(): readonly WorkloadDef[] {
  return WORKLOADS;
}

/** The registered names. */
export function workloadNames(): string[] {
  return WORKLOADS.map((w) => w.name);
}

/** The definition registered as `name`, or undefined. */
export function findWorkload(name: string): WorkloadDef | undefined {
  return byName.get(name);
}

/** The definition registered as `name`; throws a programmer error for an unknown one (options are validated before). */
export function workloadDef(name: string): WorkloadDef {
  const def = byName.get(name);
  if (def === undefined) throw new Error(`No workload is registered as ${JSON.stringify(name)} (known: ${workloadNames().join(', ')})`);
  return def;
}

/**
 * The workload a history most likely came from, when nothing says so (a run
 * aborted before test.json was written): the first registered workload
 * whose most telling operation name occurs in it.
 */
export function guessWorkload(fs: ReadonlySet<string>): WorkloadDef | undefined {
  return WORKLOADS.find((w) => w.ops !== undefined && w.ops.length > 0 && fs.has(w.ops[0]!));
}
