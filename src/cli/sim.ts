/**
 * `eddy sim`: the `eddy test` harness on virtual time, with nodes built
 * in-process from a node module (`--node MODULE`, eddy's own broadcast or
 * echo node by default). Takes every `eddy test` flag (parsed by the same
 * parser), plus `--seeds K` to sweep seeds and print a summary with the
 * command that replays each failing seed.
 *
 * Exit codes as for `eddy test`; for a sweep, the worst of its runs (a run
 * that could not be carried out, then invalid, then unknown, then valid).
 */
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { wallNow } from '../harness/ambient.js';
import { fromExports, loadNodeModule, type NodeModule } from '../harness/hosts/inproc.js';
import { OptionError, type TestOptions } from '../harness/options.js';
import { workloadDef } from '../harness/workloads/registry.js';
import { figuresOf, formatSeedLine, formatSummary, simulate, simulateInWorker, summarise, sweep, type WorkerRun } from '../harness/sim.js';
import { EXIT_RUN_FAILED, EXIT_USAGE, reportUsage, type CliIO, type Command } from './command.js';
import { flagsHelp, parseCommandLine, parseTestArgs, refusePositionals, testOptionsOf } from './flags.js';
import { challengeArgv, resolveChallenge } from './challenge.js';
import { printJudgement, printVerdict } from './test.js';

/** Worker threads of a sweep unless --jobs says otherwise: each holds a whole run in memory. */
const MAX_DEFAULT_JOBS = 4;

function usage(): string {
  return `Usage: eddy sim -w broadcast [--node MODULE] [eddy test flags] [--seed N | --seeds K] [-- node args]
       eddy sim --challenge NAME [--node MODULE] [flags that override the challenge's]

Runs the eddy test harness on virtual time, with every node built in this
process by MODULE's createNode(env) (a .js/.mjs file, or a .ts/.mts file
compiled on load with the typescript package). The same seed and flags
give byte-identical history.jsonl, journal.jsonl and results.json.
Results go to STORE/<workload>/<time>/.

Simulation flags:
${flagsHelp('sim', (f) => f.commands.length === 1 || f.flag === 'seed')}

Flags shared with eddy test:
${flagsHelp('sim', (f) => f.commands.length > 1 && f.flag !== 'seed')}

With --challenge NAME the run has the challenge's flags (given flags override
them and are printed as not the challenge's), the default node is eddy's
reference node for it, and the output ends with one line per target.

Exit codes: 0 valid (with --challenge: passed), 1 invalid, 2 unknown, 3 the run
could not be carried out, 4 bad command line, 5 valid but a target of the
challenge was missed. With --seeds: the worst seed's (3, then 1, 2, 5, 0).`;
}

interface SimArgs {
  options: TestOptions;
  /** The --node value, or null for eddy's own node. */
  nodePath: string | null;
  seeds: number | null;
  /** Worker threads for a sweep. */
  jobs: number;
  keepAll: boolean;
  help: boolean;
  /** Workload flags the chosen workload does not read, one sentence each. */
  warnings: string[];
  /** With --challenge: the flags given beyond the challenge's, one sentence each. */
  notices: string[];
}

/**
 * Parses `eddy sim` arguments with the one flags table, so that every flag
 * shared with eddy test means exactly the same. Throws OptionError with one
 * sentence.
 */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  let line = parseCommandLine('sim', argv);
  const defaultJobs = Math.max(1, Math.min(os.availableParallelism(), MAX_DEFAULT_JOBS));
  if (line.help) {
    return { options: parseTestArgs(['--help']).options, nodePath: null, seeds: null, jobs: defaultJobs, keepAll: false, help: true, warnings: [], notices: [] };
  }
  refusePositionals('sim', line, '--node my-node.js');
  let challenge: { name: string; overrides: string[] } | null = null;
  let notices: string[] = [];
  const challengeName = line.values.get('challenge') as string | undefined;
  if (challengeName !== undefined) {
    const found = resolveChallenge(challengeName);
    if ('sentence' in found) throw new OptionError(found.sentence);
    const c = found.challenge;
    const built = challengeArgv(c, argv, 'sim');
    line = parseCommandLine('sim', built.argv);
    challenge = { name: c.name, overrides: built.overrides };
    notices = [`Challenge ${c.name} (${c.title}): ${c.flags.join(' ')}`, ...built.notices.map((n) => `Note: ${n}`)];
  }
  const nodePath = (line.values.get('node') as string | undefined) ?? null;
  const { options, warnings } = testOptionsOf(line.given, nodePath ?? 'in-process', line.nodeArgs);
  return {
    options: challenge === null ? options : { ...options, challenge },
    nodePath,
    seeds: (line.values.get('seeds') as number | undefined) ?? null,
    jobs: (line.values.get('jobs') as number | undefined) ?? defaultJobs,
    keepAll: line.values.has('keep-all'),
    help: false,
    warnings,
    notices,
  };
}

