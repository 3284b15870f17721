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
import { OptionError, type TestOptions } from '../harness/options.js';
import { checkRun } from '../harness/runner.js';
import { workloadDef, workloads } from '../harness/workloads/registry.js';
import { EXIT_RUN_FAILED, EXIT_USAGE, reportUsage, sentence, type CliIO, type Command } from './command.js';
import { flagsHelp, parseCommandLine, testOptionsOf } from './flags.js';
import { VERDICTS } from './test.js';
import { resultsText } from './results-text.js';

const USAGE = `Usage: eddy check PATH... [-w WORKLOAD] [workload flags] [--out FILE] [--quiet]

Checks stored histories again, with the workload's checker and no nodes.
PATH is a run directory (STORE/latest, STORE/<workload>/<time>) whose
test.json names the workload and flags, or a history.jsonl file (then -w is
required). Flags given here override the run's own, as eddy test reads
them. A challenge run (eddy challenge, eddy sim --challenge) is judged
again, its target lines after the verdict.

${flagsHelp('check')}

History lines: {"process": 0, "type": "invoke"|"ok"|"fail"|"info",
"f": "read", "value": ..., "time": ns} — see the README for each workload's
value format.

Exit codes: 0 every path valid, 1 some invalid, 2 some unknown, 3 a path
could not be read, 4 bad command line.`;

interface CheckArgs {
  paths: string[];
  out: string | null;
  quiet: boolean;
  /** The option fields set on this command line, to lay over each run's own options. */
  given: Set<keyof TestOptions>;
  options: TestOptions;
  workloadGiven: boolean;
}

function parseCheckArgs(argv: readonly string[]): CheckArgs | 'help' {
  const line = parseCommandLine('check', argv);
  if (line.help) return 'help';
  const paths = [...line.positionals];
  const out = (line.values.get('out') as string | undefined) ?? null;
  if (paths.length === 0) throw new OptionError('eddy check needs at least one PATH: a run directory or a history.jsonl file');
  if (out !== null && paths.length > 1) throw new OptionError(`--out writes one results map, but ${paths.length} paths were given`);
  const { options } = testOptionsOf(line.given, 'none', []);
  // Every flag eddy check takes that sets an option is laid over each run's own (--quiet too, which no checker reads).
  const given = new Set(line.given.filter((g) => g.spec.field !== undefined).map((g) => g.spec.field!));
  return { paths, out, quiet: line.values.has('quiet'), given, options, workloadGiven: line.values.has('workload') };
}

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
    for (const field of args.given) (options as unknown as Record<string, unknown>)[field] = args.options[field];
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
      return reportUsage(e, io);
    }
    let worst = 0;
    for (const p of args.paths) {
      let checked: CheckedPath;
      try {
        checked = checkPath(p, args);
      } catch (e) {
        if (e instanceof HistoryFileError || e instanceof OptionError) {
          io.stderr.write(sentence(e.message));
          worst = Math.max(worst, e instanceof OptionError ? EXIT_USAGE : EXIT_RUN_FAILED);
          continue;
        }
        throw e;
      }
      if (!args.quiet) io.stdout.write(resultsText(checked.results) + '\n');
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
