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
  /** Which fault (eddy's `--nemesis kill,pause,partition-one-way`); absent for Maelstrom's partition. */
  kind?: FaultKind;
}

/** The faults shaded in the pictures, each in its own colour. */
export type FaultKind = 'partition' | 'kill' | 'pause' | 'partition-one-way';

/** Per fault: [start f, stop f, fill colour, legend label]. Partition keeps Maelstrom-like pink. */
export const FAULT_STYLE: Record<FaultKind, { start: string; stop: string; fill: string; stroke: string; label: string }> = {
  partition: { start: 'start-partition', stop: 'stop-partition', fill: '#fde2e2', stroke: '#e8a0a0', label: 'partitioned' },
  kill: { start: 'kill', stop: 'restart', fill: '#ffe0b2', stroke: '#e0a050', label: 'killed' },
  pause: { start: 'pause', stop: 'resume', fill: '#d6e6fa', stroke: '#7fa7d8', label: 'paused' },
  'partition-one-way': { start: 'start-partition-one-way', stop: 'stop-partition-one-way', fill: '#eadcf5', stroke: '#b08ccc', label: 'one-way partition' },
};

/** The kind of an interval (Maelstrom's partition when unmarked). */
export function kindOf(p: PartitionInterval): FaultKind {
  return p.kind ?? 'partition';
}

/**
 * Intervals of every fault the history records: partitions as
 * `partitionIntervals` finds them, then eddy's own faults (kill to restart,
 * pause to resume, one-way start to stop; an op that hit no node is left out).
 */
export function faultIntervals(history: readonly Op[]): PartitionInterval[] {
  const out = partitionIntervals(history);
  const kinds: FaultKind[] = ['kill', 'pause', 'partition-one-way'];
  for (const kind of kinds) {
    const { start, stop } = FAULT_STYLE[kind];
    let open: { startMs: number; description: string } | null = null;
    let invoked: string | null = null;
    let lastMs = 0;
    for (const op of history) {
      lastMs = Math.max(lastMs, op.time / NS_PER_MS);
      if (op.process !== 'nemesis' || (op.f !== start && op.f !== stop)) continue;
      const completion: boolean = op.type !== 'invoke' && invoked === op.f;
      invoked = completion ? null : op.f;
      if (!completion) continue;
      if (op.f === start && open === null) {
        const hit = op.value !== null && typeof op.value === 'object' && !Array.isArray(op.value) ? Object.keys(op.value) : null;
        if (hit !== null && hit.length === 0) continue;
        open = { startMs: op.time / NS_PER_MS, description: hit !== null ? hit.join(',') : safeJson(op.value) };
      } else if (op.f === stop && open !== null) {
        out.push({ ...open, endMs: op.time / NS_PER_MS, kind });
        open = null;
      }
    }
    if (open !== null) out.push({ ...open, endMs: Math.max(lastMs, open.startMs), kind });
  }
  return out;
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
