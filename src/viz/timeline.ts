/**
 * `timeline.html`: per-process operation tracks, as Jepsen's timeline draws
 * them. One column per process (the nemesis first), one box per operation
 * from its invocation to its completion, coloured by how it ended; rows are
 * positions in the history, so concurrent operations line up side by side.
 * An indeterminate (`info`) operation, or one never completed, runs to the
 * end, since it may take effect at any later time. Hovering a box shows the
 * operation; clicking it highlights it (a link to its own anchor). The page
 * is self-contained: inline CSS, no script, no network.
 */
import type { Op } from '../harness/types.js';
import { briefJson, esc, maxOf } from './markup.js';

const ROW_PX = 16;
const COLUMN_PX = 110;
const GUTTER_PX = 116;
const TIME_GUTTER_PX = 70;
/** Most operations drawn; longer histories are cut (said on the page). */
export const TIMELINE_OP_LIMIT = 10_000;

const STYLE = `
body{font-family:Helvetica,Arial,sans-serif;font-size:12px;margin:12px;color:#222}
h1{font-size:18px;margin:0 0 6px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:2px}
.ops{position:relative;margin-top:28px}
.op{position:absolute;padding:2px;border-radius:2px;box-shadow:0 1px 3px rgba(0,0,0,.12),0 1px 2px rgba(0,0,0,.24);overflow:hidden;white-space:nowrap;text-overflow:ellipsis;color:#111;text-decoration:none;box-sizing:border-box;font-size:11px;line-height:12px}
.op:hover{z-index:2;box-shadow:0 4px 10px rgba(0,0,0,.3)}
.op:target{box-shadow:0 0 0 3px #111;z-index:3}
.invoke{background:#eeeeee}.ok{background:#6db6fe}.info{background:#ffaa26;opacity:.85}.fail{background:#feb5da}.nemesis{background:#f4a6a6}
.proc{position:absolute;top:-22px;font-weight:bold;text-align:center}
.time{position:absolute;left:0;width:${TIME_GUTTER_PX - 8}px;text-align:right;color:#777;font-size:10px;border-top:1px solid #ddd}
.warn{color:#b45309;font-weight:bold}
`;

interface TimelinePair {
  start: Op;
  startRow: number;
  stop: Op | null;
  stopRow: number;
}

export function renderTimelineHtml(history: readonly Op[], title: string): string {
  const pairs: TimelinePair[] = [];
  const open = new Map<string, TimelinePair>();
  history.forEach((op, row) => {
    const key = String(op.process);
    // The nemesis records its invocations as `info` too: an info opens a pair unless it completes one of the same f.
    const opensPair = op.type === 'invoke' || (op.process === 'nemesis' && open.get(key)?.start.f !== op.f);
    if (opensPair) {
      const pair: TimelinePair = { start: op, startRow: row, stop: null, stopRow: -1 };
      open.set(key, pair);
      pairs.push(pair);
    } else {
      const pair = open.get(key);
      if (pair === undefined) {
        pairs.push({ start: op, startRow: row, stop: null, stopRow: -1 }); // a completion without its invocation
      } else {
        pair.stop = op;
        pair.stopRow = row;
        open.delete(key);
      }
    }
  });
  const shown = pairs.slice(0, TIMELINE_OP_LIMIT);
  const processes = [...new Set(shown.map((p) => p.start.process))].sort((a, b) =>
    a === b ? 0 : a === 'nemesis' ? -1 : b === 'nemesis' ? 1 : (a as number) - (b as number),
  );
  const column = new Map(processes.map((p, i) => [p, i]));
  const rows = history.length;

  const out: string[] = [];
  out.push(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>`);
  out.push(`<h1>${esc(title)}</h1>`);
  out.push(
    `<div class="legend"><span class="ok">ok</span><span class="fail">fail</span><span class="info">info (indeterminate: drawn to the end)</span>` +
      `<span class="invoke">not completed</span><span class="nemesis">nemesis</span> — ${pairs.length} operations, ${processes.length} processes; hover a box for details</div>`,
  );
  if (pairs.length > shown.length) {
    out.push(`<p class="warn">Showing only the first ${shown.length} of ${pairs.length} operations.</p>`);
  }
  const lastRow = shown.length === 0 ? 0 : maxOf(shown.map((p) => (p.stop === null ? p.startRow : p.stopRow))) + 1;
  out.push(`<div class="ops" style="height:${(Math.min(rows, lastRow + 2) + 1) * ROW_PX}px">`);
  for (const [p, i] of column) {
    out.push(`<div class="proc" style="left:${TIME_GUTTER_PX + i * GUTTER_PX}px;width:${COLUMN_PX}px">${esc(String(p))}</div>`);
  }
  for (let row = 0; row < Math.min(rows, lastRow + 1); row += 25) {
    const op = history[row] as Op;
    out.push(`<div class="time" style="top:${row * ROW_PX}px">${(op.time / 1e9).toFixed(3)} s</div>`);
  }
  for (const pair of shown) {
    const op = pair.stop ?? pair.start;
    const nemesis = pair.start.process === 'nemesis';
    const kind = nemesis ? 'nemesis' : pair.stop === null ? (pair.start.type === 'invoke' ? 'invoke' : pair.start.type) : pair.stop.type;
    // A client's indeterminate operation may take effect any time later; a nemesis one is just done.
    const runsToEnd = kind === 'info' || (pair.stop === null && !nemesis);
    const endRow = runsToEnd ? Math.min(rows, lastRow + 1) : pair.stopRow;
    const heightPx = Math.max(ROW_PX, (endRow - pair.startRow) * ROW_PX);
    const left = TIME_GUTTER_PX + (column.get(pair.start.process) as number) * GUTTER_PX;
    const startValue = pair.start.process === 'nemesis' || pair.start.value == null ? '' : ` ${briefJson(pair.start.value, 40)}`;
    const stopValue =
      pair.stop !== null && pair.stop.value != null && briefJson(pair.stop.value, 200) !== briefJson(pair.start.value, 200)
        ? `${pair.stopRow - pair.startRow > 1 ? '<br>' : ' → '}${esc(briefJson(pair.stop.value, 60))}`
        : '';
    const tip = [
      pair.stop !== null ? `Duration: ${((pair.stop.time - pair.start.time) / 1e6).toFixed(2)} ms` : 'Not completed',
      `Invoked at ${(pair.start.time / 1e9).toFixed(3)} s`,
      ...(op.error !== undefined ? [`Error: ${briefJson(op.error, 300)}`] : []),
      '',
      `Invocation: ${briefJson(pair.start, 800)}`,
      ...(pair.stop !== null ? [`Completion: ${briefJson(pair.stop, 1500)}`] : []),
    ].join('\n');
    out.push(
      `<a class="op ${kind}" id="i${op.index}" href="#i${op.index}" title="${esc(tip)}" ` +
        `style="left:${left}px;top:${pair.startRow * ROW_PX}px;width:${COLUMN_PX}px;height:${heightPx}px">` +
        `${esc(`${pair.start.process} ${pair.start.f}${startValue}`)}${stopValue}</a>`,
    );
  }
  out.push('</div></body></html>\n');
  return out.join('\n');
}
