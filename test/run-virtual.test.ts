// Whole runs of the harness on virtual time, with nodes as in-process
// functions: the run's flow, its verdicts and exit codes, its files, and
// that a seed replays a run exactly.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { VirtualClock } from '../src/node/clock.js';
import type { HostedNode, NodeHandlers, NodeHost } from '../src/harness/host.js';
import { DEFAULT_OPTIONS, type TestOptions } from '../src/harness/options.js';
import { runTest, type RunOutcome } from '../src/harness/runner.js';
import type { Body } from '../src/harness/types.js';

type Emit = (dest: string, body: Body) => void;
/** A node's logic: handles one message, may emit messages. */
type Behaviour = (me: { id: string; nodeIds: string[] }, msg: { src: string; body: Body }, emit: Emit, stderr: (l: string) => void) => void;

/** Runs node behaviours in-process; each output line is handed back one clock tick later. */
class FunctionHost implements NodeHost {
  readonly #clock: VirtualClock;
  readonly #behaviour: Behaviour;
  constructor(clock: VirtualClock, behaviour: Behaviour) {
    this.#clock = clock;
    this.#behaviour = behaviour;
  }
  start(id: string, handlers: NodeHandlers): HostedNode {
    const me = { id, nodeIds: [] as string[] };
    const clock = this.#clock;
    const behaviour = this.#behaviour;
    let alive = true;
    return {
      deliver(line: string) {
        if (!alive) return;
        const msg = JSON.parse(line) as { src: string; body: Body };
        if (msg.body.type === 'init') me.nodeIds = msg.body['node_ids'] as string[];
        behaviour(
          me,
          msg,
          (dest, body) => {
            const out = JSON.stringify({ src: id, dest, body });
            clock.setTimer(0, () => alive && handlers.onLine(out));
          },
          (l) => handlers.onStderr(l),
        );
      },
      async stop() {
        alive = false;
        return { code: 0, signal: null, stderrTail: [] };
      },
    };
  }
}

const reply = (msg: { src: string; body: Body }, emit: Emit, body: Body): void =>
  emit(msg.src, { ...body, in_reply_to: msg.body.msg_id });

/** Floods each new value to every node, de-duplicating: correct. */
function flood(): Behaviour {
  const seen = new Map<string, Set<unknown>>();
  return (me, msg, emit) => {
    const mine = seen.get(me.id) ?? new Set();
    seen.set(me.id, mine);
    const b = msg.body;
    if (b.type === 'init') return reply(msg, emit, { type: 'init_ok' });
    if (b.type === 'topology') return reply(msg, emit, { type: 'topology_ok' });
    if (b.type === 'read') return reply(msg, emit, { type: 'read_ok', messages: [...mine] });
    if (b.type === 'broadcast' || b.type === 'gossip') {
      if (!mine.has(b['message'])) {
        mine.add(b['message']);
        for (const n of me.nodeIds) if (n !== me.id) emit(n, { type: 'gossip', message: b['message'] });
      }
      if (b.type === 'broadcast') reply(msg, emit, { type: 'broadcast_ok' });
    }
  };
}

function tmpStore(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-run-'));
}

function options(over: Partial<TestOptions>): TestOptions {
  return { ...DEFAULT_OPTIONS, bin: 'in-process', args: [], nemesis: [], seed: 7, quiet: true, store: tmpStore(), ...over } as TestOptions;
}

