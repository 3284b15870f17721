// eddy's own faults (--nemesis kill, pause, partition-one-way) on virtual
// time: the network's part of each, the schedules, and their effect on
// whole simulated runs (a counter-based unique-ids node breaks under kill,
// the same seed gives the same files).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { NemesisSchedule } from '../src/harness/generator.js';
import type { Grudge } from '../src/harness/grudge.js';
import { History } from '../src/harness/history.js';
import { fromExports } from '../src/harness/hosts/inproc.js';
import { FAULT_OPS, Nemesis, pickTargets } from '../src/harness/nemesis.js';
import { Net } from '../src/harness/net.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { Progress } from '../src/harness/progress.js';
import { Rng } from '../src/harness/rng.js';
import { simulate, summarise, sweep } from '../src/harness/sim.js';
import { HISTORY_ORIGIN_KEY, type JournalEvent, type Op } from '../src/harness/types.js';
import { VirtualClock } from '../src/node/clock.js';
import { MemoryDisk } from '../src/node/disk.js';
import { Node, type NodeEnv } from '../src/node/index.js';
import * as broadcast from '../src/nodes/broadcast/index.js';
import * as uniqueIds from '../src/nodes/unique-ids.js';
import { FAULT_STYLE, faultIntervals } from '../src/viz/nemesis.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-faults-'));
}

function netOn(clock: VirtualClock, journal: JournalEvent[], got: string[]): Net {
  const net = new Net({ clock, rng: new Rng(1), latencyMs: 10, latencyDist: 'constant', onJournal: (ev) => journal.push(ev) });
  for (const id of ['n0', 'n1', 'n2']) net.addEndpoint(id, (m) => void got.push(`${clock.now()} ${m.src}->${m.dest} ${m.body.type}`));
  return net;
}

test('a dead node: what comes due for it is dropped and journalled as drop; allowed sources still reach it; up again, all arrive', () => {
  const clock = new VirtualClock();
  const journal: JournalEvent[] = [];
  const got: string[] = [];
  const net = netOn(clock, journal, got);
  net.setDown('n1', new Set(['n2']));
  net.send({ src: 'n0', dest: 'n1', body: { type: 'a' } });
  net.send({ src: 'n2', dest: 'n1', body: { type: 'b' } });
  clock.advance(20);
  assert.deepEqual(got, ['10 n2->n1 b']);
  assert.deepEqual(journal.map((e) => `${e.type} ${e.message.body.type}`), ['send a', 'send b', 'drop a', 'recv b']);
  assert.equal(net.counts().droppedDead, 1);
  net.setDown('n1', null);
  net.send({ src: 'n0', dest: 'n1', body: { type: 'c' } });
  clock.advance(20);
  assert.deepEqual(got, ['10 n2->n1 b', '30 n0->n1 c']);
});

test('a paused node gets nothing until released, then everything that came due, at once and in order', () => {
  const clock = new VirtualClock();
  const got: string[] = [];
  const net = netOn(clock, [], got);
  net.setHeld('n1', true);
  net.send({ src: 'n0', dest: 'n1', body: { type: 'a' } });
  clock.advance(5);
  net.send({ src: 'n2', dest: 'n1', body: { type: 'b' } });
  net.send({ src: 'n1', dest: 'n2', body: { type: 'out' } });
  clock.advance(95);
  assert.deepEqual(got, ['15 n1->n2 out'], 'n1 still sends; nothing reaches it');
  net.setHeld('n1', false);
  clock.advance(0);
  assert.deepEqual(got, ['15 n1->n2 out', '100 n0->n1 a', '100 n2->n1 b']);
});

test('a one-way grudge drops A->B only', () => {
  const clock = new VirtualClock();
  const got: string[] = [];
  const net = netOn(clock, [], got);
  const g: Grudge = new Map([['n1', new Set(['n0'])]]);
  net.setGrudge(g);
  net.send({ src: 'n0', dest: 'n1', body: { type: 'a' } });
  net.send({ src: 'n1', dest: 'n0', body: { type: 'b' } });
  clock.advance(20);
  assert.deepEqual(got, ['10 n1->n0 b']);
});

