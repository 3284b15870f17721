/**
 * `eddy test`: Maelstrom's `maelstrom test`, for a node program in any
 * language. Parses the flags (flags.ts), checks the binary, runs the test
 * on real processes and wall time, then prints the results in Maelstrom's
 * layout, one verdict line, and where the files are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RealClock } from '../node/clock.js';
import { challengeExitCode, challengeOf, formatJudgement } from '../harness/challenges.js';
import { formatOpRate, type OpRateResult } from '../harness/checker/op-rate.js';
import { ProcessHost } from '../harness/hosts/process.js';
import type { TestOptions } from '../harness/options.js';
import { renderPictures, runTest, StoreError, type RunOutcome } from '../harness/runner.js';
import { EXIT_RUN_FAILED, reportUsage, type CliIO, type Command } from './command.js';
import { flagsHelp, parseTestArgs } from './flags.js';
import { resultsText } from './results-text.js';

export const VERDICTS = {
  valid: 'Everything looks good! ヽ(‘ー`)ノ',
  invalid: 'Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻',
  unknown: 'Errors occurred during analysis, but no anomalies found. ಠ~ಠ',
} as const;

const USAGE = `Usage: eddy test -w broadcast --bin PROGRAM [flags] [-- args for PROGRAM]

Runs PROGRAM as a cluster of nodes and tests it as Maelstrom's \`maelstrom test\`
would. Results go to STORE/<workload>/<time>/ (STORE/latest points there).

Flags (Maelstrom's names and defaults; "eddy" marks eddy-only flags):
${flagsHelp('test')}

Exit codes: 0 valid, 1 invalid, 2 unknown, 3 the run could not be carried out
(node crashed, never answered init, broke the protocol, bad binary), 4 bad
command line.`;

export const testCommand: Command = {
  summary: 'Test a node program with a Maelstrom workload.',
  async run(argv, io) {
    let options: TestOptions;
    try {
      const parsed = parseTestArgs(argv);
      if (parsed.help) {
        io.stdout.write(USAGE + '\n');
        return 0;
      }
      options = parsed.options;
      for (const w of parsed.warnings) io.stderr.write(`Warning: ${w}\n`);
    } catch (e) {
      return reportUsage(e, io);
    }

    return runTests(options, io);
  },
};

/**
 * Runs parsed options: checks the binary, then one run, or `--test-count N`
 * of them stopping at the first that is not valid (or, for a challenge, not
 * passed). `eddy challenge` runs through here too.
 */
export async function runTests(options: TestOptions, io: CliIO): Promise<number> {
  const binProblem = checkBinary(options.bin);
  if (binProblem !== null) {
    io.stderr.write(binProblem + '\n');
    return EXIT_RUN_FAILED;
  }
  // --test-count N: Maelstrom's repeat, stopping at the first run that is not valid.
  let exitCode = 0;
  for (let i = 0; i < options.testCount; i++) {
    if (options.testCount > 1) io.stdout.write(`${i > 0 ? '\n' : ''}=== Test ${i + 1} of ${options.testCount} ===\n`);
    // A given --seed starts the sequence: run i uses seed + i, so each run is new and each can be replayed.
    const runOptions = options.seed === null ? options : { ...options, seed: options.seed + i };
    exitCode = await testOnce(runOptions, io);
    if (exitCode !== 0) {
      if (options.testCount > 1) io.stdout.write(`Stopped after test ${i + 1} of ${options.testCount}: it was not ${options.challenge === null ? 'valid' : 'passed'}.\n`);
      break;
    }
  }
  return exitCode;
}

async function testOnce(options: TestOptions, io: CliIO): Promise<number> {
  let host: ProcessHost;
  try {
    // Nodes run in the system's temporary directory, as under Maelstrom.
    host = new ProcessHost(options.bin, options.args);
  } catch (e) {
    io.stderr.write(`${e instanceof Error ? e.message : String(e)}.\n`);
    return EXIT_RUN_FAILED;
  }

  // Ctrl-C stops the run cleanly: nodes are stopped and everything recorded
  // is written. (A persistent listener, so the process host's own SIGINT
  // hook sees that someone handles the signal and does not re-raise it.)
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.on('SIGINT', onSigint);
  let outcome: RunOutcome;
  try {
    outcome = await runTest(options, { clock: new RealClock(), host, out: io.stderr, signal: interrupt.signal, render: false });
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    io.stderr.write(e.message + '\n');
    return EXIT_RUN_FAILED;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  printOutcome(outcome, options, io);
  // The verdict is out; the pictures (which can take a few seconds for a big run) come after.
  const pictures = await renderPictures(outcome.dir, (m) => io.stderr.write(m + '\n'));
  if (pictures.length > 0) io.stdout.write(`Pictures: ${pictures.map((f) => path.basename(f)).join(', ')}\n`);
  return printJudgement(outcome, io);
}

/**
 * For a challenge run, its judgement as the last lines (one per target),
 * and the challenge's exit code; otherwise the run's own exit code.
 */
export function printJudgement(outcome: Pick<RunOutcome, 'results' | 'exitCode'>, io: CliIO): number {
  const judgement = challengeOf(outcome.results);
  if (judgement === null) return outcome.exitCode;
  io.stdout.write(formatJudgement(judgement).join('\n') + '\n');
  return challengeExitCode(outcome.exitCode, outcome.results);
}

/** One sentence if `bin` cannot be run, else null. */
export function checkBinary(bin: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(bin);
  } catch {
    return `--bin ${bin}: no such file (looked in ${path.resolve(bin)}).`;
  }
  if (!st.isFile()) return `--bin ${bin} is not a file.`;
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    return `--bin ${bin} is not executable; try chmod +x ${bin}.`;
  }
  return null;
}

function printOutcome(outcome: RunOutcome, options: TestOptions, io: CliIO): void {
  printVerdict(outcome, io);
  io.stdout.write(`Results are in ${outcome.dir} (also ${path.join(options.store, 'latest')}); seed ${outcome.seed}.\n`);
}

/** The results in Maelstrom's key names, then one verdict line (or why the run could not be carried out). */
export function printVerdict(outcome: Pick<RunOutcome, 'results' | 'error'>, io: CliIO): void {
  const r = outcome.results;
  io.stdout.write(resultsText(r) + '\n\n');
  const opRate = r['op-rate'] as OpRateResult | undefined;
  if (outcome.error === null && opRate !== undefined) io.stdout.write(formatOpRate(opRate) + '\n');
  if (outcome.error !== null) {
    io.stdout.write(`The run could not be carried out: ${outcome.error}\n`);
  } else {
    const v = r['valid?'];
    io.stdout.write((v === true ? VERDICTS.valid : v === false ? VERDICTS.invalid : VERDICTS.unknown) + '\n');
  }
}
