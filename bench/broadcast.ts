/**
 * `npm run bench:broadcast`: every profile of bin/eddy-broadcast through
 * `eddy test` (real processes, real time) with the Gossip Glomers flags —
 * 3d/3e (25 nodes, rate 100, latency 100) with and without partitions,
 * 3b/3c (5 nodes, rate 10) and 3a (one node) — then one table: validity, lost messages,
 * servers msgs-per-op, stable latency median / max, and the median
 * broadcast RPC latency, read back from each run's results.json and
 * history.jsonl.
 *
 * Each 25-node run takes most of a minute, so the whole bench takes several
 * minutes. `--sim` runs the same configurations through `eddy sim` (the
 * same harness on virtual time, nodes in-process) instead: seconds, the
 * same operation counts, no machine noise; but `eddy test` is the reference.
 *
 * Every row runs in both schedules (`--modes`): `default` issues operations
 * as Maelstrom does (late wake-ups modelled, about 0.85 x rate x time-limit
 * at rate 100), `ideal` with `--ideal-rate` (rate x time-limit); each row
 * says how many main-phase operations went out and their ratio to
 * rate x time-limit, since msgs-per-op divides by them.
 *
 * Flags: --profiles fast,balanced,frugal  --configs 3a,3d,3d-partition,3b,3c
 *        --modes default,ideal  --seed N (default 1)  --sim
 *        --store DIR (default store/bench-broadcast)
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES, type Profile } from '../src/nodes/broadcast/options.js';

interface Config {
  name: string;
  flags: string[];
  nodeCount: number;
  rateHz: number;
  latencyMs: number;
  partition: boolean;
}

const TIME_LIMIT_S = 20;
const CONFIGS: Config[] = [
  { name: '3a', nodeCount: 1, rateHz: 10, latencyMs: 0, partition: false, flags: [] },
  { name: '3d', nodeCount: 25, rateHz: 100, latencyMs: 100, partition: false, flags: [] },
  { name: '3d-partition', nodeCount: 25, rateHz: 100, latencyMs: 100, partition: true, flags: [] },
  { name: '3b', nodeCount: 5, rateHz: 10, latencyMs: 0, partition: false, flags: [] },
  { name: '3c', nodeCount: 5, rateHz: 10, latencyMs: 0, partition: true, flags: [] },
];
for (const c of CONFIGS) {
  c.flags = ['--node-count', String(c.nodeCount), '--time-limit', String(TIME_LIMIT_S), '--rate', String(c.rateHz)];
  if (c.latencyMs > 0) c.flags.push('--latency', String(c.latencyMs));
  if (c.partition) c.flags.push('--nemesis', 'partition');
}

type Mode = 'default' | 'ideal';
const MODES: readonly Mode[] = ['default', 'ideal'];

interface Row {
  profile: Profile;
  config: string;
  mode: Mode;
  /** Main-phase operations issued, and their ratio to rate x time-limit (results.json "op-rate"). */
  mainOps: number;
  opRatio: number;
  valid: string;
  lost: number;
  msgsPerOp: number;
  latencyMedianMs: number;
  latencyMaxMs: number;
  broadcastRpcMedianMs: number | null;
  ops: number;
}

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function parseArgs(argv: string[]): { profiles: Profile[]; configs: Config[]; modes: Mode[]; seed: number; sim: boolean; store: string } {
  const out = { profiles: [...PROFILES], configs: CONFIGS, modes: [...MODES], seed: 1, sim: false, store: join(repo, 'store', 'bench-broadcast') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`Expected a value after ${flag}`);
      return v;
    };
    if (flag === '--sim') out.sim = true;
    else if (flag === '--seed') out.seed = Number(value());
    else if (flag === '--store') out.store = resolve(value());
    else if (flag === '--profiles') {
      out.profiles = value().split(',').map((p) => {
        if (!(PROFILES as readonly string[]).includes(p)) throw new Error(`Expected --profiles to list ${PROFILES.join(', ')}, got ${JSON.stringify(p)}`);
        return p as Profile;
      });
    } else if (flag === '--modes') {
      out.modes = value().split(',').map((m) => {
        if (!(MODES as readonly string[]).includes(m)) throw new Error(`Expected --modes to list ${MODES.join(', ')}, got ${JSON.stringify(m)}`);
        return m as Mode;
      });
    } else if (flag === '--configs') {
      out.configs = value().split(',').map((name) => {
        const c = CONFIGS.find((x) => x.name === name);
        if (c === undefined) throw new Error(`Expected --configs to list ${CONFIGS.map((x) => x.name).join(', ')}, got ${JSON.stringify(name)}`);
        return c;
      });
    } else throw new Error(`Unknown flag ${flag}`);
  }
  if (!Number.isSafeInteger(out.seed)) throw new Error(`Expected --seed to be an integer, got ${out.seed}`);
  return out;
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', rej);
    child.on('exit', (code) => res(code ?? -1));
  });
}

