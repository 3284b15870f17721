/**
 * The HTML pages of `eddy serve`: the run list, one run, two runs compared,
 * and errors. Pages are plain server-rendered HTML with inline CSS and no
 * script; every value from a run (results, logs, node ids, option values)
 * is escaped. Pictures are embedded with <object>, so their hover titles
 * work, and each links to the file itself.
 */
import { esc } from '../viz/markup.js';
import { encodeId, type RunSummary, type Verdict } from './runs.js';

const STYLE = `
*{box-sizing:border-box}
body{font-family:Helvetica,Arial,sans-serif;font-size:14px;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:bold;font-size:18px}
header span{color:#aab}
main{padding:16px 20px}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:22px 0 8px}
table{border-collapse:collapse;background:#fff}
th,td{padding:5px 10px;border-bottom:1px solid #e1e4e8;text-align:left;vertical-align:top}
th{background:#f0f2f4;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:#555}
th a{text-transform:none;letter-spacing:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.run.valid td:first-child{border-left:5px solid #2da44e}
tr.run.invalid td:first-child{border-left:5px solid #cf222e}
tr.run.unknown td:first-child,tr.run.none td:first-child{border-left:5px solid #bf8700}
.badge{display:inline-block;white-space:nowrap;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:bold;color:#fff}
.badge.valid{background:#2da44e}.badge.invalid{background:#cf222e}.badge.unknown{background:#bf8700}.badge.none{background:#8c959f}
.verdict{font-size:18px;padding:10px 14px;border-radius:6px;color:#fff;display:inline-block;margin-bottom:10px}
.verdict.valid{background:#2da44e}.verdict.invalid{background:#cf222e}.verdict.unknown{background:#bf8700}.verdict.none{background:#8c959f}
pre{background:#fff;border:1px solid #e1e4e8;padding:10px;overflow:auto;max-height:480px;font-size:12px;margin:4px 0}
.picture{background:#fff;border:1px solid #e1e4e8;margin:6px 0 16px;overflow:auto;max-width:100%}
.picture.tall{max-height:85vh}
.pictures2{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.pictures2 > div{min-width:0}
.challenge .pass{color:#1a7f37;font-weight:bold}.challenge .fail{color:#cf222e;font-weight:bold}.challenge td,.challenge th{padding:1px 8px 1px 0;text-align:left}.challenge-lines{font-size:90%;white-space:nowrap}
.muted{color:#666}.better{color:#1a7f37;font-weight:bold}.worse{color:#cf222e;font-weight:bold}
details{margin:6px 0}summary{cursor:pointer}
a{color:#0969da}
button{padding:5px 12px;font-size:14px}
`;

