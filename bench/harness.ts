/**
 * What the harness itself costs, in the three figures issue 3 asks for:
 *
 * 1. Start-up and shut-down overhead of a 25-node `eddy test` beyond
 *    time-limit + 10 s (spawning, init, topology; stopping, checking,
 *    writing files). Budget: under 2 s.
 * 2. Routing latency the network adds to the configured latency: how late
 *    each message is handed to its destination compared with its deadline
 *    (mean and p99), on wall time. Budget: well under 1 ms.
 * 3. Routed messages per second under a storm: 25 nodes of a fixture that
 *    gossips without de-duplication (test/fixtures/gossip-storm.mjs, and
 *    the endless test/fixtures/broken/storm.mjs), all traffic through the
 *    harness's network and journal. Budget: 100,000/s. With it, the
 *    harness's peak memory (budget: 1 GiB), its overrun past the time
 *    limit and how late its timers fired.
 *
 *   npm run bench:harness
 *   node dist/bench/harness.js --only overhead|routing|storm --bin bin/eddy-broadcast
 *
 * Figures depend on the machine and on its load; run it on a quiet machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../src/node/clock.js';
import { ProcessHost } from '../src/harness/hosts/process.js';
import { Net } from '../src/harness/net.js';
import { parseTestArgs } from '../src/cli/flags.js';
import { Rng } from '../src/harness/rng.js';
import { renderPictures, runTest } from '../src/harness/runner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function tmpStore(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-'));
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/**
 * 1. A 25-node broadcast run with a short main phase and Maelstrom's 10 s
 * recovery: once with eddy-broadcast (or --bin), once with a minimal bash
 * node that starts in milliseconds. Booting 25 Node.js processes on a
 * 2-core machine takes most of 2 s by itself, so the second run is the one
 * that shows what the harness itself costs.
 */
async function overheads(): Promise<void> {
  await overhead(arg('bin', path.join(ROOT, 'bin', 'eddy-broadcast')));
  await overhead(path.join(ROOT, 'bench', 'nodes', 'minimal.sh'), 'its reads are empty, so invalid is the right verdict');
}

async function overhead(bin: string, note?: string): Promise<void> {
  const timeLimitS = 3;
  const { options } = parseTestArgs([
    '-w', 'broadcast', '--bin', bin, '--node-count', '25', '--time-limit', String(timeLimitS), '--rate', '20', '--quiet', '--store', tmpStore(),
  ]);
  const clock = new RealClock();
  const t0 = clock.now();
  const outcome = await runTest(options, { clock, host: new ProcessHost(options.bin, options.args), render: false });
  const totalMs = clock.now() - t0;
  const r0 = clock.now();
  const pictures = await renderPictures(outcome.dir, () => {});
  const renderMs = clock.now() - r0;
  const history = outcome.history;
  const firstOpMs = (history.find((op) => op.process !== 'nemesis')?.time ?? 0) / 1e6;
  const lastOpMs = (history.at(-1)?.time ?? 0) / 1e6;
  const budgetMs = (timeLimitS + options.recoveryS) * 1000;
  console.log(`overhead (25 nodes of ${path.relative(ROOT, bin)}, time-limit ${timeLimitS} s + ${options.recoveryS} s recovery): exit ${outcome.exitCode}${note ? ` (${note})` : ''}`);
  console.log(`  total wall time          ${(totalMs / 1000).toFixed(2)} s`);
  console.log(`  beyond time-limit + 10 s ${((totalMs - budgetMs) / 1000).toFixed(2)} s   (budget: < 2 s)`);
  console.log(`  start-up (to first op)   ${(firstOpMs / 1000).toFixed(2)} s`);
  console.log(`  shut-down (after last op) ${((totalMs - lastOpMs) / 1000).toFixed(2)} s`);
  console.log(`  then drawing ${pictures.length} pictures (after the verdict is printed) ${(renderMs / 1000).toFixed(2)} s`);
  console.log(`  for scale: spawning 25 bare ${path.basename(bin)} processes and getting init_ok from each takes ${(await bareStartMs(bin) / 1000).toFixed(2)} s here`);
}

