/**
 * `messages.svg`: a Lamport (space-time) diagram of the start of a run's
 * message journal. One vertical line per node, clients first and then
 * servers; time runs down; one arrow per delivered message from its send to
 * its receipt, coloured by body type (legend at the top); a red cross for a
 * message that was sent and never received (dropped by a partition); a grey
 * dashed stub for one still in flight when the drawn window ends. Hovering an
 * arrow shows the message as JSON.
 *
 * The vertical scale mixes order and time: each event moves down a fixed
 * step (so simultaneous events stay apart, as in Maelstrom's diagram) plus a
 * distance proportional to the time since the previous event (so a 100 ms
 * delay looks longer than a 1 ms one). Idle gaps are capped, so a quiet
 * second does not push everything off-screen; the time axis on the left
 * gives the real times. Partition intervals are shaded across the diagram.
 *
 * Like Maelstrom, `init` / `init_ok` exchanges are left out: they are the
 * same in every run and would add a column per init client.
 */
import { isClientId, type JournalEvent } from '../harness/types.js';
import { bodyTypeColours, briefJson, compareNodeIds, cut, esc, px, svgOpen } from './markup.js';
import { FAULT_STYLE, kindOf, type PartitionInterval } from './nemesis.js';
import type { JournalWindow } from './run-files.js';

/** Vertical pixels every event moves down, whatever its time. */
const STEP_PX = 5;
/** The most pixels one idle gap between events may take. */
const GAP_CAP_PX = 150;
/** Client columns are narrow: there are many clients (setup clients, workers, reopened ones) and few messages each. */
const CLIENT_COLUMN_PX = 22;
const SETUP_CLIENT_COLUMN_PX = 9;
const SERVER_COLUMN_PX = 50;
const GUTTER_PX = 96;
const MIN_WIDTH_PX = 760;
/** Node names are repeated down the diagram this often, so a reader never loses track of columns. */
const LABEL_REPEAT_PX = 1200;
const TICK_SPACING_PX = 90;
const NS_PER_MS = 1e6;
const TOOLTIP_CHARS = 800;

const SKIPPED_TYPES = new Set(['init', 'init_ok']);
const SETUP_TYPES = new Set(['topology', 'topology_ok']);

