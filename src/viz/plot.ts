/**
 * A small x/y chart in SVG: frame, axes with nice ticks (linear or log y),
 * partition shading, a legend, and point and line marks. The latency, rate
 * and stable-latency pictures are all drawn on it, so they look alike.
 */
import { esc, niceTicks, px, svgOpen, tickLabel } from './markup.js';
import { FAULT_STYLE, kindOf, type PartitionInterval } from './nemesis.js';

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Logarithmic y axis (yMin must then be > 0). @default false */
  yLog?: boolean;
  /** Partition intervals to shade; their times are in ms, the x axis in s. @default [] */
  partitions?: readonly PartitionInterval[];
  /** @default 900 */
  widthPx?: number;
  /** @default 440 */
  heightPx?: number;
}

export type Shape = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';
export const SHAPES: readonly Shape[] = ['circle', 'square', 'triangle', 'diamond', 'cross'];

const MARGIN = { left: 70, right: 20, top: 36, bottom: 80 };

export class Plot {
  readonly #options: PlotOptions;
  readonly #widthPx: number;
  readonly #heightPx: number;
  readonly #marks: string[] = [];
  readonly #legend: { label: string; markup: string }[] = [];

  constructor(options: PlotOptions) {
    const yLog = options.yLog ?? false;
    let { xMin, xMax, yMin, yMax } = options;
    if (!(xMax > xMin)) xMax = xMin + 1;
    if (yLog) {
      yMin = Math.max(yMin, 1e-3);
      if (!(yMax > yMin)) yMax = yMin * 10;
      yMin = 10 ** Math.floor(Math.log10(yMin));
      yMax = 10 ** Math.ceil(Math.log10(yMax));
    } else if (!(yMax > yMin)) {
      yMax = yMin + 1;
    }
    this.#options = { ...options, xMin, xMax, yMin, yMax, yLog };
    this.#widthPx = options.widthPx ?? 900;
    this.#heightPx = options.heightPx ?? 440;
  }

  /** The x pixel of a value in axis units. */
  sx(x: number): number {
    const { xMin, xMax } = this.#options;
    return MARGIN.left + ((x - xMin) / (xMax - xMin)) * (this.#widthPx - MARGIN.left - MARGIN.right);
  }

  /** The y pixel of a value in axis units (clamped into the frame). */
  sy(y: number): number {
    const { yMin, yMax, yLog } = this.#options;
    const inner = this.#heightPx - MARGIN.top - MARGIN.bottom;
    const f = yLog
      ? (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))
      : (y - yMin) / (yMax - yMin);
    return this.#heightPx - MARGIN.bottom - Math.min(1, Math.max(0, f)) * inner;
  }

  get frameTop(): number {
    return MARGIN.top;
  }

  /** Adds raw SVG drawn in plot coordinates (use sx/sy). */
  add(markup: string): void {
    this.#marks.push(markup);
  }

  /** A point mark with a tooltip. */
  point(x: number, y: number, shape: Shape, colour: string, tooltip: string, cls = 'pt'): void {
    this.#marks.push(`<g class="${cls}"><title>${esc(tooltip)}</title>${shapePath(this.sx(x), this.sy(y), shape, colour)}</g>`);
  }

  /** A polyline through points given in axis units; a null point breaks the line (no data there). */
  line(points: readonly ([number, number] | null)[], colour: string, dash: string, tooltip: string): void {
    let d = '';
    let pen = false;
    for (const point of points) {
      if (point === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(this.sx(point[0]))},${px(this.sy(point[1]))}`;
      pen = true;
    }
    if (d === '') return;
    this.#marks.push(
      `<path class="series" d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''}>` +
        `<title>${esc(tooltip)}</title></path>`,
    );
  }

  /** A legend entry: a swatch (SVG drawn around 0,0) and a label. */
  legendEntry(key: string, swatch: string, label: string): void {
    this.#legend.push({ label, markup: `<g class="legend-entry" data-key="${esc(key)}">${swatch}<text x="14" y="4">${esc(label)}</text></g>` });
  }

  /** A legend swatch for a point mark. */
  static pointSwatch(shape: Shape, colour: string): string {
    return shapePath(4, 0, shape, colour);
  }

  /** A legend swatch for a line. */
  static lineSwatch(colour: string, dash: string): string {
    return `<line x1="-4" y1="0" x2="10" y2="0" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  }

