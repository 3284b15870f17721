/**
 * Cycle anomalies in words and pictures. Text as Elle writes it: "Let:"
 * naming each transaction with its op index and process, then "Then:" one
 * line per edge ("T1 < T2, because T2 observed T1's append of 3 to key 5"),
 * ending in the contradiction. Pictures: the cycle's transactions as boxes on
 * a circle, each edge an arrow labelled with its kind, key and values.
 */
import type { CycleAnomaly } from './index.js';

export function cycleText(c: Pick<CycleAnomaly, 'type' | 'cycle' | 'steps'>): string {
  const lines = [`${c.type}: a cycle of ${c.cycle.length} transactions.`, 'Let:'];
  c.cycle.forEach((op, i) => {
    lines.push(`  T${i + 1} = op ${op['index']} (process ${op['process']}, ${op['type']}): ${JSON.stringify(op['value'])}`);
  });
  lines.push('', 'Then:');
  const n = c.steps.length;
  c.steps.forEach((s, i) => {
    const a = `T${i + 1}`, b = `T${((i + 1) % n) + 1}`;
    const lead = i === n - 1 && n > 1 ? '  - However, ' : '  - ';
    const end = i === n - 1 ? ': a contradiction!' : '.';
    lines.push(`${lead}${a} < ${b}, because ${s.explanation}${end}`);
  });
  return lines.join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function cycleSvg(c: CycleAnomaly): string {
  const n = c.cycle.length;
  const boxW = 260, boxH = 44;
  const r = Math.max(120, (n * (boxW * 0.6)) / (2 * Math.PI));
  const cx = r + boxW / 2 + 40, cy = r + boxH + 60;
  const W = 2 * cx, H = 2 * cy;
  const pos = c.cycle.map((_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
  });
  const colour: Record<string, string> = { ww: '#c0392b', wr: '#2471a3', rw: '#d68910', process: '#7d3c98', realtime: '#229954' };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W.toFixed(0)}" height="${H.toFixed(0)}" viewBox="0 0 ${W.toFixed(0)} ${H.toFixed(0)}" font-family="sans-serif" font-size="12">`,
    '<defs>',
    ...Object.entries(colour).map(([k, col]) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${col}"/></marker>`),
    '</defs>',
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(c.type)}</text>`,
  ];
  c.steps.forEach((s, i) => {
    const a = pos[i]!, b = pos[(i + 1) % n]!;
    const dx = b.x - a.x, dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    // Shorten to the box edges (approximately) and bow outwards so 2-cycles show both arrows.
    const shrink = Math.min(0.45, (boxH * 0.9) / len + 0.1);
    const x1 = a.x + dx * shrink, y1 = a.y + dy * shrink, x2 = b.x - dx * shrink, y2 = b.y - dy * shrink;
    const mx = (x1 + x2) / 2 - (dy / len) * 30, my = (y1 + y2) / 2 + (dx / len) * 30;
    const col = colour[s.type] ?? '#333';
    parts.push(`<path d="M${x1.toFixed(1)},${y1.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}" fill="none" stroke="${col}" stroke-width="2" marker-end="url(#arrow-${s.type})"/>`);
    const label = s.key === undefined ? s.type : `${s.type} ${JSON.stringify(s.key)}: ${JSON.stringify(s.value)}${s["value'"] !== undefined ? ` → ${JSON.stringify(s["value'"])}` : ''}`;
    parts.push(`<text x="${mx.toFixed(1)}" y="${my.toFixed(1)}" text-anchor="middle" fill="${col}"><title>${esc(s.explanation)}</title>${esc(label)}</text>`);
  });
  c.cycle.forEach((op, i) => {
    const p = pos[i]!;
    const value = JSON.stringify(op['value']);
    const shown = value.length > 40 ? value.slice(0, 39) + '…' : value;
    parts.push(`<g><title>${esc(value)}</title><rect x="${(p.x - boxW / 2).toFixed(1)}" y="${(p.y - boxH / 2).toFixed(1)}" width="${boxW}" height="${boxH}" rx="6" fill="#fdfefe" stroke="#333"/>`);
    parts.push(`<text x="${p.x.toFixed(1)}" y="${(p.y - 5).toFixed(1)}" text-anchor="middle" font-weight="bold">T${i + 1} · op ${op['index']} · process ${op['process']} · ${op['type']}</text>`);
    parts.push(`<text x="${p.x.toFixed(1)}" y="${(p.y + 12).toFixed(1)}" text-anchor="middle" font-family="monospace" font-size="11">${esc(shown)}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