export function renderMessagesSvg(window: JournalWindow, partitions: readonly PartitionInterval[], title: string): string {
  const events = window.events.filter((ev) => !SKIPPED_TYPES.has(ev.message.body.type));

  // Columns.
  const nodeSet = new Set<string>();
  for (const ev of events) {
    nodeSet.add(ev.message.src);
    nodeSet.add(ev.message.dest);
  }
  const nodes = [...nodeSet].sort(compareNodeIds);
  // Clients that only carried setup messages (one topology exchange each) get hairline columns,
  // so at 25 nodes the servers, where the gossip is, stay near the left.
  const setupOnly = new Set(nodes.filter((n) => isClientId(n)));
  for (const ev of events) {
    if (!SETUP_TYPES.has(ev.message.body.type)) {
      setupOnly.delete(ev.message.src);
      setupOnly.delete(ev.message.dest);
    }
  }
  const xOf = new Map<string, number>();
  let x = GUTTER_PX;
  for (const node of nodes) {
    const w = setupOnly.has(node) ? SETUP_CLIENT_COLUMN_PX : isClientId(node) ? CLIENT_COLUMN_PX : SERVER_COLUMN_PX;
    xOf.set(node, x + w / 2);
    x += w;
  }
  const width = Math.max(MIN_WIDTH_PX, x + 20);
  // Hairline columns are labelled as runs ("c25…c49") rather than one by one.
  const setupRuns: string[][] = [];
  for (const node of nodes) {
    if (!setupOnly.has(node)) continue;
    const last = setupRuns[setupRuns.length - 1];
    const prev = last?.[last.length - 1];
    if (last !== undefined && prev !== undefined && nodes.indexOf(prev) === nodes.indexOf(node) - 1) last.push(node);
    else setupRuns.push([node]);
  }

  // Pair sends with receipts.
  const sends = new Map<number, { ev: JournalEvent; i: number }>();
  const received = new Set<number>();
  for (let i = 0; i < events.length; i++) {
    const ev = events[i] as JournalEvent;
    if (ev.type === 'send') sends.set(ev.message.id, { ev, i });
    else received.add(ev.message.id);
  }
  type Fate = 'dropped' | 'inflight';
  const unreceived: { ev: JournalEvent; i: number; fate: Fate }[] = [];
  for (const [id, s] of sends) {
    if (received.has(id)) continue;
    const fate: Fate = window.receivedLater.has(id) || !window.settled ? 'inflight' : 'dropped';
    unreceived.push({ ...s, fate });
  }

  const types = new Set<string>();
  for (const ev of events) types.add(ev.message.body.type);
  const colours = bodyTypeColours(types);
  const typeClass = new Map<string, string>();
  [...colours.keys()].forEach((type, i) => typeClass.set(type, `t${i}`));

  // Legend layout: entries flow in rows across the width.
  const counts = new Map<string, number>();
  for (const ev of events) {
    if (ev.type === 'recv') counts.set(ev.message.body.type, (counts.get(ev.message.body.type) ?? 0) + 1);
  }
  const droppedCount = unreceived.filter((u) => u.fate === 'dropped').length;
  const inflightCount = unreceived.length - droppedCount;
  const legendItems: { key: string; label: string; swatch: string }[] = [];
  for (const [type, colour] of colours) {
    legendItems.push({
      key: type,
      label: `${type} (${counts.get(type) ?? 0})`,
      swatch: `<rect x="0" y="-8" width="14" height="8" fill="${colour}"/>`,
    });
  }
  if (droppedCount > 0) {
    legendItems.push({ key: 'dropped', label: `dropped (${droppedCount})`, swatch: crossPath(7, -4, 'legend') });
  }
  if (inflightCount > 0) {
    legendItems.push({
      key: 'in-flight',
      label: `in flight when the window ends (${inflightCount})`,
      swatch: `<line x1="0" y1="-4" x2="14" y2="-4" class="inflight"/>`,
    });
  }
  const legendParts: string[] = [];
  let lx = GUTTER_PX;
  let ly = 58;
  for (const item of legendItems) {
    const itemWidth = 24 + item.label.length * 6.2 + 14;
    if (lx + itemWidth > width - 10 && lx > GUTTER_PX) {
      lx = GUTTER_PX;
      ly += 16;
    }
    legendParts.push(
      `<g class="legend-entry" data-type="${esc(item.key)}" transform="translate(${px(lx)} ${ly})">${item.swatch}` +
        `<text x="20" y="0">${esc(item.label)}</text></g>`,
    );
    lx += itemWidth;
  }
  const headerPx = ly + 34;

  // Vertical positions of events.
  const spanMs = events.length > 1 ? ((events[events.length - 1] as JournalEvent).time - (events[0] as JournalEvent).time) / NS_PER_MS : 0;
  const pxPerMs = spanMs > 0 ? Math.min(20, Math.max(0.05, (STEP_PX * events.length) / spanMs)) : 1;
  const ys = new Float64Array(events.length);
  /** Idle gaps drawn shorter than their time: where (y of the gap's end) and how long. */
  const cappedGaps: { y: number; gapMs: number }[] = [];
  let y = headerPx + 10;
  for (let i = 0; i < events.length; i++) {
    const gapMs = i === 0 ? 0 : ((events[i] as JournalEvent).time - (events[i - 1] as JournalEvent).time) / NS_PER_MS;
    if (i > 0) {
      const gapPx = Math.max(0, gapMs) * pxPerMs;
      y += STEP_PX + Math.min(gapPx, GAP_CAP_PX);
      if (gapPx > GAP_CAP_PX) cappedGaps.push({ y, gapMs });
    }
    ys[i] = y;
  }
  const bottom = y + 40;
  const height = bottom + (window.truncated ? 50 : 20);

  const out: string[] = [];
  out.push(
    svgOpen(
      width,
      height,
      title,
      `.node{stroke:#c8c8c8;stroke-width:1}.nodelabel{text-anchor:middle;font-weight:bold}.client{font-size:9px;font-weight:normal}` +
        `.msg{stroke-width:1.6;pointer-events:stroke}.msg:hover{stroke-width:4}` +
        `.dropped{stroke:#d62728;stroke-width:2;fill:none}.dropstub{stroke:#d62728;stroke-width:1.2;stroke-dasharray:3 2}` +
        `.inflight{stroke:#888;stroke-width:1.2;stroke-dasharray:4 3}.tick{fill:#555;text-anchor:end}` +
        `.partition{fill:#fde2e2}.partlabel{fill:#c0392b;font-size:10px}` +
        [...colours].map(([type, colour]) => `.${typeClass.get(type)}{stroke:${colour};marker-end:url(#a-${typeClass.get(type)})}`).join(''),
    ),
  );
  out.push('<defs>');
  for (const [type, colour] of colours) {
    out.push(
      `<marker id="a-${typeClass.get(type)}" viewBox="0 0 10 8" refX="10" refY="4" markerWidth="9" markerHeight="7" ` +
        `markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,4L0,8z" fill="${colour}"/></marker>`,
    );
  }
  out.push('</defs>');
  out.push(
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>` +
      `<text x="10" y="34" fill="#555">${events.length} journal events (init exchanges left out), ` +
      `${nodes.length} nodes; time runs down; hover an arrow for the message</text>`,
  );
  out.push(`<g class="legend">${legendParts.join('')}</g>`);

  // Partition shading, behind everything else.
  const yAtMs = (ms: number): number => yAtTime(events, ys, ms * NS_PER_MS, headerPx + 10, bottom - 40);
  for (const p of partitions) {
    const y0 = yAtMs(p.startMs);
    const y1 = Math.max(y0 + 2, yAtMs(p.endMs));
    if (events.length === 0 || y1 <= headerPx) continue;
    const kind = kindOf(p);
    if (kind !== 'partition') {
      // eddy's own faults, each in its own colour; the label names the nodes hit.
      const st = FAULT_STYLE[kind];
      out.push(
        `<rect class="fault-${kind}" x="0" y="${px(y0)}" width="${px(width)}" height="${px(y1 - y0)}" fill="${st.fill}" fill-opacity="0.7">` +
          `<title>${esc(kind)} ${esc(cut(p.description, 300))} from ${p.startMs.toFixed(0)} ms to ${p.endMs.toFixed(0)} ms</title></rect>` +
          `<text x="4" y="${px(y0 + 11)}" font-size="10" fill="${st.stroke}">${esc(kind)} ${esc(cut(p.description, 60))}</text>`,
      );
      continue;
    }
    out.push(
      `<rect class="partition" x="0" y="${px(y0)}" width="${px(width)}" height="${px(y1 - y0)}">` +
        `<title>partition ${esc(cut(p.description, 300))} from ${p.startMs.toFixed(0)} ms to ${p.endMs.toFixed(0)} ms</title></rect>` +
        `<text class="partlabel" x="4" y="${px(y0 + 11)}">partition</text>`,
    );
  }

  // Time axis: a tick at the first event at least TICK_SPACING_PX below the previous tick.
  out.push(`<g class="time-axis"><line class="axis" x1="${GUTTER_PX - 8}" y1="${headerPx}" x2="${GUTTER_PX - 8}" y2="${px(bottom - 30)}"/>`);
  out.push(`<text x="${GUTTER_PX - 12}" y="${headerPx - 4}" class="tick">ms</text>`);
  let lastTickY = -Infinity;
  for (let i = 0; i < events.length; i++) {
    const ty = ys[i] as number;
    if (ty - lastTickY < TICK_SPACING_PX) continue;
    lastTickY = ty;
    out.push(
      `<line class="grid" x1="${GUTTER_PX - 8}" y1="${px(ty)}" x2="${px(width)}" y2="${px(ty)}"/>` +
        `<text class="tick" x="${GUTTER_PX - 12}" y="${px(ty + 4)}">${formatMs((events[i] as JournalEvent).time / NS_PER_MS)}</text>`,
    );
  }
  // A capped gap gets a break mark on the axis, saying how much time it hides.
  for (const gap of cappedGaps) {
    const gy = gap.y - GAP_CAP_PX / 2;
    const ax = GUTTER_PX - 8;
    out.push(
      `<path class="gap" d="M${ax - 6},${px(gy - 5)}L${ax + 6},${px(gy - 9)}M${ax - 6},${px(gy + 3)}L${ax + 6},${px(gy - 1)}" stroke="#555" stroke-width="1.5"/>` +
        `<text class="tick" x="${ax - 10}" y="${px(gy)}"><title>an idle gap drawn shorter than its time</title>gap ${formatMs(gap.gapMs)}</text>`,
    );
  }
  out.push('</g>');

  // Node lines and their names, repeated down the page.
  out.push('<g class="nodes">');
  for (const node of nodes) {
    const nx = xOf.get(node) as number;
    out.push(
      `<line class="node" data-node="${esc(node)}" x1="${px(nx)}" y1="${headerPx}" x2="${px(nx)}" y2="${px(bottom - 30)}"><title>${esc(node)}</title></line>`,
    );
  }
  for (let ly2 = headerPx - 6; ly2 < bottom - 60; ly2 += LABEL_REPEAT_PX) {
    const fill = ly2 > headerPx ? ' fill="#999"' : '';
    for (const node of nodes) {
      if (setupOnly.has(node)) continue;
      const cls = isClientId(node) ? 'nodelabel client' : 'nodelabel';
      out.push(`<text class="${cls}" x="${px(xOf.get(node) as number)}" y="${px(ly2)}"${fill}>${esc(node)}</text>`);
    }
    for (const run of setupRuns) {
      const first = run[0] as string;
      const last = run[run.length - 1] as string;
      const mid = ((xOf.get(first) as number) + (xOf.get(last) as number)) / 2;
      const label = run.length === 1 ? first : `${first}…${last}`;
      out.push(`<text class="nodelabel client" x="${px(mid)}" y="${px(ly2)}"${fill}><title>setup clients (topology)</title>${esc(label)}</text>`);
    }
  }
  out.push('</g>');

  // Arrows, in receipt order.
  out.push('<g class="messages">');
  for (let i = 0; i < events.length; i++) {
    const ev = events[i] as JournalEvent;
    if (ev.type !== 'recv') continue;
    const s = sends.get(ev.message.id);
    if (s === undefined) continue;
    const m = ev.message;
    const x1 = xOf.get(m.src) as number;
    const x2 = xOf.get(m.dest) as number;
    const sentMs = s.ev.time / NS_PER_MS;
    const recvMs = ev.time / NS_PER_MS;
    out.push(
      `<line class="msg ${typeClass.get(m.body.type)}" data-id="${m.id}" x1="${px(x1)}" y1="${px(ys[s.i] as number)}" ` +
        `x2="${px(x2)}" y2="${px(ys[i] as number)}"><title>${esc(
          `${m.src} → ${m.dest} #${m.id}, sent ${formatMs(sentMs)} ms, received ${formatMs(recvMs)} ms (+${formatMs(recvMs - sentMs)} ms)\n` +
            briefJson(m.body, TOOLTIP_CHARS),
        )}</title></line>`,
    );
  }
  out.push('</g>');

  // Sends without a receipt in the window.
  out.push('<g class="unreceived">');
  for (const u of unreceived) {
    const m = u.ev.message;
    const x1 = xOf.get(m.src) as number;
    const x2 = xOf.get(m.dest) as number;
    const y1 = ys[u.i] as number;
    const tip = esc(
      `${m.src} → ${m.dest} #${m.id}, sent ${formatMs(u.ev.time / NS_PER_MS)} ms, ` +
        (u.fate === 'dropped' ? 'never received (dropped)' : 'still in flight when the drawn window ends') +
        `\n${briefJson(m.body, TOOLTIP_CHARS)}`,
    );
    if (u.fate === 'dropped') {
      // A short stub towards the destination, ending in a cross.
      const dir = x2 === x1 ? 0 : Math.sign(x2 - x1);
      const len = Math.min(24, Math.abs(x2 - x1) / 2);
      const cx = x1 + dir * len;
      const cy = y1 + 6;
      out.push(
        `<g class="drop" data-id="${m.id}" data-type="${esc(m.body.type)}"><title>${tip}</title>` +
          `<line class="dropstub" x1="${px(x1)}" y1="${px(y1)}" x2="${px(cx)}" y2="${px(cy)}"/>${crossPath(cx, cy, 'dropped')}</g>`,
      );
    } else {
      out.push(
        `<line class="inflight" data-id="${m.id}" x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(bottom - 30)}"><title>${tip}</title></line>`,
      );
    }
  }
  out.push('</g>');

  if (window.truncated) {
    out.push(
      `<line x1="30" y1="${px(bottom)}" x2="${px(width - 30)}" y2="${px(bottom)}" stroke="#d96918"/>` +
        `<text class="truncated" x="${px(width / 2)}" y="${px(bottom + 20)}" fill="#d96918" text-anchor="middle">` +
        `Only the first ${window.events.length} journal events are drawn; later network events are not shown.</text>`,
    );
  }
  out.push('</svg>\n');
  return out.join('\n');
}

/** The y of the first event at or after `timeNs` (clamped to the drawn range). */
function yAtTime(events: readonly JournalEvent[], ys: Float64Array, timeNs: number, top: number, bottom: number): number {
  if (events.length === 0) return top;
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((events[mid] as JournalEvent).time < timeNs) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= events.length) return bottom;
  return lo === 0 && timeNs < (events[0] as JournalEvent).time ? top : (ys[lo] as number);
}

function crossPath(cx: number, cy: number, cls: string): string {
  const r = 4;
  return `<path class="${cls === 'legend' ? 'dropped' : cls}" d="M${px(cx - r)},${px(cy - r)}L${px(cx + r)},${px(cy + r)}M${px(cx - r)},${px(cy + r)}L${px(cx + r)},${px(cy - r)}"/>`;
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? ms.toFixed(0) : ms.toFixed(1);
}