test('targets: one, the largest minority, a majority, all', () => {
  const nodes = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const rng = new Rng(7);
  assert.equal(pickTargets('one', nodes, rng).length, 1);
  assert.equal(pickTargets('minority', nodes, rng).length, 2);
  assert.equal(pickTargets('majority', nodes, rng).length, 3);
  assert.deepEqual(pickTargets('all', nodes, rng), nodes);
  assert.deepEqual(pickTargets('majority', [], rng), []);
});

/** A nemesis on fakes: what it did to the net and the nodes, by operation. */
function fakeNemesis(faults: TestOptions['nemesis'], seed = 3) {
  const clock = new VirtualClock();
  const history = new History(clock, 0, null);
  const did: string[] = [];
  const show = (g: Grudge): string => [...g].map(([d, s]) => `${d}<-${[...s].join('')}`).join(' ');
  const nemesis = new Nemesis({
    rng: new Rng(seed),
    net: { setGrudge: (g) => void did.push(`grudge ${show(g)}`), heal: () => void did.push('heal') },
    control: {
      kill: (n) => void did.push(`kill ${n.join(',')}`),
      restart: async (n) => void did.push(`restart ${n.join(',')}`),
      pause: (n) => void did.push(`pause ${n.join(',')}`),
      resume: (n) => void did.push(`resume ${n.join(',')}`),
    },
    history,
    nodes: ['n0', 'n1', 'n2', 'n3', 'n4'],
    faults,
    intervalS: 2,
  });
  return { nemesis, did, history };
}

test('partition alone keeps Maelstrom\'s schedule: the same stream and the same times as before', () => {
  const { nemesis } = fakeNemesis(['partition']);
  const old = new NemesisSchedule(new Rng(3).fork('nemesis'), 2);
  assert.ok(nemesis.timing instanceof NemesisSchedule);
  let now = 0;
  for (let i = 0; i < 20; i++) {
    assert.equal(nemesis.timing.dueMs(now), old.dueMs(now));
    now = old.dueMs(now);
    assert.equal(nemesis.timing.take(now), old.take(now));
  }
});

test('combined faults: each alternates on its own schedule, earliest first; ops hit the nodes they record', async () => {
  const { nemesis, did, history } = fakeNemesis(['kill', 'pause', 'partition-one-way']);
  const own = {
    kill: new NemesisSchedule(new Rng(3).fork('nemesis:kill'), 2),
    pause: new NemesisSchedule(new Rng(3).fork('nemesis:pause'), 2),
    'partition-one-way': new NemesisSchedule(new Rng(3).fork('nemesis:partition-one-way'), 2),
  };
  const seen: Record<string, string[]> = { kill: [], pause: [], 'partition-one-way': [] };
  let now = 0;
  for (let i = 0; i < 30; i++) {
    now = nemesis.timing.dueMs(now);
    const f = nemesis.timing.take(now);
    const fault = (Object.keys(FAULT_OPS) as (keyof typeof FAULT_OPS)[]).find((k) => FAULT_OPS[k].includes(f))!;
    const sched = own[fault as keyof typeof own];
    assert.equal(sched.dueMs(now), now, `${f} came when its own schedule said`);
    sched.take(now);
    seen[fault]!.push(f);
    await nemesis.invoke(f);
  }
  for (const [fault, fs_] of Object.entries(seen)) {
    assert.ok(fs_.length >= 3, `${fault} ran`);
    fs_.forEach((f, i) => assert.equal(f, FAULT_OPS[fault as keyof typeof FAULT_OPS][i % 2]));
  }
  // Every kill's completion names the nodes the control was told to kill.
  const kills = history.ops.filter((o) => o.f === 'kill' && typeof o.value === 'object' && o.value !== null);
  const killCalls = did.filter((d) => d.startsWith('kill '));
  assert.deepEqual(kills.map((o) => Object.keys(o.value as object).join(',')), killCalls.map((d) => d.slice(5)));
  // A one-way start drops from its targets to everyone else, never the other way.
  for (const d of did.filter((x) => x.startsWith('grudge '))) {
    const entries = d.slice(7).split(' ').map((e) => e.split('<-') as [string, string]);
    const sources = new Set(entries.flatMap(([, s]) => s.match(/n\d/g) ?? []));
    for (const [dest] of entries) assert.ok(!sources.has(dest), `${d}: a node both drops and is dropped`);
  }
  await nemesis.heal();
  assert.deepEqual(nemesis.active(), []);
});

