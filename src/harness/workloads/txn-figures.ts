/** The headline figure both txn workloads share. */
import type { Figure } from './workload.js';

/** How many kinds of anomaly the Elle checker reported (0 for a valid run). */
export const anomalyTypesFigure: Figure = {
  label: 'anomaly types',
  better: 'lower',
  value: (r) => {
    const w = r['workload'];
    if (typeof w !== 'object' || w === null) return null;
    const types = (w as Record<string, unknown>)['anomaly-types'];
    if (Array.isArray(types)) return types.length;
    return (w as Record<string, unknown>)['valid?'] === true ? 0 : null;
  },
};