async function harnessRun(profile: Profile, config: Config, mode: Mode, seed: number, store: string, sim: boolean): Promise<Row> {
  const target = sim ? ['sim', '-w', 'broadcast'] : ['test', '-w', 'broadcast', '--bin', join(repo, 'bin', 'eddy-broadcast'), '--quiet'];
  const modeFlags = mode === 'ideal' ? ['--ideal-rate'] : [];
  const args = [join(repo, 'bin', 'eddy'), ...target, ...config.flags, ...modeFlags, '--seed', String(seed), '--store', store, '--', '--profile', profile];
  const code = await run(process.execPath, args);
  if (code > 2) {
    // The run itself failed (a node crashed, the harness broke): say so in the table and go on.
    return { profile, config: config.name, mode, mainOps: NaN, opRatio: NaN, valid: `no run (exit ${code})`, lost: NaN, msgsPerOp: NaN,
      latencyMedianMs: NaN, latencyMaxMs: NaN, broadcastRpcMedianMs: null, ops: NaN };
  }
  const dir = realpathSync(join(store, 'latest'));
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, any>;
  const net = results['net']['stats'] ?? results['net'];
  const workload = results['workload'];
  const history = join(dir, 'history.jsonl');
  const opRate = results['op-rate'] ?? {};
  return {
    profile, config: config.name, mode,
    mainOps: opRate['main-ops'] ?? NaN,
    opRatio: opRate['ratio'] ?? NaN,
    valid: String(results['valid?']),
    lost: workload['lost-count'],
    msgsPerOp: net['servers']['msgs-per-op'],
    latencyMedianMs: workload['stable-latencies']?.['0.5'] ?? NaN,
    latencyMaxMs: workload['stable-latencies']?.['1'] ?? NaN,
    broadcastRpcMedianMs: existsSync(history) ? broadcastRpcMedian(readFileSync(history, 'utf8')) : null,
    ops: results['stats']?.['count'] ?? NaN,
  };
}

/** Median time from a broadcast's invocation to its completion, from history.jsonl. */
function broadcastRpcMedian(text: string): number | null {
  const open = new Map<unknown, number>();
  const latencies: number[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const op = JSON.parse(line) as { process: unknown; type: string; f: string; time: number };
    if (op.process === 'nemesis' || op.f !== 'broadcast') continue;
    if (op.type === 'invoke') open.set(op.process, op.time);
    else if (open.has(op.process)) {
      latencies.push((op.time - open.get(op.process)!) / 1e6);
      open.delete(op.process);
    }
  }
  if (latencies.length === 0) return null;
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length / 2)]!;
}

function table(rows: Row[], sim: boolean): string {
  const head = ['profile', 'flags', 'schedule', 'valid', 'lost', 'msgs-per-op', 'stable latency median / max (ms)', 'broadcast RPC median (ms)', 'main-phase ops (ratio to rate x time)', 'all ops'];
  const fmt = (x: number | null, digits = 0): string => (x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const flags = CONFIGS.find((c) => c.name === r.config)!;
    lines.push(`| ${r.profile} | ${sim ? 'sim ' : ''}${r.config}: ${flags.flags.join(' ')} | ${r.mode === 'ideal' ? '--ideal-rate' : 'default'} | ${r.valid} | ${fmt(r.lost)} | ${fmt(r.msgsPerOp, 2)} | ${fmt(r.latencyMedianMs)} / ${fmt(r.latencyMaxMs)} | ${fmt(r.broadcastRpcMedianMs, 1)} | ${fmt(r.mainOps)} (${fmt(r.opRatio, 2)}) | ${fmt(r.ops)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  for (const config of opts.configs) {
    for (const profile of opts.profiles) {
      for (const mode of opts.modes) {
        const started = Date.now();
        const row = await harnessRun(profile, config, mode, opts.seed, opts.store, opts.sim);
        rows.push(row);
        process.stderr.write(`${profile} ${config.name} ${mode}: valid ${row.valid}, lost ${row.lost}, ${row.msgsPerOp.toFixed(2)} msgs/op, ` +
          `latency ${row.latencyMedianMs}/${row.latencyMaxMs} ms, ${row.mainOps} main-phase ops (${row.opRatio.toFixed(2)} x rate x time), ` +
          `${row.ops} ops in all (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    }
  }
  process.stdout.write(`${table(rows, opts.sim)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