async function runVirtual(o: TestOptions, behaviour: Behaviour): Promise<RunOutcome> {
  const clock = new VirtualClock();
  let done = false;
  const p = runTest(o, { clock, host: new FunctionHost(clock, behaviour), startedAt: new Date(0) }).finally(() => {
    done = true;
  });
  while (!done) {
    await clock.run({ stop: () => done });
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

function readLines(file: string): unknown[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

test('a correct node: valid, exit 0, every file written, STORE/latest points at the run', async () => {
  const o = options({ timeLimitS: 10, rateHz: 10, latencyMs: 20 });
  const out = await runVirtual(o, flood());
  assert.equal(out.error, null);
  assert.equal(out.results['valid?'], true, JSON.stringify(out.results['workload']).slice(0, 2000));
  assert.equal(out.exitCode, 0);
  for (const f of ['results.json', 'history.jsonl', 'journal.jsonl', 'test.json', 'node-logs/n1.log']) {
    assert.ok(fs.existsSync(path.join(out.dir, f)), `${f} missing`);
  }
  assert.equal(fs.realpathSync(path.join(o.store, 'latest')), fs.realpathSync(out.dir));
  const saved = JSON.parse(fs.readFileSync(path.join(out.dir, 'test.json'), 'utf8'));
  assert.equal(saved.seed, 7);
  const results = JSON.parse(fs.readFileSync(path.join(out.dir, 'results.json'), 'utf8'));
  assert.equal(results['valid?'], true);
  assert.ok(results.workload['stable-count'] > 20);
  // Client ids: c0..c4 for init, c5..c9 for topology, then the workers' clients.
  const journal = readLines(path.join(out.dir, 'journal.jsonl')) as { type: string; message: { src: string; body: Body } }[];
  const inits = journal.filter((e) => e.type === 'send' && e.message.body.type === 'init').map((e) => e.message.src);
  assert.deepEqual(inits, ['c0', 'c1', 'c2', 'c3', 'c4']);
  const topos = journal.filter((e) => e.type === 'send' && e.message.body.type === 'topology').map((e) => e.message.src);
  assert.deepEqual(topos, ['c5', 'c6', 'c7', 'c8', 'c9']);
});

test('with --nemesis partition: partitions start and stop, the last heal comes 10 s before one final read per worker', async () => {
  const o = options({ timeLimitS: 20, rateHz: 10, latencyMs: 20, nemesis: ['partition'], nemesisIntervalS: 3 });
  const out = await runVirtual(o, flood());
  assert.equal(out.error, null);
  const history = readLines(path.join(out.dir, 'history.jsonl')) as { process: unknown; f: string; type: string; final?: boolean; time: number; value: unknown }[];
  const starts = history.filter((op) => op.process === 'nemesis' && op.f === 'start-partition');
  assert.ok(starts.length >= 4, 'invocation and completion of at least two partitions');
  assert.equal(starts[0]!.time < 1e9, true, 'the first partition starts at once, as Jepsen\'s stagger does');
  const finals = history.filter((op) => op.final === true && op.type === 'invoke');
  assert.equal(finals.length, 5, 'one final read per worker');
  const lastStop = history.filter((op) => op.f === 'stop-partition').at(-1)!;
  assert.equal(lastStop.value, 'network-healed');
  assert.ok(finals[0]!.time - lastStop.time >= 10e9, 'final reads come 10 s after the heal');
  assert.ok(finals[0]!.time - lastStop.time < 11e9);
});

test('the same seed replays the same run: identical history and journal', async () => {
  const o = options({ timeLimitS: 5, rateHz: 20, latencyMs: 30, latencyDist: 'exponential', nemesis: ['partition'], nemesisIntervalS: 1, recoveryS: 2 });
  const a = await runVirtual(o, flood());
  const b = await runVirtual({ ...o, store: tmpStore() }, flood());
  assert.equal(fs.readFileSync(path.join(a.dir, 'history.jsonl'), 'utf8'), fs.readFileSync(path.join(b.dir, 'history.jsonl'), 'utf8'));
  assert.equal(fs.readFileSync(path.join(a.dir, 'journal.jsonl'), 'utf8'), fs.readFileSync(path.join(b.dir, 'journal.jsonl'), 'utf8'));
  const c = await runVirtual({ ...o, seed: 8, store: tmpStore() }, flood());
  assert.notEqual(fs.readFileSync(path.join(a.dir, 'history.jsonl'), 'utf8'), fs.readFileSync(path.join(c.dir, 'history.jsonl'), 'utf8'));
});

test('a node that acknowledges broadcasts and forgets them: invalid, exit 1, values lost', async () => {
  const forgetful: Behaviour = (_me, msg, emit) => {
    const t = msg.body.type;
    if (t === 'init') reply(msg, emit, { type: 'init_ok' });
    else if (t === 'topology') reply(msg, emit, { type: 'topology_ok' });
    else if (t === 'broadcast') reply(msg, emit, { type: 'broadcast_ok' });
    else if (t === 'read') reply(msg, emit, { type: 'read_ok', messages: [] });
  };
  const out = await runVirtual(options({ timeLimitS: 5, rateHz: 10, recoveryS: 1 }), forgetful);
  assert.equal(out.results['valid?'], false);
  assert.equal(out.exitCode, 1);
  assert.ok((out.results['workload'] as Record<string, number>)['lost-count']! > 0);
});

test('a node that never answers init: exit 3, one sentence naming it, results.json says why', async () => {
  const silentN3: Behaviour = (me, msg, emit) => {
    if (msg.body.type === 'init' && me.id !== 'n3') reply(msg, emit, { type: 'init_ok' });
  };
  const out = await runVirtual(options({ timeLimitS: 5 }), silentN3);
  assert.equal(out.exitCode, 3);
  assert.match(out.error!, /^Node n3 did not respond to init within 10 s\./);
  const results = JSON.parse(fs.readFileSync(path.join(out.dir, 'results.json'), 'utf8'));
  assert.match(results.error, /n3 did not respond to init/);
});

test('echo: a node that echoes is valid; operations reach every worker', async () => {
  const echo: Behaviour = (_me, msg, emit) => {
    if (msg.body.type === 'init') reply(msg, emit, { type: 'init_ok' });
    if (msg.body.type === 'echo') reply(msg, emit, { type: 'echo_ok', echo: msg.body['echo'] });
  };
  const out = await runVirtual(options({ workload: 'echo', timeLimitS: 5, rateHz: 20 }), echo);
  assert.equal(out.exitCode, 0, JSON.stringify(out.results).slice(0, 1000));
  const history = out.history.filter((op) => op.type === 'invoke');
  assert.ok(history.length > 50);
  assert.deepEqual([...new Set(history.map((op) => op.process))].sort(), [0, 1, 2, 3, 4]);
});

test('a broadcast that times out is info: the worker gets process + 5 and a fresh client id', async () => {
  const ignoresBroadcast: Behaviour = (_me, msg, emit) => {
    const t = msg.body.type;
    if (t === 'init') reply(msg, emit, { type: 'init_ok' });
    else if (t === 'topology') reply(msg, emit, { type: 'topology_ok' });
    else if (t === 'read') reply(msg, emit, { type: 'read_ok', messages: [] });
  };
  const out = await runVirtual(options({ timeLimitS: 20, rateHz: 2, recoveryS: 1 }), ignoresBroadcast);
  const infos = out.history.filter((op) => op.type === 'info');
  assert.ok(infos.length > 0);
  for (const op of infos) {
    assert.equal(op.f, 'broadcast');
    assert.equal(op.error, 'net-timeout');
    assert.equal(typeof op.value, 'number', 'the completion keeps the broadcast value');
  }
  const reincarnated = out.history.filter((op) => typeof op.process === 'number' && op.process >= 5);
  assert.ok(reincarnated.length > 0, 'processes after an info are numbered from 5 up');
  const journal = readLines(path.join(out.dir, 'journal.jsonl')) as { type: string; message: { src: string } }[];
  const clientIds = new Set(journal.filter((e) => e.type === 'send' && e.message.src.startsWith('c')).map((e) => e.message.src));
  assert.ok(clientIds.size > 15, `expected fresh clients after each info, saw ${clientIds.size}`);
  // A read that times out would be a fail; reads here answer, so they are ok.
  assert.ok(out.history.some((op) => op.f === 'read' && op.type === 'ok'));
});

test('messages to a node that does not exist and replies nobody waits for are warnings; the run goes on', async () => {
  const sloppy: Behaviour = (me, msg, emit) => {
    const t = msg.body.type;
    if (t === 'init') reply(msg, emit, { type: 'init_ok' });
    else if (t === 'topology') reply(msg, emit, { type: 'topology_ok' });
    else if (t === 'broadcast') {
      emit('n9', { type: 'gossip', message: msg.body['message'] });
      reply(msg, emit, { type: 'broadcast_ok' });
      reply(msg, emit, { type: 'broadcast_ok' }); // a duplicate reply: nobody waits for it
    } else if (t === 'read') reply(msg, emit, { type: 'read_ok', messages: [] });
    void me;
  };
  const out = await runVirtual(options({ timeLimitS: 5, rateHz: 10, recoveryS: 1 }), sloppy);
  assert.equal(out.error, null);
  assert.notEqual(out.exitCode, 3);
  const warnings = out.results['warnings'] as string[];
  assert.ok(warnings.some((w) => /^Node n\d sent a message from n\d to n9, but n9 is not in the network/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /^Client c\d+ got a message nobody waits for from n\d/.test(w)), warnings.join('\n'));
});