test('MemoryDisk: a crash keeps only what was synced', () => {
  const disk = new MemoryDisk();
  disk.write('a', 'one');
  disk.sync('a');
  disk.append('a', '+two');
  disk.write('b', 'never synced');
  assert.equal(disk.read('a'), 'one+two');
  disk.crash();
  assert.equal(disk.read('a'), 'one');
  assert.equal(disk.read('b'), null);
  disk.append('a', '+three');
  disk.sync();
  disk.crash();
  assert.equal(disk.read('a'), 'one+three');
  assert.throws(() => disk.read('../x'), /disk file name/);
});

// ---- whole runs -----------------------------------------------------------

/** Unique ids from an in-memory counter and the node id: unique while it lives, repeated after a restart. */
const counterIds = fromExports('counter-ids', {
  createNode(env: NodeEnv) {
    const node = new Node<Record<never, never>>({ transport: env.transport, clock: env.clock, random: env.random });
    let n = 0;
    node.on('generate', () => ({ type: 'generate_ok', id: `${node.nodeId}-${n++}` }));
    return node;
  },
});

function uniqueIdsOptions(over: Partial<TestOptions>): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    workload: 'unique-ids',
    bin: 'counter-ids',
    args: [],
    nodeCount: 3,
    timeLimitS: 10,
    rateHz: 50,
    nemesisIntervalS: 1,
    rpcTimeoutS: 1,
    quiet: true,
    seed: 5,
    store: tmp(),
    ...over,
  } as TestOptions;
}

test('the counter unique-ids node is valid under partition and invalid under kill (duplicates after restart)', async () => {
  const part = await simulate(uniqueIdsOptions({ nemesis: ['partition'] }), { module: counterIds, render: false });
  assert.equal(part.error, null);
  assert.equal(part.results['valid?'], true);
  const kill = await simulate(uniqueIdsOptions({ nemesis: ['kill'] }), { module: counterIds, render: false });
  assert.equal(kill.error, null);
  assert.equal(kill.results['valid?'], false, 'a restarted counter repeats its ids');
  const w = kill.results['workload'] as Record<string, unknown>;
  assert.equal(w['valid?'], false);
  assert.ok(Number(w['duplicated-count']) > 0, JSON.stringify(w).slice(0, 300));
  assert.ok(kill.history.some((o) => o.f === 'restart' && typeof o.value === 'object' && o.value !== null && Object.keys(o.value).length > 0));
});

test('eddy\'s unique-ids node stays unique across kills (5 seeds)', async () => {
  const module = fromExports('eddy-unique-ids', uniqueIds as unknown as Record<string, unknown>);
  for (let seed = 1; seed <= 5; seed++) {
    const o = await simulate(uniqueIdsOptions({ nemesis: ['kill', 'pause'], seed, bin: 'eddy-unique-ids' }), { module, render: false });
    assert.equal(o.error, null);
    const w = o.results['workload'] as Record<string, unknown>;
    assert.equal(w['valid?'], true, `seed ${seed}: ${o.dir}`);
    assert.ok(Number(w['acknowledged-count']) > 50, `seed ${seed}: ids were generated (${String(w['acknowledged-count'])})`);
    // A restarted node reads its synced epoch from env.disk and starts the next one.
    assert.ok(o.history.some((op) => op.type === 'ok' && /^n\d-e2-/.test(String(op.value))), `seed ${seed}: ids of a second life`);
    assert.ok(o.history.some((op) => op.f === 'restart' && typeof op.value === 'object' && op.value !== null && Object.keys(op.value).length > 0), `seed ${seed} restarted a node`);
  }
});