/** eddy's own node for a workload, from the compiled tree this file is part of. */
async function builtinModule(workload: string): Promise<NodeModule> {
  const node = workloadDef(workload).defaultNode;
  if (node === null) {
    throw new OptionError(`eddy has no reference node for the ${workload} workload yet; pass your own with --node MODULE`);
  }
  const name = node.bin;
  const url = new URL(`../nodes/${node.module}`, import.meta.url).href;
  return fromExports(name, (await import(url)) as Record<string, unknown>, url);
}

/** Quotes one argument for a POSIX shell when it needs it. */
function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The command that replays one seed of a sweep: the sweep's arguments without --seeds/--seed/--jobs/--keep-all, plus --seed N. */
export function replayCommand(argv: readonly string[], seed: number): string {
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? argv.slice() : argv.slice(0, dashDash);
  const after = dashDash === -1 ? [] : argv.slice(dashDash);
  const kept: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    if (a === '--seeds' || a === '--seed') {
      i++;
      continue;
    }
    if (a === '--jobs') {
      i++;
      continue;
    }
    if (a.startsWith('--seeds=') || a.startsWith('--seed=') || a.startsWith('--jobs=') || a === '--keep-all') continue;
    kept.push(a);
  }
  return ['eddy', 'sim', ...kept, '--seed', String(seed), ...after].map(shellQuote).join(' ');
}

