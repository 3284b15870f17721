/**
 * `eddy check PATH... [-w WORKLOAD] [workload flags] [--out FILE]`: runs a
 * workload's checker over stored histories, with no nodes and no network.
 * A PATH is a run directory (the workload and flags come from its
 * test.json, the net figures from its journal) or a bare history.jsonl
 * (then `-w` says which workload). Every PATH is checked in this one
 * process, so a thousand small histories go at the checker's speed; each
 * gets its verdict line, and the exit code is the worst verdict's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { challengeOf, formatJudgement, judgeRun } from '../harness/challenges.js';
import { verdictExitCode, type Valid } from '../harness/checker/index.js';
import { HistoryFileError, netStatsFromJournal, optionsFromTestJson, readHistoryFile, runFiles } from '../harness/history-file.js';
import { FLAGS, OptionError, parseTestArgs, type TestOptions } from '../harness/options.js';
import { checkRun } from '../harness/runner.js';
import { workloadDef, workloads } from '../harness/workloads/registry.js';
import { EXIT_RUN_FAILED, EXIT_USAGE, type CliIO, type Command } from './command.js';
import { VERDICTS } from './test.js';

const USAGE = `Usage: eddy check PATH... [-w WORKLOAD] [workload flags] [--out FILE] [--quiet]

Checks stored histories again, with the workload's checker and no nodes.
PATH is a run directory (STORE/latest, STORE/<workload>/<time>) whose
test.json names the workload and flags, or a history.jsonl file (then -w is
required). Flags given here (e.g. --consistency-models, --availability,
--strict) override the run's own. A challenge run (eddy challenge, eddy sim
--challenge) is judged again, its target lines after the verdict.

  -w, --workload NAME    ${workloads().map((w) => w.name).join(', ')}
  --out FILE             write the results map as JSON (one PATH only)
  --quiet                only the verdict line per PATH, not the results map
  --strict, --availability, --consistency-models, --key-count, ...
                         as for eddy test

History lines: {"process": 0, "type": "invoke"|"ok"|"fail"|"info",
"f": "read", "value": ..., "time": ns} — see the README for each workload's
value format.

Exit codes: 0 every path valid, 1 some invalid, 2 some unknown, 3 a path
could not be read, 4 bad command line.`;

interface CheckArgs {
  paths: string[];
  out: string | null;
  quiet: boolean;
  /** Flags written on this command line, to lay over each run's own options. */
  given: Set<string>;
  options: TestOptions;
  workloadGiven: boolean;
}

function parseCheckArgs(argv: readonly string[]): CheckArgs | 'help' {
  const paths: string[] = [];
  const rest: string[] = [];
  let out: string | null = null;
  let quiet = false;
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v === '') throw new OptionError('--out expects a file to write the results to');
      out = v;
      continue;
    }
    if (a === '--quiet') {
      quiet = true;
      continue;
    }
    if (a.startsWith('-')) {
      rest.push(a);
      const name = a.replace(/^-+/, '').split('=')[0]!;
      given.add(name === 'w' ? 'workload' : name);
      // Flags that take a value (per eddy test's table) take the next word.
      const spec = FLAGS.find((f) => f.flag === name || f.short === name);
      if (!a.includes('=') && spec?.arg !== undefined) {
        const v = argv[++i];
        if (v !== undefined) rest.push(v);
      }
      continue;
    }
    paths.push(a);
  }
  if (paths.length === 0) throw new OptionError('eddy check needs at least one PATH: a run directory or a history.jsonl file');
  if (out !== null && paths.length > 1) throw new OptionError(`--out writes one results map, but ${paths.length} paths were given`);
  const { options } = parseTestArgs([...rest, '--bin', 'none']);
  return { paths, out, quiet, given, options, workloadGiven: given.has('workload') };
}

/** The TestOptions field each flag sets, for laying flags over a run's own options. */
const FIELD_OF: Readonly<Record<string, keyof TestOptions>> = {
  workload: 'workload',
  availability: 'availability',
  'key-count': 'keyCount',
  'max-txn-length': 'maxTxnLength',
  'max-writes-per-key': 'maxWritesPerKey',
  'consistency-models': 'consistencyModels',
  strict: 'strict',
  'node-count': 'nodeCount',
  concurrency: 'concurrency',
  latency: 'latencyMs',
  rate: 'rateHz',
  'time-limit': 'timeLimitS',
};

