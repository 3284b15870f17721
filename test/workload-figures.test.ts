// Headline figures come from each workload's registry entry, everywhere they
// are shown: the sweep summary, the seed lines and eddy serve's list. A
// workload without a figure never shows it (no "lost n/a" for echo or
// unique-ids).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeedLine, formatSummary, headlineFigures, summarise, type SeedFigures } from '../src/harness/sim.js';
import { workloads } from '../src/harness/workloads/registry.js';
import { listPage } from '../src/serve/pages.js';
import { runFigures, type RunSummary } from '../src/serve/runs.js';

function seed(workload: string, results: Record<string, unknown>, n: number): SeedFigures {
  return {
    seed: n, exitCode: 0, valid: true, lostCount: null, msgsPerOp: null, serverMsgCount: null, opCount: null, mainOps: null, opRatio: null,
    stableLatencyMedianMs: null, stableLatencyMaxMs: null, figures: headlineFigures(workload, results), error: null, dir: '', wallMs: 1,
  };
}

test('echo\'s sweep summary and seed lines show echo\'s figures and nothing of broadcast\'s', () => {
  const results = { workload: { 'valid?': true, errors: [] } };
  const figs = [seed('echo', results, 1), seed('echo', results, 2)];
  const text = formatSummary(summarise(figs)).join('\n') + formatSeedLine(figs[0]!);
  assert.match(text, /errors \(min \/ median \/ max\)\s+0 \/ 0 \/ 0/);
  assert.doesNotMatch(text, /lost|stable/);
});

test('broadcast\'s summary shows lost, msgs/op and stable latencies from its registry entry', () => {
  const results = { workload: { 'lost-count': 2, 'stable-latencies': { '0.5': 100, '1': 300 } }, net: { stats: { servers: { 'msgs-per-op': 1.5 } } } };
  const text = formatSummary(summarise([seed('broadcast', results, 1)])).join('\n');
  assert.match(text, /lost \(min \/ median \/ max\)\s+2 \/ 2 \/ 2/);
  assert.match(text, /msgs\/op \(min \/ median \/ max\)\s+1\.50 \/ 1\.50 \/ 1\.50/);
  assert.match(text, /stable max ms \(min \/ median \/ max\)\s+300 \/ 300 \/ 300/);
});

test('every registered workload has figures with distinct labels, each null on a run with no results', () => {
  for (const def of workloads()) {
    const figs = runFigures(def.name, {});
    assert.equal(new Set(figs.map((f) => f.label)).size, figs.length, def.name);
    for (const f of figs) assert.equal(f.value, null, `${def.name}: ${f.label}`);
  }
});

test('eddy serve\'s list shows each run\'s own workload figures', () => {
  const base = { dir: '/x', flags: '', lostCount: null, attemptCount: null, stableCount: null, msgsPerOpServers: null, msgsPerOpAll: null, stableLatencyMedianMs: null, stableLatencyMaxMs: null, opCount: null, test: null };
  const echoResults = { workload: { errors: [] } };
  const runs: RunSummary[] = [
    { ...base, id: 'echo/1', workload: 'echo', verdict: 'valid', results: echoResults, figures: runFigures('echo', echoResults) },
    { ...base, id: 'mystery/1', workload: 'mystery', verdict: 'valid', results: {}, figures: runFigures('mystery', {}) },
  ];
  const html = listPage(runs, 'store');
  const echoRow = /<tr class="run valid" data-run="echo\/1">.*?<\/tr>/.exec(html)![0];
  assert.match(echoRow, /errors <b>0<\/b>/);
  assert.doesNotMatch(echoRow, /lost/);
  const mysteryRow = /<tr class="run valid" data-run="mystery\/1">.*?<\/tr>/.exec(html)![0];
  assert.match(mysteryRow, /<td class="figs"><span class="muted">–<\/span><\/td>/);
});
