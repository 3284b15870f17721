/**
 * The small toolkit every picture is drawn with: XML escaping, compact number
 * formatting, "nice" axis ticks, and the shared colour choices (operation
 * types, message body types). Pictures are hand-written SVG strings: a run's
 * pictures must open in any browser with no network and no plotting library,
 * and building strings is fast enough for 10,000 arrows.
 */
import { isClientId } from '../harness/types.js';

/** Escapes text for use in XML/HTML element content and attribute values. */
export function esc(text: string): string {
  // Most text (node ids, numbers, JSON without quotes in it) needs nothing: test before building a copy.
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c] as string) : text;
}
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Formats a coordinate with at most one decimal: SVG files stay small. */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** JSON for a tooltip; never throws (cyclic or odd values become a string). */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * JSON of `value` cut to `maxChars` (ending in "…" when cut), without
 * serialising all of it: a read_ok body may hold thousands of values, and a
 * diagram has thousands of tooltips. Arrays are shortened first to as many
 * elements as could show (each takes at least two characters), then the
 * rest is one JSON.stringify. Parts that need no shortening are not copied:
 * a diagram's tooltips are mostly small bodies, and copying each of them was
 * a good part of drawing time.
 */
export function briefJson(value: unknown, maxChars: number): string {
  const keep = Math.ceil(maxChars / 2) + 1;
  // Returns `v` itself when it has nothing to shorten, else a copy with long arrays cut.
  const shorten = (v: unknown, depth: number): unknown => {
    if (Array.isArray(v)) {
      let out: unknown[] = v.length > keep ? v.slice(0, keep) : v;
      for (let i = 0; i < out.length; i++) {
        const inner: unknown = out[i];
        const short = shorten(inner, depth + 1);
        if (short === inner) continue;
        if (out === v) out = v.slice();
        out[i] = short;
      }
      return out;
    }
    if (typeof v === 'object' && v !== null && depth < 20) {
      // Anything but a plain object (a Map, a Date) is copied as its own enumerable fields, as JSON of a copy shows it.
      const proto: unknown = Object.getPrototypeOf(v);
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record);
      let out: Record<string, unknown> | null = proto !== Object.prototype && proto !== null ? {} : null;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const inner = record[k];
        const short = shorten(inner, depth + 1);
        if (out === null && short !== inner) {
          out = {};
          for (let j = 0; j < i; j++) out[keys[j] as string] = record[keys[j] as string];
        }
        if (out !== null) out[k] = short;
      }
      return out ?? v;
    }
    return v;
  };
  return cut(safeJson(shorten(value, 0)), maxChars);
}

/**
 * Tick positions for a linear axis over [min, max]: steps of 1, 2 or 5 times
 * a power of ten, about `target` of them.
 */
export function niceTicks(min: number, max: number, target = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [min];
  const raw = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Math.round(t / step) * step);
  }
  return ticks;
}

/** A label for a tick value: drops float noise such as 0.30000000000000004. */
export function tickLabel(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** Operation completion types, coloured as in Jepsen's pictures. */
export const OP_TYPE_COLOURS: Readonly<Record<string, string>> = {
  ok: '#3b82d6',
  info: '#f39c12',
  fail: '#e8467c',
  invoke: '#9ca3af',
};

/** Message body types that every broadcast run has get fixed colours. */
const FIXED_BODY_COLOURS: Readonly<Record<string, string>> = {
  broadcast: '#1f77b4',
  broadcast_ok: '#7fb4dc',
  read: '#2ca02c',
  read_ok: '#8fd18f',
  topology: '#8c564b',
  topology_ok: '#c49c94',
  echo: '#17becf',
  echo_ok: '#9edae5',
  error: '#ff1e90',
};

/** Colours for other body types (a node's own gossip messages), in name order. */
// Red is kept out: it marks dropped messages.
const SPARE_COLOURS = ['#9467bd', '#ff7f0e', '#bcbd22', '#e377c2', '#7f7f7f', '#393b79', '#637939', '#8c6d31', '#17a589', '#5d6d7e'];

/**
 * Assigns a colour to every body type present. Types without a fixed colour
 * get spare colours in name order, so the same set of types always gets the
 * same colours; beyond the spares, colours repeat (the legend still tells).
 */
export function bodyTypeColours(types: Iterable<string>): Map<string, string> {
  const colours = new Map<string, string>();
  const others: string[] = [];
  for (const type of new Set(types)) {
    const fixed = FIXED_BODY_COLOURS[type];
    if (fixed !== undefined) colours.set(type, fixed);
    else others.push(type);
  }
  others.sort();
  others.forEach((type, i) => colours.set(type, SPARE_COLOURS[i % SPARE_COLOURS.length] as string));
  return colours;
}

/**
 * Orders node ids the way people count: clients first, then servers, each by
 * their number (c2 before c10, n9 before n10).
 */
export function compareNodeIds(a: string, b: string): number {
  const ka = nodeKey(a);
  const kb = nodeKey(b);
  if (ka.client !== kb.client) return ka.client ? -1 : 1;
  // Services (lin-kv, seq-kv, ...) after the numbered nodes.
  if ((ka.num < 0) !== (kb.num < 0)) return ka.num < 0 ? 1 : -1;
  if (ka.prefix !== kb.prefix) return ka.prefix < kb.prefix ? -1 : 1;
  if (ka.num !== kb.num) return ka.num - kb.num;
  return a < b ? -1 : a > b ? 1 : 0;
}

function nodeKey(id: string): { client: boolean; prefix: string; num: number } {
  const match = /^(\D*)(\d+)$/.exec(id);
  const prefix = match ? (match[1] as string) : id;
  return { client: isClientId(id), prefix, num: match ? Number(match[2]) : -1 };
}

/** The opening of a standalone SVG document with a default font. */
export function svgOpen(width: number, height: number, title: string, extraStyle = ''): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${px(width)}" height="${px(height)}" ` +
    `viewBox="0 0 ${px(width)} ${px(height)}">\n<title>${esc(title)}</title>\n` +
    `<style>svg{font-family:Helvetica,Arial,sans-serif;font-size:11px}` +
    `.axis{stroke:#444;stroke-width:1}.grid{stroke:#e5e5e5;stroke-width:1}${extraStyle}</style>\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n`
  );
}

/** The largest number in a list, or 0 when empty (no spread: lists may be long). */
export function maxOf(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max === -Infinity ? 0 : max;
}

/** The smallest number in a list, or 0 when empty. */
export function minOf(values: readonly number[]): number {
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  return min === Infinity ? 0 : min;
}