const bcModule = fromExports('eddy-broadcast', broadcast as unknown as Record<string, unknown>);

function bcOptions(seed: number, store: string): TestOptions {
  return {
    ...DEFAULT_OPTIONS,
    bin: 'eddy-broadcast',
    args: [],
    nemesis: ['partition', 'kill', 'pause', 'partition-one-way'],
    nemesisIntervalS: 1,
    nodeCount: 5,
    timeLimitS: 8,
    rateHz: 20,
    latencyMs: 20,
    recoveryS: 5,
    quiet: true,
    seed,
    store,
  } as TestOptions;
}

function journalOf(dir: string): JournalEvent[] {
  return fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalEvent);
}

/** [start, end) windows in journal ns of a fault on a node, from the history's nemesis completions. */
function windows(history: readonly Op[], originNs: number, startF: string, stopF: string, node: string): [number, number][] {
  const out: [number, number][] = [];
  let open: number | null = null;
  for (const o of history) {
    if (o.process !== 'nemesis' || typeof o.value !== 'object' || o.value === null || Array.isArray(o.value)) continue;
    if (!(node in (o.value as object))) continue;
    if (o.f === startF) open = o.time + originNs;
    if (o.f === stopF && open !== null) {
      out.push([open, o.time + originNs]);
      open = null;
    }
  }
  return out;
}

test('a simulated run with every fault: same seed, byte-identical files; dead nodes receive nothing, paused ones get a burst', async () => {
  const a = await simulate(bcOptions(11, tmp()), { module: bcModule, render: false, startedAt: new Date(0) });
  const b = await simulate(bcOptions(11, tmp()), { module: bcModule, render: false, startedAt: new Date(0) });
  for (const f of ['history.jsonl', 'journal.jsonl', 'results.json', 'node-logs/n0.log']) {
    assert.equal(fs.readFileSync(path.join(a.dir, f), 'utf8'), fs.readFileSync(path.join(b.dir, f), 'utf8'), f);
  }
  assert.equal(a.error, null);
  const fs_ = new Set(a.history.filter((o) => o.process === 'nemesis').map((o) => o.f));
  for (const f of ['kill', 'restart', 'pause', 'resume', 'start-partition-one-way', 'stop-partition-one-way']) assert.ok(fs_.has(f), `${f} happened`);
  const origin = (JSON.parse(fs.readFileSync(path.join(a.dir, 'test.json'), 'utf8')) as Record<string, number>)[HISTORY_ORIGIN_KEY]!;
  const journal = journalOf(a.dir);
  assert.ok(journal.some((e) => e.type === 'drop'), 'messages reached dead nodes and were dropped');
  let burst = false;
  for (const node of ['n0', 'n1', 'n2', 'n3', 'n4']) {
    for (const [s, e] of windows(a.history, origin, 'kill', 'restart', node)) {
      // Between the kill and the restart's completion only the restart's own clients reach the node.
      const recv = journal.filter((j) => j.type === 'recv' && j.message.dest === node && j.time > s && j.time < e && !/^c\d+$/.test(j.message.src));
      assert.deepEqual(recv, [], `${node} received while dead in [${s}, ${e})`);
    }
    for (const [s, e] of windows(a.history, origin, 'pause', 'resume', node)) {
      const recv = journal.filter((j) => j.type === 'recv' && j.message.dest === node && j.time > s && j.time < e);
      assert.deepEqual(recv, [], `${node} received while paused`);
      if (journal.filter((j) => j.type === 'recv' && j.message.dest === node && j.time === e).length > 1) burst = true;
    }
  }
  assert.ok(burst, 'some paused node got what waited in a burst at its resume');
});