/** Wall time for 25 processes of `bin` to start and answer init, without the harness: the floor for start-up. */
async function bareStartMs(bin: string): Promise<number> {
  const { spawn } = await import('node:child_process');
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 25 }, (_, i) => new Promise<void>((resolve) => {
      const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'ignore'] });
      child.stdout.once('data', () => {
        child.kill();
        resolve();
      });
      child.stdin.write(JSON.stringify({ src: 'c0', dest: `n${i}`, body: { type: 'init', msg_id: 1, node_id: `n${i}`, node_ids: [`n${i}`] } }) + '\n');
    })),
  );
  return performance.now() - t0;
}

/** 2. Lateness of deliveries against their deadlines on wall time, through Net alone. */
async function routing(): Promise<void> {
  const clock = new RealClock();
  const latencyMs = 20;
  const lateness: number[] = [];
  const sentAt = new Map<number, number>();
  const net = new Net({ clock, rng: new Rng(1), latencyMs, latencyDist: 'constant', onJournal: () => {} });
  net.addEndpoint('n0', () => {});
  net.addEndpoint('n1', (msg) => {
    lateness.push(clock.now() - (sentAt.get(msg.id)! + latencyMs));
  });
  const count = 5000;
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = (): void => {
      // Bursts of 50 every 2 ms: enough load to matter, spread so the timers interleave.
      for (let i = 0; i < 50 && sent < count; i++, sent++) {
        const env = net.send({ src: 'n0', dest: 'n1', body: { type: 'gossip', n: sent } });
        sentAt.set(env.id, clock.now());
      }
      if (sent < count) setTimeout(tick, 2);
      else setTimeout(resolve, latencyMs * 3);
    };
    tick();
  });
  net.close();
  const sorted = lateness.slice().sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(`routing latency (${sorted.length} messages at --latency ${latencyMs}, Net on wall time):`);
  // Maelstrom's loop sleeps whole milliseconds (Thread/sleep (long dt)), and so does Net: a message may go up to 1 ms early.
  console.log(`  added beyond the deadline: mean ${mean.toFixed(3)} ms, p99 ${quantile(sorted, 0.99).toFixed(3)} ms, max ${sorted.at(-1)!.toFixed(3)} ms   (budget: well under 1 ms)`);
}

/**
 * 3. Gossip storms from 25 fixture nodes, each run as a user would run it
 * (`bin/eddy test` in its own process, so that its peak memory is its own):
 * gossip-storm.mjs forwards without de-duplication up to a hop limit;
 * broken/storm.mjs forwards forever and never answers reads, so every read
 * must time out at 5 s however busy the harness is. Figures come from the
 * run's harness.json.
 */
async function storm(): Promise<void> {
  const hops = arg('hops', '5');
  const timeLimitS = Number(arg('storm-time', '5'));
  const runs: [string, string, string[]][] = [
    [`gossip-storm.mjs, ${hops} hops`, path.join(ROOT, 'test', 'fixtures', 'gossip-storm.mjs'), [hops]],
    ['broken/storm.mjs, endless, reads never answered', path.join(ROOT, 'test', 'fixtures', 'broken', 'storm.mjs'), ['deaf-reads']],
  ];
  for (const [name, bin, binArgs] of runs) {
    const store = tmpStore();
    const { spawnSync } = await import('node:child_process');
    spawnSync(path.join(ROOT, 'bin', 'eddy'), [
      'test', '-w', 'broadcast', '--bin', bin, '--node-count', '25', '--time-limit', String(timeLimitS), '--rate', '20', '--recovery-wait', '2', '--quiet', '--store', store, '--', ...binArgs,
    ], { stdio: 'ignore' });
    const dir = fs.realpathSync(path.join(store, 'latest'));
    const h = JSON.parse(fs.readFileSync(path.join(dir, 'harness.json'), 'utf8')) as Record<string, number>;
    const history = fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { process: number | string; type: string; f: string; time: number });
    const invoked = new Map<unknown, number>();
    const timeouts: number[] = [];
    for (const op of history) {
      if (op.type === 'invoke') invoked.set(op.process, op.time);
      else if (op.f === 'read' && op.type === 'fail') timeouts.push((op.time - invoked.get(op.process)!) / 1e9);
    }
    // The storm's verdict (usually invalid) does not matter here.
    console.log(`storm (25 nodes of ${name}; time-limit ${timeLimitS} s + 2 s recovery):`);
    console.log(`  routed ${h['routed-count']} messages in ${h['wall-s']} s = ${h['routed-per-s']} messages/s end to end (node processes included)   (budget: >= 100,000/s)`);
    console.log(`  peak memory ${h['peak-rss-mb']} MiB (budget: < 1024), most messages held at once ${h['backlog-max']}, output held back ${h['held-back-count']} times (${h['held-back-s']} s)`);
    console.log(`  overrun past time-limit + recovery ${h['overrun-s']} s (operations still running get one 5 s timeout, the final reads another)`);
    console.log(`  timers: 50 ms probe late by at most ${h['timer-late-max-ms']} ms (p99 ${h['timer-late-p99-ms']} ms)${timeouts.length > 0 ? `; ${timeouts.length} reads timed out after ${Math.min(...timeouts).toFixed(2)}..${Math.max(...timeouts).toFixed(2)} s (Maelstrom: 5 s)` : ''}`);
  }
}

