/** Helpers for workloads' headline figures: reading numbers out of a results.json map. */
import type { Figure } from './workload.js';

/** The number at `results.workload.<path...>`, or null. */
export function workloadNumber(results: Record<string, unknown>, ...path: string[]): number | null {
  return numberAt(results, 'workload', ...path);
}

/** The number at `results.<path...>`, or null. */
export function numberAt(results: unknown, ...path: string[]): number | null {
  let v: unknown = results;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return null;
    v = (v as Record<string, unknown>)[k];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Messages between servers per client operation: the figure Gossip Glomers judges. */
export const netFigure: Figure = {
  label: 'msgs/op',
  better: 'lower',
  digits: 2,
  value: (r) => numberAt(r, 'net', 'stats', 'servers', 'msgs-per-op'),
};

/** The fraction of operations that completed ok. */
export const availabilityFigure: Figure = {
  label: 'ok fraction',
  better: 'higher',
  digits: 3,
  value: (r) => numberAt(r, 'availability', 'ok-fraction'),
};

/** Median latency of stable elements, ms (set-full's "stable-latencies" 0.5): the figure Gossip Glomers 3d/3e judge. */
export const stableMedianFigure: Figure = {
  label: 'stable p50 ms',
  better: 'lower',
  value: (r) => workloadNumber(r, 'stable-latencies', '0.5'),
};

/** Maximum latency of stable elements, ms (set-full's "stable-latencies" 1). */
export const stableMaxFigure: Figure = {
  label: 'stable max ms',
  better: 'lower',
  value: (r) => workloadNumber(r, 'stable-latencies', '1'),
};

/** The headline figures of a set-full workload (broadcast, g-set): lost, msgs/op, stable latency p50 and max. */
export const setFullFigures: readonly Figure[] = [
  { label: 'lost', better: 'lower', value: (r) => workloadNumber(r, 'lost-count') },
  netFigure,
  stableMedianFigure,
  stableMaxFigure,
];