  /** A centred note inside the frame, e.g. "no operations". */
  note(text: string): void {
    const cx = (MARGIN.left + this.#widthPx - MARGIN.right) / 2;
    const cy = (MARGIN.top + this.#heightPx - MARGIN.bottom) / 2;
    this.#marks.push(`<text class="note" x="${px(cx)}" y="${px(cy)}" text-anchor="middle" fill="#888" font-size="14">${esc(text)}</text>`);
  }

  toSvg(): string {
    const o = this.#options;
    const w = this.#widthPx;
    const left = MARGIN.left;
    const right = w - MARGIN.right;
    const top = MARGIN.top;
    const bottom = this.#heightPx - MARGIN.bottom;
    // The legend runs in rows under the x axis label; extra rows grow the canvas.
    let lx = left;
    let ly = bottom + 52;
    const legend: string[] = [];
    for (const entry of this.#legend) {
      const itemWidth = 30 + entry.label.length * 6.2;
      if (lx + itemWidth > right && lx > left) {
        lx = left;
        ly += 16;
      }
      legend.push(`<g transform="translate(${px(lx)} ${ly})">${entry.markup}</g>`);
      lx += itemWidth;
    }
    const h = this.#heightPx + (ly - (bottom + 52));
    const out: string[] = [svgOpen(w, h, o.title, '.tick{fill:#444;font-size:10px}.pt:hover{opacity:.6}')];
    out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(o.title)}</text>`);
    out.push(`<defs><clipPath id="frame"><rect x="${left}" y="${top - 8}" width="${right - left}" height="${bottom - top + 16}"/></clipPath></defs>`);
    for (const p of o.partitions ?? []) {
      const x0 = Math.max(left, this.sx(p.startMs / 1000));
      const x1 = Math.min(right, Math.max(x0 + 1, this.sx(p.endMs / 1000)));
      if (x1 <= left || x0 >= right) continue;
      const kind = kindOf(p);
      if (kind !== 'partition') {
        // eddy's own faults: each its own colour, translucent where they overlap.
        out.push(
          `<rect class="fault-${kind}" x="${px(x0)}" y="${top}" width="${px(x1 - x0)}" height="${bottom - top}" fill="${FAULT_STYLE[kind].fill}" fill-opacity="0.7">` +
            `<title>${esc(`${kind} ${p.description} from ${(p.startMs / 1000).toFixed(1)} s to ${(p.endMs / 1000).toFixed(1)} s`)}</title></rect>`,
        );
        continue;
      }
      out.push(
        `<rect class="partition" x="${px(x0)}" y="${top}" width="${px(x1 - x0)}" height="${bottom - top}" fill="#fde2e2">` +
          `<title>${esc(`partition ${p.description} from ${(p.startMs / 1000).toFixed(1)} s to ${(p.endMs / 1000).toFixed(1)} s`)}</title></rect>`,
      );
    }
    for (const t of niceTicks(o.xMin, o.xMax, 10)) {
      const x = this.sx(t);
      out.push(
        `<line class="grid" x1="${px(x)}" y1="${top}" x2="${px(x)}" y2="${bottom}"/>` +
          `<text class="tick" x="${px(x)}" y="${bottom + 14}" text-anchor="middle">${tickLabel(t)}</text>`,
      );
    }
    const yTicks = o.yLog ? logTicks(o.yMin, o.yMax) : niceTicks(o.yMin, o.yMax, 6);
    for (const t of yTicks) {
      const y = this.sy(t);
      out.push(
        `<line class="grid" x1="${left}" y1="${px(y)}" x2="${right}" y2="${px(y)}"/>` +
          `<text class="tick" x="${left - 6}" y="${px(y + 3)}" text-anchor="end">${tickLabel(t)}</text>`,
      );
    }
    out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" class="axis"/>`);
    out.push(`<text x="${px((left + right) / 2)}" y="${bottom + 32}" text-anchor="middle">${esc(o.xLabel)}</text>`);
    out.push(
      `<text x="16" y="${px((top + bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 ${px((top + bottom) / 2)})">${esc(o.yLabel)}</text>`,
    );
    out.push(`<g class="marks" clip-path="url(#frame)">${this.#marks.join('\n')}</g>`);
    out.push(`<g class="legend">${legend.join('')}</g>`);
    out.push('</svg>\n');
    return out.join('\n');
  }
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(min)); e <= Math.round(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

function shapePath(x: number, y: number, shape: Shape, colour: string): string {
  const r = 3;
  switch (shape) {
    case 'circle':
      return `<circle cx="${px(x)}" cy="${px(y)}" r="${r}" fill="${colour}"/>`;
    case 'square':
      return `<rect x="${px(x - r)}" y="${px(y - r)}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
    case 'triangle':
      return `<path d="M${px(x)},${px(y - r - 1)}L${px(x + r + 1)},${px(y + r)}L${px(x - r - 1)},${px(y + r)}z" fill="${colour}"/>`;
    case 'diamond':
      return `<path d="M${px(x)},${px(y - r - 1)}L${px(x + r + 1)},${px(y)}L${px(x)},${px(y + r + 1)}L${px(x - r - 1)},${px(y)}z" fill="${colour}"/>`;
    case 'cross':
      return `<path d="M${px(x - r)},${px(y - r)}L${px(x + r)},${px(y + r)}M${px(x - r)},${px(y + r)}L${px(x + r)},${px(y - r)}" stroke="${colour}" stroke-width="2" fill="none"/>`;
  }
}
