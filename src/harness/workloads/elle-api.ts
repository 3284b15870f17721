/**
 * TEMPORARY: the shape of the Elle checker's API (branch `elle`,
 * src/harness/checker/elle/index.ts) until that branch is merged; this file
 * is deleted at the merge and the imports point at the real module. It
 * checks nothing: every call says so.
 */
import type { Op } from '../types.js';
import type { CheckOutput, Picture } from './workload.js';

export interface ElleOptions {
  consistencyModels: readonly string[];
  strict: boolean;
  budgetMs?: number;
}

const NOT_MERGED = 'the Elle checker (branch elle) is not merged into this build yet';

export function checkListAppend(_history: readonly Op[], _opts: ElleOptions): CheckOutput {
  return { workload: { 'valid?': 'unknown', error: NOT_MERGED } as CheckOutput['workload'], strict: null };
}
export function checkRwRegister(_history: readonly Op[], _opts: ElleOptions): CheckOutput {
  return { workload: { 'valid?': 'unknown', error: NOT_MERGED } as CheckOutput['workload'], strict: null };
}
export const MODEL_NAMES: readonly string[] = ['read-uncommitted', 'read-committed', 'serializable', 'strict-serializable'];
export function canonicalModel(name: string): string | null {
  return MODEL_NAMES.includes(name) ? name : null;
}
export function elleArtifacts(_result: unknown): Picture[] {
  return [];
}
