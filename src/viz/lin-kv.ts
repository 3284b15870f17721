/**
 * `lin-kv/key-K.svg`: for each key the linearizability checker found bad,
 * that key's operations on a time axis, one row per process (as porcupine
 * draws them): a bar from invocation to completion (to the right edge for
 * an indeterminate op), labelled with what it did; the ops of the longest
 * linearizable prefix outlined in green, the op that cannot be linearized
 * in red, and the checker's sentence on top.
 */
import type { LinearizableResult } from '../harness/checker/linearizable.js';
import { opsByKey } from '../harness/checker/linearizable.js';
import type { Op } from '../harness/types.js';
import type { Picture } from '../harness/workloads/workload.js';
import { esc, px, svgOpen } from './markup.js';

const ROW_PX = 22;
const LEFT_PX = 70;
const WIDTH_PX = 1100;
const TOP_PX = 64;
/** Keys drawn at most (the first failures). */
const KEYS_DRAWN = 10;
/** Ops drawn per key at most, around the bad op. */
const OPS_DRAWN = 400;

export function renderLinKvFailures(history: readonly Op[], result: LinearizableResult | undefined): Picture[] {
  if (result === undefined || !Array.isArray(result.failures) || result.failures.length === 0) return [];
  const byKey = opsByKey(history);
  const out: Picture[] = [];
  for (const k of result.failures.slice(0, KEYS_DRAWN)) {
    const r = result.results[k];
    const entry = byKey.get(k);
    if (r === undefined || entry === undefined) continue;
    let ops = entry.ops.slice().sort((a, b) => a.invokeNs - b.invokeNs);
    const badIndex = r.op?.invokeIndex;
    if (ops.length > OPS_DRAWN) {
      const at = Math.max(0, ops.findIndex((o) => o.invokeIndex === badIndex));
      ops = ops.slice(Math.max(0, at - OPS_DRAWN / 2), Math.max(0, at - OPS_DRAWN / 2) + OPS_DRAWN);
    }
    const prefix = new Set(r['longest-prefix'] ?? []);
    const processes = [...new Set(ops.map((o) => String(o.process)))].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
    const row = new Map(processes.map((p, i) => [p, i]));
    const t0 = Math.min(...ops.map((o) => o.invokeNs));
    const t1 = Math.max(...ops.map((o) => o.completeNs ?? o.invokeNs)) + 1;
    const x = (t: number): number => LEFT_PX + ((t - t0) / (t1 - t0)) * (WIDTH_PX - LEFT_PX - 20);
    const height = TOP_PX + processes.length * ROW_PX + 30;
    const parts: string[] = [svgOpen(WIDTH_PX, height, `Key ${k}: not linearizable`)];
    parts.push(`<text x="10" y="18" font-weight="bold">Key ${esc(k)} is not linearizable</text>`);
    parts.push(`<text x="10" y="36" font-size="11">${esc((r.explanation ?? '').slice(0, 190))}</text>`);
    parts.push(`<text x="10" y="52" font-size="11" fill="#555">green outline: in the longest linearizable prefix; red: the op that cannot be linearized; hatched end: indeterminate</text>`);
    for (const p of processes) {
      const y = TOP_PX + row.get(p)! * ROW_PX;
      parts.push(`<text x="10" y="${px(y + 14)}" font-size="11">process ${esc(p)}</text>`);
    }
    for (const o of ops) {
      const y = TOP_PX + row.get(String(o.process))! * ROW_PX + 3;
      const xa = x(o.invokeNs);
      const xb = o.completeNs === null ? WIDTH_PX - 20 : Math.max(x(o.completeNs), xa + 3);
      const bad = o.invokeIndex === badIndex;
      const fill = o.f === 'read' ? '#cfe3f7' : o.f === 'write' ? '#f7e3c4' : '#e3d4f2';
      const stroke = bad ? '#d62728' : prefix.has(o.invokeIndex) ? '#2ca02c' : '#888';
      const label = o.f === 'cas' ? `cas ${JSON.stringify((o.value as unknown[])?.[0])}→${JSON.stringify((o.value as unknown[])?.[1])}` : `${o.f} ${JSON.stringify(o.value)}`;
      const dash = o.completeNs === null ? ' stroke-dasharray="4 2"' : '';
      parts.push(
        `<rect x="${px(xa)}" y="${px(y)}" width="${px(xb - xa)}" height="16" fill="${fill}" stroke="${stroke}" stroke-width="${bad ? 2.5 : 1}"${dash}>` +
          `<title>${esc(`op ${o.invokeIndex}: ${label} (${o.type})`)}</title></rect>`,
      );
      if (xb - xa > 40) parts.push(`<text x="${px(xa + 3)}" y="${px(y + 12)}" font-size="10">${esc(label)}</text>`);
    }
    parts.push('</svg>\n');
    out.push({ file: `lin-kv/key-${k.replace(/[^A-Za-z0-9_-]/g, '_')}.svg`, title: `Key ${k}: the operations, and the one that cannot be linearized`, text: parts.join('\n') });
  }
  return out;
}
