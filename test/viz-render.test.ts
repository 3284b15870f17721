/**
 * The pictures of a run, checked against the run's own files: the Lamport
 * diagram has one line per node and one arrow per delivered message of the
 * journal, a mark per dropped message and a legend entry per body type; the
 * plots have one mark per operation; partial or aborted runs still get
 * pictures; nothing throws.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Op } from '../src/harness/types.js';
import { elementOutcomes, JOURNAL_EVENT_LIMIT, renderRun } from '../src/viz/index.js';
import { partitionIntervals } from '../src/viz/nemesis.js';
import { writeFixtureRun } from './viz-fixture.js';
import { findAll, hasClass, parseXml, titleOf, type XmlElement } from './viz-xml.js';

const scratch = mkdtempSync(join(tmpdir(), 'eddy-viz-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let runCounter = 0;
const freshDir = (): string => join(scratch, `run-${runCounter++}`);

function svg(dir: string, name: string): XmlElement {
  return parseXml(readFileSync(join(dir, name), 'utf8'));
}

describe('renderRun on a complete broadcast run', async () => {
  const run = writeFixtureRun(freshDir(), { nodeCount: 5, opCount: 40 });
  const written = await renderRun(run.dir);
  const messages = svg(run.dir, 'messages.svg');

  test('writes every picture, broadcast stable latency included, and returns their paths', () => {
    assert.deepEqual(
      written.map((p) => basename(p)).sort(),
      ['latency-quantiles.svg', 'latency-raw.svg', 'messages.svg', 'rate.svg', 'stable-latency.svg', 'timeline.html'],
    );
    for (const path of written) assert.ok(existsSync(path), path);
    for (const name of ['latency-raw.svg', 'latency-quantiles.svg', 'rate.svg', 'stable-latency.svg']) {
      assert.equal(svg(run.dir, name).name, 'svg', name);
    }
  });

  test('messages.svg draws one vertical line per node, clients first, then servers in numeric order', () => {
    const lines = findAll(messages, (e) => e.name === 'line' && hasClass(e, 'node'));
    const names = lines.map((l) => l.attrs['data-node'] as string);
    assert.deepEqual([...names].sort(), [...run.drawnEndpoints].sort());
    const firstServer = names.findIndex((n) => n.startsWith('n'));
    assert.ok(names.slice(0, firstServer).every((n) => n.startsWith('c')), names.join(','));
    assert.deepEqual(names.slice(firstServer), run.nodes);
    const xs = lines.map((l) => Number(l.attrs.x1));
    assert.deepEqual(xs, [...xs].sort((a, b) => a - b), 'columns left to right in that order');
  });

  test('messages.svg has one arrow per delivered message, from sender to receiver, going down', () => {
    const arrows = findAll(messages, (e) => e.name === 'line' && hasClass(e, 'msg'));
    assert.equal(arrows.length, run.deliveredCount);
    const xOf = new Map(findAll(messages, (e) => hasClass(e, 'node')).map((l) => [l.attrs['data-node'], Number(l.attrs.x1)]));
    const byId = new Map(run.journal.map((e) => [e.message.id, e.message]));
    for (const a of arrows) {
      const m = byId.get(Number(a.attrs['data-id']));
      assert.ok(m !== undefined);
      assert.equal(Number(a.attrs.x1), xOf.get(m.src));
      assert.equal(Number(a.attrs.x2), xOf.get(m.dest));
      assert.ok(Number(a.attrs.y2) > Number(a.attrs.y1), 'receipt below send');
      assert.ok(titleOf(a)?.includes(JSON.stringify(m.body)), 'hover shows the message JSON');
    }
  });

  test('init exchanges are left out, as in Maelstrom', () => {
    assert.ok(!readFileSync(join(run.dir, 'messages.svg'), 'utf8').includes('"type":"init"'));
  });

  test('messages.svg marks every dropped message (sent, never received), with its JSON on hover', () => {
    assert.ok(run.droppedIds.length > 0, 'the fixture drops messages during its partition');
    const drops = findAll(messages, (e) => e.name === 'g' && hasClass(e, 'drop'));
    assert.deepEqual(drops.map((d) => Number(d.attrs['data-id'])).sort((a, b) => a - b), [...run.droppedIds].sort((a, b) => a - b));
    for (const d of drops) assert.match(titleOf(d) ?? '', /dropped/);
    assert.equal(findAll(messages, (e) => hasClass(e, 'inflight') && e.name === 'line' && e.attrs['data-id'] !== undefined).length, 0);
  });

  test('messages.svg has a legend entry per body type, with counts, plus one for dropped messages', () => {
    const entries = findAll(messages, (e) => hasClass(e, 'legend-entry')).map((e) => e.attrs['data-type'] as string);
    assert.deepEqual(entries.filter((t) => t !== 'dropped').sort(), [...run.deliveredTypes].sort());
    assert.ok(entries.includes('dropped'));
    const gossip = findAll(messages, (e) => hasClass(e, 'legend-entry') && e.attrs['data-type'] === 'gossip')[0];
    const count = run.journal.filter((e) => e.type === 'recv' && e.message.body.type === 'gossip').length;
    assert.equal(gossip?.children.find((c) => c.name === 'text')?.text, `gossip (${count})`);
  });

  test('partition intervals are shaded in the diagram and in the stable latency plot', () => {
    assert.equal(findAll(messages, (e) => e.name === 'rect' && hasClass(e, 'partition')).length, 1);
    // The diagram runs on the journal's clock, which starts 0.8 s before the history's: every gossip the
    // partition dropped was sent inside the shaded interval.
    const shade = findAll(messages, (e) => e.name === 'rect' && hasClass(e, 'partition'))[0]!;
    const [fromMs, toMs] = ((titleOf(shade) ?? '').match(/from (\d+) ms to (\d+) ms/) ?? []).slice(1).map(Number);
    const dropped = run.journal.filter((e) => e.type === 'send' && run.droppedIds.includes(e.message.id) && e.message.body.type === 'gossip');
    assert.ok(dropped.length > 0);
    for (const e of dropped) assert.ok(e.time / 1e6 >= fromMs! && e.time / 1e6 <= toMs! + 1, `gossip sent at ${e.time / 1e6} ms, shading ${fromMs}..${toMs} ms`);
    assert.equal(findAll(svg(run.dir, 'stable-latency.svg'), (e) => e.name === 'rect' && hasClass(e, 'partition')).length, 1);
  });

  test('latency-raw.svg has one point per completed client operation, legend by f and type', () => {
    const plot = svg(run.dir, 'latency-raw.svg');
    const completed = run.history.filter((o) => typeof o.process === 'number' && o.type !== 'invoke').length;
    assert.equal(findAll(plot, (e) => e.name === 'g' && hasClass(e, 'pt')).length, completed);
    const legend = findAll(plot, (e) => hasClass(e, 'legend-entry')).map((e) => e.attrs['data-key']);
    assert.deepEqual(legend.sort(), ['broadcast info', 'broadcast ok', 'partition', 'read fail', 'read ok']);
  });

  test('rate.svg has a line per f and completion type', () => {
    const lines = findAll(svg(run.dir, 'rate.svg'), (e) => e.name === 'path' && hasClass(e, 'series')).map((e) => titleOf(e));
    assert.deepEqual(lines.sort(), ['broadcast info', 'broadcast ok', 'read fail', 'read ok']);
  });

  test('stable-latency.svg has a point per stable value and a mark per lost one', () => {
    const plot = svg(run.dir, 'stable-latency.svg');
    const outcomes = elementOutcomes(run.history);
    const count = (o: string): number => outcomes.filter((x) => x.outcome === o).length;
    assert.equal(findAll(plot, (e) => e.name === 'g' && hasClass(e, 'stable')).length, count('stable'));
    assert.equal(findAll(plot, (e) => e.name === 'g' && hasClass(e, 'lost')).length, count('lost'));
  });

  test('timeline.html has a box per operation, the nemesis in the first column', () => {
    const html = readFileSync(join(run.dir, 'timeline.html'), 'utf8');
    const boxes = html.match(/<a class="op /g) ?? [];
    const nemesisPairs = run.history.filter((o) => o.process === 'nemesis').length / 2;
    assert.equal(boxes.length, run.history.filter((o) => o.type === 'invoke').length + nemesisPairs);
    assert.equal((html.match(/<a class="op nemesis"/g) ?? []).length, nemesisPairs);
    const columns = [...html.matchAll(/<div class="proc"[^>]*>([^<]*)<\/div>/g)].map((m) => m[1]);
    assert.equal(columns[0], 'nemesis');
    assert.match(html, /class="op fail"/);
    assert.match(html, /class="op info"/);
  });
});

test('a journal longer than the window: only the first 10,000 events are drawn, late receipts are in flight, not dropped', async () => {
  const run = writeFixtureRun(freshDir(), { nodeCount: 25, opCount: 400, latencyMs: 100, partition: false });
  assert.ok(run.journal.length > JOURNAL_EVENT_LIMIT, 'fixture is big enough');
  const started = performance.now();
  await renderRun(run.dir);
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < 5000, `rendering a 25-node run took ${elapsedMs.toFixed(0)} ms`);
  const messages = svg(run.dir, 'messages.svg');
  const window = run.journal.slice(0, JOURNAL_EVENT_LIMIT).filter((e) => !e.message.body.type.startsWith('init'));
  const sentInWindow = new Set(window.filter((e) => e.type === 'send').map((e) => e.message.id));
  const receivedInWindow = window.filter((e) => e.type === 'recv' && sentInWindow.has(e.message.id));
  assert.equal(findAll(messages, (e) => e.name === 'line' && hasClass(e, 'msg')).length, receivedInWindow.length);
  const receivedAt = new Set(receivedInWindow.map((e) => e.message.id));
  const dropped = new Set(run.droppedIds);
  const expectedInFlight = [...sentInWindow].filter((id) => !receivedAt.has(id) && !dropped.has(id));
  assert.ok(expectedInFlight.length > 0);
  const inFlight = findAll(messages, (e) => e.name === 'line' && hasClass(e, 'inflight') && e.attrs['data-id'] !== undefined);
  assert.deepEqual(inFlight.map((e) => Number(e.attrs['data-id'])).sort((a, b) => a - b), expectedInFlight.sort((a, b) => a - b));
  assert.equal(findAll(messages, (e) => hasClass(e, 'drop')).length, [...sentInWindow].filter((id) => dropped.has(id)).length);
  assert.ok(findAll(messages, (e) => hasClass(e, 'truncated')).length === 1, 'says that later events are not shown');
  assert.equal(findAll(messages, (e) => hasClass(e, 'node')).length, 25 + new Set(window.map((e) => e.message.src).filter((s) => s.startsWith('c'))).size);
});

test('an aborted run (truncated last lines, no results.json or test.json) still gets its pictures', async () => {
  const run = writeFixtureRun(freshDir(), { valid: null });
  unlinkSync(join(run.dir, 'test.json'));
  appendFileSync(join(run.dir, 'journal.jsonl'), '{"type":"send","time":99999999999,"message":{"id":99999,"src":"n0","de');
  appendFileSync(join(run.dir, 'history.jsonl'), '{"index":99999,"time":');
  const written = await renderRun(run.dir);
  // Without test.json the workload is recognised from the history.
  assert.equal(written.length, 6);
  const arrows = findAll(svg(run.dir, 'messages.svg'), (e) => e.name === 'line' && hasClass(e, 'msg'));
  assert.equal(arrows.length, run.deliveredCount);
});

test('a run with nothing recorded yet gets empty pictures that say so, and a missing directory gets none', async () => {
  const dir = freshDir();
  writeFixtureRun(dir, { opCount: 2 });
  for (const f of ['journal.jsonl', 'history.jsonl', 'results.json']) unlinkSync(join(dir, f));
  writeFileSync(join(dir, 'history.jsonl'), 'not json at all\n');
  const written = await renderRun(dir);
  assert.equal(written.length, 6);
  assert.equal(findAll(svg(dir, 'messages.svg'), (e) => hasClass(e, 'msg')).length, 0);
  assert.match(readFileSync(join(dir, 'latency-raw.svg'), 'utf8'), /no completed operations/);
  assert.deepEqual(await renderRun(join(scratch, 'does-not-exist')), []);
});

test('firstEvents given by the caller are drawn without a journal file', async () => {
  const run = writeFixtureRun(freshDir(), { opCount: 10, partition: false });
  unlinkSync(join(run.dir, 'journal.jsonl'));
  await renderRun(run.dir, { firstEvents: run.journal });
  assert.equal(findAll(svg(run.dir, 'messages.svg'), (e) => e.name === 'line' && hasClass(e, 'msg')).length, run.deliveredCount);
});

test('message bodies with markup are escaped, so the SVG stays well-formed', async () => {
  const run = writeFixtureRun(freshDir(), { opCount: 4, partition: false });
  const evil = { id: 1_000_000, src: 'n0', dest: 'n1', body: { type: 'gossip<&>"', text: '</title><script>alert(1)</script>' } };
  appendFileSync(join(run.dir, 'journal.jsonl'), JSON.stringify({ type: 'send', time: 9e9, message: evil }) + '\n' + JSON.stringify({ type: 'recv', time: 9.1e9, message: evil }) + '\n');
  await renderRun(run.dir);
  const doc = svg(run.dir, 'messages.svg');
  assert.equal(findAll(doc, (e) => e.name === 'script').length, 0);
  const arrow = findAll(doc, (e) => hasClass(e, 'msg') && e.attrs['data-id'] === '1000000')[0];
  assert.ok(titleOf(arrow as XmlElement)?.includes('<script>alert(1)</script>'));
});

test('partition intervals: from the completion of start-partition to the completion of stop-partition, either way Jepsen records the invocation', () => {
  const nemesis = (index: number, type: Op['type'], f: string, timeMs: number, value: unknown = null): Op => ({ index, time: timeMs * 1e6, process: 'nemesis', type, f, value });
  const infoInvokes = [nemesis(0, 'info', 'start-partition', 100, 'majority'), nemesis(1, 'info', 'start-partition', 101, ['isolated', {}]),
    nemesis(2, 'info', 'stop-partition', 900), nemesis(3, 'info', 'stop-partition', 901, 'network-healed'), nemesis(4, 'info', 'start-partition', 1500), nemesis(5, 'info', 'start-partition', 1502)];
  assert.deepEqual(partitionIntervals(infoInvokes).map((p) => [p.startMs, p.endMs]), [[101, 901], [1502, 1502]]);
  const plainInvokes = [nemesis(0, 'invoke', 'start-partition', 100), nemesis(1, 'info', 'start-partition', 102), nemesis(2, 'invoke', 'stop-partition', 300), nemesis(3, 'ok', 'stop-partition', 303)];
  assert.deepEqual(partitionIntervals(plainInvokes).map((p) => [p.startMs, p.endMs]), [[102, 303]]);
});

describe('stable latency per value, as the set-full checker computes it', () => {
  let index = 0;
  const op = (process: number, type: Op['type'], f: string, value: unknown, timeMs: number): Op => ({ index: index++, time: timeMs * 1e6, process, type, f, value });
  const history: Op[] = [
    op(0, 'invoke', 'broadcast', 1, 0),
    op(0, 'ok', 'broadcast', 1, 10), // 1 known at 10 ms
    op(1, 'invoke', 'read', null, 20),
    op(1, 'ok', 'read', [], 25), // 1 absent (invoked at 20 ms)
    op(1, 'invoke', 'read', null, 100),
    op(1, 'ok', 'read', [1], 105), // 1 present from here on: stable, latency 20 ms + 1 ns - 10 ms
    op(0, 'invoke', 'broadcast', 2, 110),
    op(0, 'ok', 'broadcast', 2, 115),
    op(1, 'invoke', 'read', null, 120),
    op(1, 'ok', 'read', [1, 2], 125),
    op(2, 'invoke', 'read', null, 130),
    op(2, 'ok', 'read', [1], 135), // 2 absent after it was present and known: lost
    op(0, 'invoke', 'broadcast', 3, 140),
    op(0, 'info', 'broadcast', 3, 5140), // 3 never known, never read
  ];

  test('stable, lost and never-read values with their latencies', () => {
    const outcomes = elementOutcomes(history);
    assert.deepEqual(
      outcomes.map((o) => [o.element, o.outcome, o['stable-latency'] ?? o['lost-latency']]),
      [
        [1, 'stable', 10],
        [2, 'lost', 5],
        [3, 'never-read', null],
      ],
    );
  });
});

test('the journal window and history handed over in memory give the same pictures as the files', async () => {
  // A journal longer than the window: the look-ahead past the given first events must still find late receipts.
  const run = writeFixtureRun(freshDir(), { nodeCount: 25, opCount: 400, latencyMs: 100, partition: true });
  assert.ok(run.journal.length > JOURNAL_EVENT_LIMIT, 'fixture is big enough');
  const fromFiles = (await renderRun(run.dir)).map((f) => readFileSync(f, 'utf8'));
  const history = readFileSync(join(run.dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Op);
  const fromMemory = (await renderRun(run.dir, { firstEvents: run.journal.slice(0, JOURNAL_EVENT_LIMIT), history })).map((f) => readFileSync(f, 'utf8'));
  assert.equal(fromMemory.length, fromFiles.length);
  fromMemory.forEach((text, i) => assert.equal(text, fromFiles[i]));
  assert.match(fromFiles[0] as string, /class="[^"]*inflight/, 'some arrows are in flight at the window end');
});