test('the pictures shade each fault kind in its own colour (messages, latency, stable latency)', async () => {
  const o = await simulate({ ...bcOptions(11, tmp()), timeLimitS: 6 }, { module: bcModule, render: true, startedAt: new Date(0) });
  assert.equal(o.error, null);
  for (const file of ['messages.svg', 'latency-raw.svg', 'stable-latency.svg']) {
    const svg = fs.readFileSync(path.join(o.dir, file), 'utf8');
    for (const kind of ['kill', 'pause', 'partition-one-way'] as const) {
      assert.match(svg, new RegExp(`class="fault-${kind}"[^>]*fill="${FAULT_STYLE[kind].fill}"`), `${file} shades ${kind}`);
    }
    assert.match(svg, /class="partition"/, `${file} shades partitions as before`);
  }
  const kinds = new Set(faultIntervals(o.history).map((p) => p.kind ?? 'partition'));
  assert.deepEqual([...kinds].sort(), ['kill', 'partition', 'partition-one-way', 'pause']);
});

test('eddy-g-set, eddy-pn-counter, eddy-kafka and eddy-txn-list-append stay valid across kills (their disk), 5 seeds each', async () => {
  const gset = await import('../src/nodes/g-set.js');
  const pn = await import('../src/nodes/pn-counter.js');
  const kafka = await import('../src/nodes/kafka/index.js');
  const txn = await import('../src/nodes/txn-list-append/index.js');
  for (const [workload, mod] of [['g-set', gset], ['pn-counter', pn], ['kafka', kafka], ['txn-list-append', txn]] as const) {
    const module = fromExports(`eddy-${workload}`, mod as unknown as Record<string, unknown>);
    for (let seed = 1; seed <= 5; seed++) {
      const o = await simulate(
        { ...DEFAULT_OPTIONS, workload, bin: workload, args: [], nemesis: ['partition', 'kill', 'pause'], nemesisIntervalS: 2, nodeCount: 3, timeLimitS: 15, rateHz: 10, quiet: true, seed, store: tmp() } as TestOptions,
        { module, render: false },
      );
      assert.equal(o.error, null);
      assert.ok(o.history.some((op) => op.f === 'restart' && typeof op.value === 'object' && op.value !== null && Object.keys(op.value).length > 0), `${workload} seed ${seed} restarted a node`);
      assert.equal(o.results['valid?'], true, `${workload} seed ${seed}: ${o.dir}`);
    }
  }
});

test('the progress line says which faults are in force, and keeps Maelstrom\'s wording for partition alone', () => {
  const snap = { phase: 'main', elapsedS: 5, limitS: 20, ok: 1, fail: 0, info: 0, messages: 0, partitioned: false };
  assert.match(Progress.format(snap, 0), /partition off$/);
  assert.match(Progress.format({ ...snap, active: ['kill n1,n3', 'pause n2'] }, 0), /faults kill n1,n3; pause n2$/);
  assert.match(Progress.format({ ...snap, active: [] }, 0), /faults none$/);
  const { nemesis } = fakeNemesis(['kill', 'pause']);
  assert.equal(nemesis.maelstromOnly, false);
  assert.equal(fakeNemesis(['partition']).nemesis.maelstromOnly, true);
});

test('eddy-broadcast loses nothing under partition,kill,pause: 20 seeds at 5 nodes, 10 at 25 (each profile)', async () => {
  for (const profile of ['balanced', 'fast', 'frugal']) {
    for (const [nodeCount, rateHz, latencyMs, count] of [[5, 10, 0, 20], [25, 100, 100, 10]] as const) {
      const o: TestOptions = {
        ...bcOptions(1, tmp()),
        args: ['--profile', profile],
        nemesis: ['partition', 'kill', 'pause'],
        nemesisIntervalS: 2,
        nodeCount,
        rateHz,
        latencyMs,
        timeLimitS: 20,
        recoveryS: 10,
      };
      const figures = await sweep({ options: o, firstSeed: 1, count, module: bcModule, keepValid: false, removeDir: (d) => fs.rmSync(d, { recursive: true, force: true }) });
      const s = summarise(figures);
      const bad = figures.filter((f) => f.exitCode !== 0).map((f) => `seed ${f.seed}: lost ${String(f.lostCount)} (${f.dir})`);
      assert.equal(s.lostTotal, 0, `${profile} ${nodeCount} nodes: ${bad.join('; ')}`);
      assert.equal(s.valid, count, `${profile} ${nodeCount} nodes: ${bad.join('; ')}`);
    }
  }
});
