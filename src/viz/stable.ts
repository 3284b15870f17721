/**
 * `stable-latency.svg`, the picture Maelstrom lacks: for every broadcast
 * value, how long after it was known it became stably visible to all
 * readers, over the run, with partition intervals shaded — so one sees
 * whether latency spikes line up with partitions.
 *
 * Each value's outcome (stable, lost or never read) and latency come from
 * the checker's own `setFullElements`, so the picture always agrees with
 * `results.json`; only a damaged history is treated leniently here (an ok
 * read with no invocation counts as its own invocation), since a picture of
 * what exists beats none.
 */
import { quantiles, setFullElements, type SetFullElement } from '../harness/checker/set-full.js';
import type { Op } from '../harness/types.js';
import type { PartitionInterval } from './nemesis.js';
import { addPartitionLegend } from './perf.js';
import { Plot } from './plot.js';

/** Every broadcast value's fate, in the order values were first broadcast (never throws). */
export function elementOutcomes(history: readonly Op[], addF = 'broadcast'): SetFullElement[] {
  return setFullElements(history, { lenient: true, addF }).elements;
}

const STABLE_COLOUR = '#3b82d6';
const LOST_COLOUR = '#d62728';
const NEVER_READ_COLOUR = '#9ca3af';

/** @param options.addF the operation that adds an element, and how the picture names it (broadcast: "broadcast value", g-set's add: "added element"). */
export function renderStableLatency(history: readonly Op[], partitions: readonly PartitionInterval[], options: { addF?: string } = {}): string {
  const addF = options.addF ?? 'broadcast';
  const noun = addF === 'broadcast' ? 'broadcast value' : 'added element';
  const outcomes = elementOutcomes(history, addF);
  let endNs = 0;
  for (const op of history) endNs = Math.max(endNs, op.time);
  const stable = outcomes.filter((o) => o.outcome === 'stable' && o.known !== null);
  const spread = quantiles(stable.map((o) => o['stable-latency'] as number));
  const yMax = Math.max(10, (spread?.['1'] ?? 0) * 1.1);
  const median = spread?.['0.5'] ?? null;
  const lost = outcomes.filter((o) => o.outcome === 'lost');
  const neverRead = outcomes.filter((o) => o.outcome === 'never-read');
  const plot = new Plot({
    title:
      `Stable latency per ${noun}: ${stable.length} stable, ${lost.length} lost, ${neverRead.length} never read` +
      (spread === null ? '' : `; median ${spread['0.5']} ms, max ${spread['1']} ms`),
    xLabel: 'time (s) the value became known',
    yLabel: 'stable latency (ms)',
    xMin: 0,
    xMax: Math.max(1, endNs / 1e9),
    yMin: 0,
    yMax,
    partitions,
  });
  for (const o of stable) {
    const knownS = knownSeconds(o);
    plot.point(knownS, o['stable-latency'] as number, 'circle', STABLE_COLOUR,
      `value ${JSON.stringify(o.element)}: known at ${knownS.toFixed(3)} s, stable after ${o['stable-latency']} ms`, 'pt stable');
  }
  // Lost and never-read values have no stable latency: mark them along the top and bottom edges.
  for (const o of lost) {
    const knownS = knownSeconds(o);
    plot.point(knownS, yMax, 'cross', LOST_COLOUR,
      `value ${JSON.stringify(o.element)} LOST: known at ${knownS.toFixed(3)} s, absent from later reads`, 'pt lost');
  }
  for (const o of neverRead) {
    if (o.known === null) continue;
    plot.point(knownSeconds(o), 0, 'triangle', NEVER_READ_COLOUR,
      `value ${JSON.stringify(o.element)} never read after it was known`, 'pt never-read');
  }
  if (median !== null) {
    const y = plot.sy(median);
    plot.add(`<line class="median" x1="${plot.sx(0)}" y1="${y}" x2="${plot.sx(Math.max(1, endNs / 1e9))}" y2="${y}" stroke="#1f77b4" stroke-dasharray="5 4"><title>median ${median} ms</title></line>`);
  }
  if (outcomes.length === 0) plot.note(`no ${noun}s in the history`);
  plot.legendEntry('stable', Plot.pointSwatch('circle', STABLE_COLOUR), 'stable');
  if (median !== null) plot.legendEntry('median', Plot.lineSwatch('#1f77b4', '5 4'), `median (${median} ms)`);
  if (lost.length > 0) plot.legendEntry('lost', Plot.pointSwatch('cross', LOST_COLOUR), 'lost (drawn at the top)');
  if (neverRead.length > 0) plot.legendEntry('never-read', Plot.pointSwatch('triangle', NEVER_READ_COLOUR), 'never read (drawn at 0)');
  addPartitionLegend(plot, partitions);
  return plot.toSvg();
}

/** When the value became known, in seconds since the run began (0 if it never was). */
function knownSeconds(o: SetFullElement): number {
  return o.known === null ? 0 : o.known.time / 1e6 / 1000;
}
