/**
 * Jepsen's `checker/stats`: how many client operations completed ok, failed
 * or ended indeterminate, overall and per operation name. Invocations and
 * nemesis operations are not counted. The result is invalid when some
 * operation name never once completed ok (Maelstrom wraps this checker in
 * `jepsen.tests.kafka/stats-checker`, which makes it valid anyway when every
 * name other than Kafka's `crash` and `debug-topic-partitions` has an ok;
 * applied to every workload, it matters only for kafka, whose crashes are
 * always `info`).
 */
import type { Op } from '../types.js';

export interface OutcomeCounts {
  'valid?': boolean;
  count: number;
  'ok-count': number;
  'fail-count': number;
  'info-count': number;
}

export interface StatsResult {
  /** False if some f has no ok completion; true otherwise (also for an empty history). */
  'valid?': boolean;
  count: number;
  'ok-count': number;
  'fail-count': number;
  'info-count': number;
  /** Per operation name, in name order. */
  'by-f': Record<string, OutcomeCounts>;
}

/** Operation names `jepsen.tests.kafka/stats-checker` lets go without an ok. */
const KAFKA_EXEMPT: ReadonlySet<string> = new Set(['crash', 'debug-topic-partitions']);

/** Counts completions by type; throws on a completion type Jepsen would not accept. */
export function checkStats(history: readonly Op[]): StatsResult {
  const all = emptyCounts();
  const byF = new Map<string, OutcomeCounts>();
  for (const op of history) {
    if (op.type === 'invoke' || typeof op.process !== 'number') continue;
    let counts = byF.get(op.f);
    if (counts === undefined) byF.set(op.f, (counts = emptyCounts()));
    tally(all, op);
    tally(counts, op);
  }
  const names = [...byF.keys()].sort();
  return {
    'valid?': names.every((f) => byF.get(f)!['valid?'] || KAFKA_EXEMPT.has(f)),
    count: all.count,
    'ok-count': all['ok-count'],
    'fail-count': all['fail-count'],
    'info-count': all['info-count'],
    'by-f': Object.fromEntries(names.map((f) => [f, byF.get(f)!])),
  };
}

function emptyCounts(): OutcomeCounts {
  return { 'valid?': false, count: 0, 'ok-count': 0, 'fail-count': 0, 'info-count': 0 };
}

function tally(c: OutcomeCounts, op: Op): void {
  if (op.type === 'ok') c['ok-count']++;
  else if (op.type === 'fail') c['fail-count']++;
  else if (op.type === 'info') c['info-count']++;
  else throw new Error(`history index ${op.index}: unknown operation type ${JSON.stringify(op.type)}`);
  c.count++;
  c['valid?'] = c['ok-count'] > 0;
}