export interface CheckedPath {
  path: string;
  results: Record<string, unknown>;
  valid: Valid;
}

/** Checks one PATH; throws HistoryFileError or OptionError with one sentence. */
export function checkPath(p: string, args: Pick<CheckArgs, 'given' | 'options' | 'workloadGiven'>): CheckedPath {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new HistoryFileError(`${p}: no such file or directory`);
  }
  let options: TestOptions;
  let historyFile: string;
  let journalFile: string | null = null;
  if (st.isDirectory()) {
    const files = runFiles(p);
    historyFile = files.history;
    journalFile = files.journal;
    options = fs.existsSync(files.test) ? optionsFromTestJson(files.test) : { ...args.options };
    if (!fs.existsSync(files.test) && !args.workloadGiven) {
      throw new OptionError(`${p} has no test.json to say which workload it ran; name it with -w`);
    }
    for (const flag of args.given) {
      const field = FIELD_OF[flag];
      if (field !== undefined) (options as unknown as Record<string, unknown>)[field] = args.options[field];
    }
  } else {
    if (!args.workloadGiven) throw new OptionError(`${p} is a history file; say which workload made it with -w (${workloads().map((w) => w.name).join(', ')})`);
    historyFile = p;
    options = args.options;
  }
  const def = workloadDef(options.workload);
  def.validate?.(options);
  const history = readHistoryFile(historyFile);
  let invocations = 0;
  for (const op of history) if (op.type === 'invoke' && op.process !== 'nemesis') invocations++;
  const net = (journalFile === null ? null : netStatsFromJournal(journalFile, invocations)) ?? emptyNet();
  const { results } = checkRun(def, history, net, options);
  // A challenge run is judged again too, against the results just computed.
  const judgement = judgeRun({ challenge: options.challenge ?? null, availability: options.availability }, results);
  if (judgement !== null) results['challenge'] = judgement;
  return { path: p, results, valid: results['valid?'] as Valid };
}

function emptyNet(): ReturnType<typeof netStatsFromJournal> & object {
  const zero = { 'send-count': 0, 'recv-count': 0, 'msg-count': 0 };
  return { all: { ...zero }, clients: { ...zero }, servers: { ...zero } } as unknown as ReturnType<typeof netStatsFromJournal> & object;
}

export const checkCommand: Command = {
  summary: 'Check stored histories again (run directories or history.jsonl files).',
  async run(argv, io: CliIO) {
    let args: CheckArgs;
    try {
      const parsed = parseCheckArgs(argv);
      if (parsed === 'help') {
        io.stdout.write(USAGE + '\n');
        return 0;
      }
      args = parsed;
    } catch (e) {
      if (e instanceof OptionError) {
        io.stderr.write(`${e.message}.\n`.replace(/\.\.\n$/, '.\n'));
        return EXIT_USAGE;
      }
      throw e;
    }
    let worst = 0;
    for (const p of args.paths) {
      let checked: CheckedPath;
      try {
        checked = checkPath(p, args);
      } catch (e) {
        if (e instanceof HistoryFileError || e instanceof OptionError) {
          io.stderr.write(`${e.message}.\n`.replace(/\.\.\n$/, '.\n'));
          worst = Math.max(worst, e instanceof OptionError ? EXIT_USAGE : EXIT_RUN_FAILED);
          continue;
        }
        throw e;
      }
      if (!args.quiet) io.stdout.write(JSON.stringify(checked.results, null, 2) + '\n');
      const v = checked.valid;
      io.stdout.write(`${p}: ${v === true ? VERDICTS.valid : v === false ? VERDICTS.invalid : VERDICTS.unknown}\n`);
      const judgement = challengeOf(checked.results);
      if (judgement !== null) io.stdout.write(formatJudgement(judgement).join('\n') + '\n');
      worst = Math.max(worst, verdictExitCode(v));
      if (args.out !== null) {
        fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
        fs.writeFileSync(args.out, JSON.stringify(checked.results, null, 2) + '\n');
      }
    }
    return worst;
  },
};