export const simCommand: Command = {
  summary: 'Simulate a node module on virtual time: seeded, replayable, fast (--seeds K sweeps).',
  async run(argv, io) {
    let args: SimArgs;
    try {
      args = parseSimArgs(argv);
    } catch (e) {
      return reportUsage(e, io);
    }
    if (args.help) {
      io.stdout.write(usage() + '\n');
      return 0;
    }
    for (const w of args.warnings) io.stderr.write(`Warning: ${w}\n`);
    for (const n of args.notices) io.stderr.write(`${n}\n`);
    let module: NodeModule;
    try {
      module = args.nodePath === null ? await builtinModule(args.options.workload) : await loadNodeModule(args.nodePath);
    } catch (e) {
      io.stderr.write(`${e instanceof Error ? e.message : String(e)}.\n`.replace(/\.\.\n$/, '.\n'));
      return EXIT_RUN_FAILED;
    }
    const options: TestOptions = { ...args.options, bin: module.name };

    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort();
    process.on('SIGINT', onSigint);
    try {
      if (args.seeds === null) {
        // --test-count N: Maelstrom's repeat, stopping at the first run that is not valid; run i uses seed + i.
        const first = options.seed ?? randomInt(0, 2 ** 31);
        let code = 0;
        for (let i = 0; i < options.testCount && !interrupt.signal.aborted; i++) {
          if (options.testCount > 1) io.stdout.write(`${i > 0 ? '\n' : ''}=== Test ${i + 1} of ${options.testCount} ===\n`);
          code = await single({ ...options, seed: first + i }, module, io, interrupt.signal);
          if (code !== 0) {
            if (options.testCount > 1) io.stdout.write(`Stopped after test ${i + 1} of ${options.testCount}: it was not valid.\n`);
            break;
          }
        }
        return code;
      }
      if (options.testCount > 1) {
        io.stderr.write('--test-count and --seeds both repeat the run; give one of them (--seeds K runs every seed and summarises).\n');
        return EXIT_USAGE;
      }
      return await many(options, module, args, argv, io, interrupt.signal);
    } catch (e) {
      // The runner refuses to start when the store cannot be written (its
      // StoreError); a sweep reports that from its worker threads.
      if (e instanceof Error && (e.name === 'StoreError' || /StoreError/.test(e.message))) {
        io.stderr.write(`${e.message.split('\n').find((l) => l.includes('--store')) ?? e.message}\n`);
        return EXIT_RUN_FAILED;
      }
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};

async function single(options: TestOptions, module: NodeModule, io: CliIO, signal: AbortSignal): Promise<number> {
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const t0 = wallNow();
  // On a worker thread under a watchdog, when the module can be loaded there: a node that never returns cannot freeze the command.
  const run =
    module.url === undefined
      ? await simulateHere({ ...options, seed }, module, io, signal)
      : await simulateInWorker({ ...options, seed }, { ...module, url: module.url }, { out: io.stderr, signal });
  const wallS = (wallNow() - t0) / 1000;
  const f = run.figures;
  printVerdict({ results: run.results, error: f.error }, io);
  if (f.error === null) {
    const speed = run.simulatedS > 0 && wallS > 0 ? `, ${(run.simulatedS / wallS).toFixed(0)}x real time` : '';
    io.stdout.write(`Simulated ${run.simulatedS.toFixed(1)} s in ${wallS.toFixed(2)} s of wall time${speed}.\n`);
  } else {
    io.stdout.write(`Simulated ${run.simulatedS.toFixed(1)} s before the run stopped (${wallS.toFixed(2)} s of wall time).\n`);
  }
  io.stdout.write(`Results are in ${f.dir} (also ${path.join(options.store, 'latest')}); seed ${f.seed} (replay with --seed ${f.seed}).\n`);
  return printJudgement({ results: run.results, exitCode: f.exitCode }, io);
}

async function simulateHere(options: TestOptions & { seed: number }, module: NodeModule, io: CliIO, signal: AbortSignal): Promise<WorkerRun> {
  const t0 = wallNow();
  const outcome = await simulate(options, { module, out: io.stderr, signal });
  return { figures: figuresOf(outcome, wallNow() - t0, options.workload), results: outcome.results, simulatedS: lastOpSeconds(outcome.history) };
}

async function many(options: TestOptions, module: NodeModule, args: SimArgs, argv: readonly string[], io: CliIO, signal: AbortSignal): Promise<number> {
  const firstSeed = options.seed ?? 1;
  const count = args.seeds!;
  const threads = Math.min(args.jobs, count);
  io.stderr.write(`Simulating ${options.workload} with ${module.name}, seeds ${firstSeed}..${firstSeed + count - 1}${threads > 1 ? `, ${threads} at a time` : ''}\n`);
  const t0 = wallNow();
  const figures = await sweep({
    options,
    firstSeed,
    count,
    module,
    signal,
    keepValid: args.keepAll,
    jobs: args.jobs,
    removeDir: (dir) => removeRunDir(options.store, dir),
    onSeed: (f, i) => io.stderr.write(`[${i + 1}/${count}] ${formatSeedLine(f)}\n`),
  });
  const wallS = (wallNow() - t0) / 1000;
  if (!args.keepAll) relinkLatest(options.store, figures.filter((f) => f.exitCode !== 0).map((f) => f.dir));
  const s = summarise(figures);
  io.stdout.write(`\nSummary of ${s.runs} seeds (${wallS.toFixed(1)} s of wall time):\n`);
  io.stdout.write(formatSummary(s).join('\n') + '\n');
  if (s.failingSeeds.length > 0) {
    io.stdout.write(`\nFailing seeds (replay one with the command shown):\n`);
    for (const f of figures.filter((x) => x.exitCode !== 0)) {
      io.stdout.write(`  seed ${f.seed} (exit ${f.exitCode}, ${f.dir}):\n    ${replayCommand(argv, f.seed)}\n`);
    }
  } else if (!args.keepAll && s.runs > 0) {
    io.stdout.write(`\nEvery seed was valid; their run directories were removed (keep them with --keep-all).\n`);
  }
  if (figures.length < count) io.stdout.write(`Interrupted after ${figures.length} of ${count} seeds.\n`);
  return figures.length < count && s.exitCode === 0 ? EXIT_RUN_FAILED : s.exitCode;
}

/** Deletes a valid seed's run directory, but only one inside the store. */
function removeRunDir(store: string, dir: string): void {
  const root = path.resolve(store);
  const abs = path.resolve(dir);
  if (!abs.startsWith(root + path.sep)) return;
  fs.rmSync(abs, { recursive: true, force: true });
}

/**
 * After valid seeds' directories were removed, `STORE/latest` may point at
 * one of them: point it at the last kept (failing) run instead, or remove it.
 */
function relinkLatest(store: string, keptDirs: readonly string[]): void {
  const latest = path.join(store, 'latest');
  try {
    if (fs.existsSync(latest)) return; // follows the link: it still leads somewhere
    fs.rmSync(latest, { force: true });
    const last = keptDirs.at(-1);
    if (last !== undefined) fs.symlinkSync(path.relative(store, last), latest);
  } catch {
    // As in the store itself: a file system without symlinks still gets its runs.
  }
}

function lastOpSeconds(history: readonly { time: number }[]): number {
  return history.length === 0 ? 0 : history[history.length - 1]!.time / 1e9;
}

/** `eddy sim` as a plain function: runs with process stdout/stderr and returns the exit code. */
export async function runSim(argv: string[]): Promise<number> {
  return simCommand.run(argv, { stdout: process.stdout, stderr: process.stderr });
}

