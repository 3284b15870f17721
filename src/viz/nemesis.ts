/**
 * Partition intervals from a history's nemesis operations, for shading the
 * time during which the network was partitioned. A partition is in effect
 * from the completion of a `start-partition` (the grudge is installed while
 * the operation runs) until the completion of the next `stop-partition`; a
 * run that ends partitioned, or whose stop was never recorded, stays shaded
 * to the end of the history.
 */
import type { Op } from '../harness/types.js';
import { safeJson } from './markup.js';

export interface PartitionInterval {
  startMs: number;
  endMs: number;
  /** What the nemesis said it did (the start operation's completion value). */
  description: string;
}

const NS_PER_MS = 1e6;

export function partitionIntervals(history: readonly Op[]): PartitionInterval[] {
  const intervals: PartitionInterval[] = [];
  let open: { startMs: number; description: string } | null = null;
  let lastMs = 0;
  // Jepsen records a nemesis invocation as `info` too (as Maelstrom's histories show), so an
  // operation is the completion when it follows an invocation of the same f.
  let invoked: string | null = null;
  for (const op of history) {
    lastMs = Math.max(lastMs, op.time / NS_PER_MS);
    if (op.process !== 'nemesis') continue;
    const completion: boolean = op.type !== 'invoke' && invoked === op.f;
    invoked = completion ? null : op.f;
    if (op.f === 'start-partition' && completion && open === null) {
      open = { startMs: op.time / NS_PER_MS, description: op.value === undefined ? '' : safeJson(op.value) };
    } else if (op.f === 'stop-partition' && completion && open !== null) {
      intervals.push({ ...open, endMs: op.time / NS_PER_MS });
      open = null;
    }
  }
  if (open !== null) intervals.push({ ...open, endMs: Math.max(lastMs, open.startMs) });
  return intervals;
}
