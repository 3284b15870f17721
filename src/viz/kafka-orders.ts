/**
 * The kafka workload's per-key picture (Jepsen's `orders/<key>.svg`): one
 * row per process that polled the key, each ok poll drawn as the run of
 * offsets it returned (by dense position in the key's log, so sparse or
 * huge offsets cost nothing), in history order from left to right within
 * the row's band. Polls named by an error of that key are drawn in red.
 * Drawn only for keys with errors, and at most 400 polls per key, so the
 * cost does not grow with the run.
 */
import type { Op } from '../harness/types.js';
import { esc } from './markup.js';

const MAX_POLLS = 400;

export function renderKafkaOrders(history: readonly Op[], key: string, results: Record<string, unknown>): string {
  const bad = anomalousOps(results, key);
  const offsets = new Set<number>();
  const polls: { process: number; index: number; offsets: number[] }[] = [];
  for (const op of history) {
    if (op.type !== 'ok' || typeof op.process !== 'number') continue;
    for (const mop of Array.isArray(op.value) ? op.value : []) {
      if (!Array.isArray(mop)) continue;
      if (mop[0] === 'send' && mop[1] === key && Array.isArray(mop[2]) && typeof mop[2][0] === 'number') offsets.add(mop[2][0]);
      if (mop[0] === 'poll' && typeof mop[1] === 'object' && mop[1] !== null) {
        const pairs = (mop[1] as Record<string, unknown>)[key];
        if (!Array.isArray(pairs)) continue;
        const os = pairs.filter((p): p is [number, unknown] => Array.isArray(p) && typeof p[0] === 'number').map((p) => p[0]);
        for (const o of os) offsets.add(o);
        if (os.length > 0 && (polls.length < MAX_POLLS || bad.has(op.index))) polls.push({ process: op.process, index: op.index, offsets: os });
      }
    }
  }
  const sorted = [...offsets].sort((a, b) => a - b);
  const rank = new Map(sorted.map((o, i) => [o, i]));
  const processes = [...new Set(polls.map((p) => p.process))].sort((a, b) => a - b);
  const row = new Map(processes.map((p, i) => [p, i]));
  const colW = 14;
  const rowH = 28;
  const left = 90;
  const top = 40;
  const width = left + Math.max(1, sorted.length) * colW + 40;
  const height = top + Math.max(1, processes.length) * rowH + 30;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<text x="10" y="18" font-size="13">Key ${esc(key)}: offsets each process polled (red: polls in an error)</text>`);
  sorted.forEach((o, i) => {
    if (i % Math.max(1, Math.ceil(sorted.length / 40)) === 0) parts.push(`<text x="${left + i * colW}" y="${top - 6}" text-anchor="middle" fill="#555">${o}</text>`);
  });
  processes.forEach((p, i) => parts.push(`<text x="10" y="${top + i * rowH + rowH / 2 + 4}">process ${p}</text>`));
  const perRow = new Map<number, number>();
  for (const poll of polls) {
    const r = row.get(poll.process)!;
    const n = perRow.get(r) ?? 0;
    perRow.set(r, n + 1);
    const y = top + r * rowH + 6 + (n % 4) * 5;
    const colour = bad.has(poll.index) ? '#d62728' : '#1f77b4';
    const xs = poll.offsets.map((o) => left + rank.get(o)! * colW);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${xs.map((x) => `${x},${y}`).join(' ')}"><title>op ${poll.index}: offsets ${esc(poll.offsets.join(', '))}</title></polyline>`);
    for (const x of xs) parts.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${colour}"/>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** History indices of the ops named by the errors about `key`. */
function anomalousOps(results: Record<string, unknown>, key: string): Set<number> {
  const out = new Set<number>();
  const w = results['workload'];
  if (typeof w !== 'object' || w === null) return out;
  for (const entry of Object.values(w as Record<string, unknown>)) {
    const errs = (entry as { errs?: unknown })?.errs;
    if (!Array.isArray(errs)) continue;
    for (const e of errs) {
      if (typeof e !== 'object' || e === null || (e as { key?: unknown }).key !== key) continue;
      for (const field of ['op', 'reader', 'max-read']) {
        const op = (e as Record<string, unknown>)[field] as { index?: unknown } | undefined;
        if (typeof op?.index === 'number') out.add(op.index);
      }
      const ops = (e as { ops?: { index?: unknown }[] }).ops;
      if (Array.isArray(ops)) for (const op of ops) if (typeof op?.index === 'number') out.add(op.index);
    }
  }
  return out;
}