/**
 * 3b. The harness's own routing capacity: the same storm with the 25 nodes
 * replaced by in-process forwarders, so that what is measured is the
 * per-message work of the harness (validate the node's line, Net.send with
 * its journal event, queue, deliver, JournalWriter, NetStats) and not 25
 * JavaScript processes competing for the CPU.
 */
async function stormInProcess(): Promise<void> {
  const { JournalWriter } = await import('../src/harness/journal.js');
  const { NetStats } = await import('../src/harness/checker/index.js');
  const { parseNodeLine } = await import('../src/harness/wire.js');
  const { topology } = await import('../src/harness/topology.js');
  const clock = new RealClock();
  const nodes = Array.from({ length: 25 }, (_, i) => `n${i}`);
  const topo = topology('grid', nodes);
  const journal = new JournalWriter({ path: path.join(tmpStore(), 'journal.jsonl') });
  const stats = new NetStats();
  const net = new Net({ clock, rng: new Rng(2), latencyMs: 0, latencyDist: 'constant', onJournal: (ev, line) => {
    journal.add(ev, line);
    stats.add(ev);
  } });
  const durationMs = 3000;
  let running = true;
  for (const id of nodes) {
    net.addEndpoint(id, (msg) => {
      if (!running) return;
      const hops = msg.body['hops'] as number;
      if (hops <= 0) return;
      for (const n of topo[id]!) {
        // What a node would print, validated as the runner validates every stdout line.
        const line = `{"src":"${id}","dest":"${n}","body":{"type":"gossip","message":${msg.body['message'] as number},"hops":${hops - 1}}}`;
        const parsed = parseNodeLine(id, line);
        if (parsed.ok) net.send(parsed.msg);
      }
    });
  }
  let message = 0;
  const t0 = clock.now();
  await new Promise<void>((resolve) => {
    const inject = (): void => {
      if (clock.now() - t0 >= durationMs) {
        running = false;
        return resolve();
      }
      const src = nodes[message % nodes.length]!;
      for (const n of topo[src]!) net.send({ src, dest: n, body: { type: 'gossip', message, hops: 6 } });
      message++;
      setTimeout(inject, 1);
    };
    inject();
  });
  const elapsedS = (clock.now() - t0) / 1000;
  const sent = net.counts().sent;
  net.close();
  await journal.close();
  console.log(`storm, harness only (25 in-process forwarders, grid, 6 hops, ${elapsedS.toFixed(1)} s):`);
  console.log(`  routed ${sent} messages = ${Math.round(sent / elapsedS)} messages/s, each validated, journaled and counted   (budget: >= 100,000/s)`);
}

const only = arg('only', 'all');
if (only === 'all' || only === 'routing') await routing();
if (only === 'all' || only === 'overhead') await overheads();
if (only === 'all' || only === 'storm') await storm();
if (only === 'all' || only === 'storm') await stormInProcess();
