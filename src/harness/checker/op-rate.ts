/**
 * How many operations the main phase issued, against what `--rate` and
 * `--time-limit` ask for (results.json "op-rate", eddy only). Maelstrom
 * issues fewer than rate x time-limit (its interpreter wakes late and never
 * catches up; generator.ts models that), and msgs-per-op divides by the
 * operations actually issued, so the two figures belong side by side.
 * Pure: a function of the history and the run's options.
 */
import type { Op } from '../types.js';

export interface OpRateResult {
  /** Client operations invoked in the main phase (final reads and nemesis excluded). */
  'main-ops': number;
  /** All client invocations, final reads included: the msgs-per-op divisor. */
  'all-ops': number;
  /** --rate, Hz. */
  rate: number;
  /** --time-limit, s. */
  'time-limit-s': number;
  /** main-ops / time-limit, Hz. */
  'rate-achieved': number;
  /** rate-achieved / rate: about 0.85 at rate 100 under the default schedule, 1 under --ideal-rate; null at rate 0. */
  ratio: number | null;
  /** "maelstrom" (late wake-ups modelled, at strength `lateness`) or "ideal" (rate x time-limit). */
  schedule: 'maelstrom' | 'ideal';
  lateness: number;
  /** Server-to-server messages per operation, as under "net", repeated here to be read with the count. */
  'msgs-per-op': number | null;
}

export function checkOpRate(
  history: readonly Op[],
  o: { rateHz: number; timeLimitS: number; lateness: number; msgsPerOp: number | null },
): OpRateResult {
  let main = 0;
  let all = 0;
  for (const op of history) {
    if (op.type !== 'invoke' || op.process === 'nemesis') continue;
    all++;
    if (op.final !== true) main++;
  }
  const achieved = main / o.timeLimitS;
  return {
    'main-ops': main,
    'all-ops': all,
    rate: o.rateHz,
    'time-limit-s': o.timeLimitS,
    'rate-achieved': achieved,
    ratio: o.rateHz > 0 ? achieved / o.rateHz : null,
    schedule: o.lateness === 0 ? 'ideal' : 'maelstrom',
    lateness: o.lateness,
    'msgs-per-op': o.msgsPerOp,
  };
}

/** One console line: "Operations: 1694 in the main phase, 84.7/s = 0.85 x --rate 100 (...); msgs-per-op 1.62". */
export function formatOpRate(r: OpRateResult): string {
  const how = r.schedule === 'ideal' ? 'ideal schedule, --ideal-rate' : `Maelstrom-like late wake-ups, --lateness ${r.lateness}`;
  const ratio = r.ratio === null ? '' : ` = ${r.ratio.toFixed(2)} x --rate ${r.rate}`;
  const mpo = r['msgs-per-op'] === null ? '' : `; msgs-per-op (servers) ${r['msgs-per-op'].toFixed(2)} over ${r['all-ops']} operations with the final reads`;
  return `Operations: ${r['main-ops']} in the main phase, ${r['rate-achieved'].toFixed(1)}/s${ratio} (${how})${mpo}.`;
}

/** `results` with "op-rate" placed right after "net" (at the end when there is no "net"). */
export function withOpRate(results: Record<string, unknown>, opRate: OpRateResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(results)) {
    out[k] = v;
    if (k === 'net') out['op-rate'] = opRate;
  }
  out['op-rate'] ??= opRate;
  return out;
}