function layout(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>` +
    `<body><header><a href="/">eddy runs</a><span>${esc(title)}</span></header><main>${body}</main></body></html>\n`
  );
}

const VERDICT_LABELS: Record<Verdict, string> = {
  valid: 'valid',
  invalid: 'invalid',
  unknown: 'unknown',
  none: 'no results',
};

function badge(v: Verdict): string {
  return `<span class="badge ${v}">${VERDICT_LABELS[v]}</span>`;
}

function fmt(n: number | null, digits = 0): string {
  if (n === null) return '<span class="muted">–</span>';
  return esc(Number.isInteger(n) && digits === 0 ? String(n) : n.toFixed(digits));
}

export function runHref(id: string): string {
  return `/run/${encodeId(id)}/`;
}

export function fileHref(id: string, name: string): string {
  return `/files/${encodeId(id)}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** A run's headline figures in one cell: "lost 0 · msgs/op 1.05 · ...". */
function figureCell(r: RunSummary): string {
  if (r.figures.length === 0) return '<span class="muted">–</span>';
  return r.figures.map((f) => `<span class="fig">${esc(f.label)} <b>${fmt(f.value, f.digits)}</b></span>`).join(' · ');
}

/** A challenge run's name, pass or fail, and one line per target; a dash for other runs. */
function challengeCell(r: RunSummary): string {
  const j = r.challenge ?? null;
  if (j === null) return '<span class="muted">–</span>';
  const lines = j.targets.map(
    (t) => `<div><span class="${t.pass ? 'pass' : 'fail'}">${t.pass ? 'pass' : 'fail'}</span> ${esc(t.target)} ${esc(t.measured)} ${esc(t.bound)}</div>`,
  );
  const head = `<b>${esc(j.name)}</b> <span class="${j.passed ? 'pass' : 'fail'}">${j.passed ? 'passed' : 'not passed'}</span>${j.overrides.length > 0 ? ' <span class="muted">(other flags)</span>' : ''}`;
  return `<div class="challenge" data-challenge="${esc(j.name)}">${head}<div class="challenge-lines">${lines.join('')}</div></div>`;
}

/** The run page's judgement: the challenge, its page, whether it was passed, and a table of its targets. */
function challengeSection(r: RunSummary): string {
  const j = r.challenge ?? null;
  if (j === null) return '';
  const rows = j.targets.map(
    (t) =>
      `<tr><th>${esc(t.target)}</th><td class="num">${esc(t.measured)}</td><td>${esc(t.bound)}</td>` +
      `<td class="${t.pass ? 'pass' : 'fail'}">${t.pass ? 'pass' : 'fail'}</td></tr>`,
  );
  const overrides = j.overrides.length > 0 ? `<p class="muted">Run with flags that are not the challenge's: ${esc(j.overrides.join(' '))}</p>` : '';
  return (
    `<section class="challenge" id="challenge"><h2>Challenge ${esc(j.name)}: <a href="${esc(j.page)}">${esc(j.title)}</a> ` +
    `<span class="${j.passed ? 'pass' : 'fail'}">${j.passed ? 'passed' : 'not passed'}</span></h2>` +
    `<table><thead><tr><th>target</th><th>measured</th><th>bound</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>${overrides}</section>`
  );
}

export function listPage(runs: readonly RunSummary[], storeLabel: string): string {
  const rows = runs.map(
    (r) =>
      `<tr class="run ${r.verdict}" data-run="${esc(r.id)}">` +
      `<td><input type="checkbox" name="run" value="${esc(r.id)}" aria-label="compare ${esc(r.id)}"></td>` +
      `<td><a href="${runHref(r.id)}">${esc(r.id)}</a></td>` +
      `<td>${esc(r.workload ?? '')}</td><td>${badge(r.verdict)}</td><td>${esc(r.flags)}</td>` +
      `<td class="figs">${figureCell(r)}</td><td>${challengeCell(r)}</td></tr>`,
  );
  const body =
    `<h1>${runs.length} run${runs.length === 1 ? '' : 's'} in ${esc(storeLabel)}</h1>` +
    (runs.length === 0
      ? `<p>No runs yet. Start one with <code>eddy test -w broadcast --bin PROGRAM</code>.</p>`
      : `<form method="get" action="/compare"><table id="runs"><thead><tr><th></th><th>run (newest first)</th><th>workload</th><th>verdict</th>` +
        `<th>flags</th><th>figures (the workload's headline figures)</th><th>Gossip Glomers challenge</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
        `<p><button type="submit">Compare the two ticked runs</button></p></form>`);
  return layout('runs', body);
}

export interface PictureRef {
  name: string;
  widthPx: number | null;
  heightPx: number | null;
}

export interface RunPageData {
  run: RunSummary;
  pictures: PictureRef[];
  nodeLogs: { name: string; sizeBytes: number; tail: string }[];
  historyHead: string;
  historyTruncated: boolean;
  files: string[];
  /** Why pictures are missing, if they are. */
  pictureNote: string | null;
}

function embed(id: string, p: PictureRef): string {
  const href = fileHref(id, p.name);
  if (p.name.endsWith('.html')) {
    return `<iframe class="picture" src="${href}" title="${esc(p.name)}" style="width:100%;height:520px"></iframe>`;
  }
  const size = p.widthPx !== null && p.heightPx !== null ? ` width="${p.widthPx}" height="${p.heightPx}"` : '';
  return (
    `<div class="picture${p.name === 'messages.svg' ? ' tall' : ''}"><object type="image/svg+xml" data="${href}"${size} ` +
    `data-picture="${esc(p.name)}" aria-label="${esc(p.name)}"><a href="${href}">${esc(p.name)}</a></object></div>`
  );
}

const PICTURE_TITLES: Record<string, string> = {
  'messages.svg': 'Messages (Lamport diagram)',
  'stable-latency.svg': 'Stable latency per broadcast value',
  'latency-raw.svg': 'Latency',
  'latency-quantiles.svg': 'Latency quantiles',
  'rate.svg': 'Throughput',
  'timeline.html': 'Timeline',
};

function pictureHeading(id: string, name: string): string {
  return `<h2>${esc(PICTURE_TITLES[name] ?? name)} <a class="muted" href="${fileHref(id, name)}">${esc(name)}</a></h2>`;
}

function keyFigures(r: RunSummary): string {
  const stats = obj(r.results?.stats);
  const net = obj(obj(r.results?.net)?.stats);
  const row = (label: string, value: unknown): string => `<tr><th>${esc(label)}</th><td class="num">${esc(show(value))}</td></tr>`;
  return (
    `<table class="figures">` +
    r.figures.map((f) => `<tr><th>${esc(f.label)}</th><td class="num">${fmt(f.value, f.digits)}</td></tr>`).join('') +
    row('operations', stats?.count) +
    row('ok / fail / info', stats ? `${show(stats['ok-count'])} / ${show(stats['fail-count'])} / ${show(stats['info-count'])}` : undefined) +
    row('msgs-per-op (all / servers)', net ? `${show(obj(net.all)?.['msgs-per-op'])} / ${show(obj(net.servers)?.['msgs-per-op'])}` : undefined) +
    row('messages (all / servers)', net ? `${show(obj(net.all)?.['msg-count'])} / ${show(obj(net.servers)?.['msg-count'])}` : undefined) +
    row('main-phase operations (issued / asked)', opRateText(obj(r.results?.['op-rate']))) +
    `</table>`
  );
}

/**
 * "1694 of 2000 (0.85 x --rate, Maelstrom-like lateness)": how many operations
 * the main phase issued against rate x time-limit, which msgs-per-op divides by.
 */
function opRateText(o: Record<string, unknown> | null): string | undefined {
  if (o === null || typeof o['main-ops'] !== 'number') return undefined;
  const rate = typeof o['rate'] === 'number' ? o['rate'] : null;
  const limit = typeof o['time-limit-s'] === 'number' ? o['time-limit-s'] : null;
  const asked = rate !== null && limit !== null ? Math.round(rate * limit) : null;
  const ratio = typeof o['ratio'] === 'number' ? `${o['ratio'].toFixed(2)} x --rate, ` : '';
  const how = o['schedule'] === 'ideal' ? 'ideal schedule' : `Maelstrom-like lateness ${show(o['lateness'])}`;
  return `${o['main-ops']} of ${asked ?? '–'} (${ratio}${how})`;
}

export function runPage(d: RunPageData): string {
  const r = d.run;
  const parts: string[] = [];
  parts.push(`<h1>${esc(r.id)}</h1>`);
  parts.push(`<div class="verdict ${r.verdict}" id="verdict">${esc(verdictSentence(r))}</div>`);
  parts.push(`<p>${esc(r.flags)}</p>`);
  parts.push(challengeSection(r));
  parts.push(keyFigures(r));
  if (d.pictureNote !== null) parts.push(`<p class="muted">${esc(d.pictureNote)}</p>`);
  for (const p of d.pictures) parts.push(pictureHeading(r.id, p.name) + embed(r.id, p));
  parts.push(`<h2>Results <a class="muted" href="${fileHref(r.id, 'results.json')}">results.json</a></h2>`);
  parts.push(r.results === null ? `<p class="muted">No results.json: the run aborted or is still going.</p>` : `<pre id="results">${esc(JSON.stringify(r.results, null, 2))}</pre>`);
  parts.push(`<h2>Options <a class="muted" href="${fileHref(r.id, 'test.json')}">test.json</a></h2>`);
  parts.push(r.test === null ? `<p class="muted">No test.json.</p>` : `<pre>${esc(JSON.stringify(r.test, null, 2))}</pre>`);
  parts.push(`<h2>Node logs</h2>`);
  if (d.nodeLogs.length === 0) parts.push(`<p class="muted">No node logs.</p>`);
  for (const log of d.nodeLogs) {
    parts.push(
      `<details class="node-log"><summary>${esc(log.name)} (${log.sizeBytes} bytes) <a href="${fileHref(r.id, `node-logs/${log.name}`)}">raw</a></summary>` +
        `<pre>${esc(log.tail)}</pre></details>`,
    );
  }
  parts.push(`<h2>History <a class="muted" href="${fileHref(r.id, 'history.jsonl')}">history.jsonl</a></h2>`);
  parts.push(
    `<details id="history"><summary>${d.historyTruncated ? 'first operations' : 'all operations'}</summary><pre>${esc(d.historyHead)}</pre></details>`,
  );
  parts.push(`<h2>Files</h2><ul>${d.files.map((f) => `<li><a href="${fileHref(r.id, f)}">${esc(f)}</a></li>`).join('')}</ul>`);
  return layout(r.id, parts.join('\n'));
}

function verdictSentence(r: RunSummary): string {
  switch (r.verdict) {
    case 'valid':
      return 'Valid';
    case 'invalid':
      return `Invalid${badFigure(r)}`;
    case 'unknown':
      return 'Unknown (nothing could be confirmed)';
    case 'none':
      return 'No results: the run aborted or is still going';
  }
}

/** ": 2 lost" when the workload's first headline figure is a count of bad outcomes that is above zero. */
function badFigure(r: RunSummary): string {
  const f = r.figures[0];
  return f !== undefined && f.better === 'lower' && f.value !== null && f.value > 0 ? `: ${fmt(f.value, f.digits)} ${f.label}` : '';
}

/** A figure compared: lower is better for every figure here except counts of good outcomes. */
interface Figure {
  label: string;
  get: (r: RunSummary) => number | null;
  lowerIsBetter: boolean | null;
  digits?: number;
}

/** Figures every run has, whatever its workload. */
const COMMON_FIGURES: Figure[] = [
  { label: 'msgs-per-op (servers)', get: (r) => r.msgsPerOpServers, lowerIsBetter: true, digits: 2 },
  { label: 'msgs-per-op (all)', get: (r) => r.msgsPerOpAll, lowerIsBetter: true, digits: 2 },
  { label: 'operations', get: (r) => r.opCount, lowerIsBetter: null },
  { label: 'main-phase operations / (rate x time-limit)', get: (r) => numAt(r, 'op-rate', 'ratio'), lowerIsBetter: null, digits: 2 },
  { label: 'failed operations', get: (r) => numAt(r, 'stats', 'fail-count'), lowerIsBetter: true },
  { label: 'indeterminate operations', get: (r) => numAt(r, 'stats', 'info-count'), lowerIsBetter: true },
];

/** The compared figures: both runs' workload headline figures (by label, first run's order), then the common ones. */
function comparedFigures(a: RunSummary, b: RunSummary): Figure[] {
  const out: Figure[] = [];
  const seen = new Set<string>();
  for (const f of [...a.figures, ...b.figures]) {
    if (seen.has(f.label)) continue;
    seen.add(f.label);
    out.push({
      label: f.label,
      get: (r) => r.figures.find((g) => g.label === f.label)?.value ?? null,
      lowerIsBetter: f.better === null ? null : f.better === 'lower',
      digits: f.digits,
    });
  }
  return [...out, ...COMMON_FIGURES];
}

function numAt(r: RunSummary, ...path: string[]): number | null {
  let v: unknown = r.results;
  for (const key of path) v = obj(v)?.[key];
  return typeof v === 'number' ? v : null;
}

export function comparePage(a: RunSummary, b: RunSummary, picturesA: PictureRef[], picturesB: PictureRef[]): string {
  const rows = comparedFigures(a, b).map((f) => {
    const va = f.get(a);
    const vb = f.get(b);
    let delta = '<span class="muted">–</span>';
    if (va !== null && vb !== null) {
      const d = vb - va;
      const cls = d === 0 || f.lowerIsBetter === null ? '' : (d < 0) === f.lowerIsBetter ? 'better' : 'worse';
      const text = `${d > 0 ? '+' : ''}${Number.isInteger(d) ? d : d.toFixed(f.digits ?? 2)}`;
      delta = `<span class="${cls}">${esc(text)}</span>`;
    }
    return `<tr><th>${esc(f.label)}</th><td class="num">${fmt(va, f.digits ?? 0)}</td><td class="num">${fmt(vb, f.digits ?? 0)}</td><td class="num">${delta}</td></tr>`;
  });
  const head =
    `<tr><th></th><th>A <a href="${runHref(a.id)}">${esc(a.id)}</a></th><th>B <a href="${runHref(b.id)}">${esc(b.id)}</a></th><th>B − A</th></tr>` +
    `<tr><th>verdict</th><td>${badge(a.verdict)}</td><td>${badge(b.verdict)}</td><td></td></tr>` +
    `<tr><th>flags</th><td>${esc(a.flags)}</td><td>${esc(b.flags)}</td><td></td></tr>`;
  const parts = [`<h1>Compare runs</h1><p class="muted">A is the older run; B − A is what changed since.</p><table id="compare">${head}${rows.join('')}</table>`];
  const names = [...new Set([...picturesA, ...picturesB].map((p) => p.name))];
  for (const name of names) {
    const pa = picturesA.find((p) => p.name === name);
    const pb = picturesB.find((p) => p.name === name);
    parts.push(
      `<h2>${esc(PICTURE_TITLES[name] ?? name)}</h2><div class="pictures2">` +
        `<div>${pa ? embed(a.id, pa) : '<p class="muted">none</p>'}</div><div>${pb ? embed(b.id, pb) : '<p class="muted">none</p>'}</div></div>`,
    );
  }
  return layout(`compare ${a.id} with ${b.id}`, parts.join('\n'));
}

export function errorPage(status: number, message: string): string {
  return layout(String(status), `<h1>${status}</h1><p>${esc(message)}</p><p><a href="/">All runs</a></p>`);
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '–';
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : typeof v === 'string' ? v : JSON.stringify(v);
}
