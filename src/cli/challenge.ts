/**
 * `eddy challenge NAME --bin PROGRAM [flags] [-- args for PROGRAM]`: runs
 * `eddy test` with a Gossip Glomers challenge's flags (src/harness/
 * challenges.ts) and ends with the challenge's judgement, one line per
 * target. Flags given here override the preset's and are printed as not
 * the challenge's. `eddy challenge --list` prints the table.
 *
 * `eddy sim --challenge NAME` builds its arguments with `challengeArgv`
 * below, so both commands mean the same by a challenge.
 */
import { challenges, describeTarget, EXIT_CHALLENGE_NOT_MET, findChallenge, unknownChallengeSentence, type Challenge } from '../harness/challenges.js';
import { OptionError, type TestOptions } from '../harness/options.js';
import { findWorkload } from '../harness/workloads/registry.js';
import { EXIT_RUN_FAILED, EXIT_USAGE, reportUsage, type CliIO, type Command } from './command.js';
import { flagsHelp, parseCommandLine, refusePositionals, requireBin, testOptionsOf, type CommandName, type GivenFlag } from './flags.js';
import { runTests } from './test.js';

/**
 * Flags that say where and how loudly a run is recorded, or how patient
 * eddy is, but not what is tested: giving them does not make a run "not
 * the challenge's".
 */
const BOOKKEEPING = new Set(['bin', 'seed', 'store', 'quiet', 'log-stderr', 'log-net-send', 'log-net-recv', 'test-count', 'init-timeout', 'help']);

/** The full argument list for a challenge (its flags, then the user's, which win) and the user's flags that change the test. */
export interface ChallengeArgv {
  argv: string[];
  /** Each flag given that differs from the preset's, as typed, e.g. ["--rate 50", "--strict"]. */
  overrides: string[];
  /** One sentence per override, naming the challenge's own value. */
  notices: string[];
}

/**
 * Lays `userArgv` (flags, then `--` and node arguments) over challenge
 * `c`'s flags; `command` is the command reading them (eddy challenge, or
 * eddy sim with its own flags among them). Throws OptionError for a bad
 * flag, or a `-w` that is not the challenge's workload.
 */
export function challengeArgv(c: Challenge, userArgv: readonly string[], command: CommandName = 'challenge'): ChallengeArgv {
  const dashDash = userArgv.indexOf('--');
  const own = dashDash === -1 ? userArgv.slice() : userArgv.slice(0, dashDash);
  const after = dashDash === -1 ? [] : userArgv.slice(dashDash);
  const preset = lastOfEach(parseCommandLine('test', c.flags).given);
  const overrides: string[] = [];
  const notices: string[] = [];
  for (const g of lastOfEach(parseCommandLine(command, own).given).values()) {
    const name = g.spec.flag;
    if (name === 'workload') {
      if (g.text !== c.workload) {
        throw new OptionError(`Challenge ${c.name} is the ${c.workload} workload, so -w ${g.text ?? ''} cannot replace it (for another workload use eddy test -w ${g.text ?? 'NAME'})`);
      }
      continue;
    }
    // Only what sets a run's options can make it not the challenge's (eddy sim's --seeds, say, cannot).
    if (g.spec.field === undefined || BOOKKEEPING.has(name)) continue;
    const mine = preset.get(name);
    if (mine !== undefined && mine.text === g.text) continue;
    overrides.push(g.typed);
    notices.push(`${g.typed}: not the challenge's flags (challenge ${c.name} has ${mine === undefined ? `no --${name}` : mine.typed}).`);
  }
  return { argv: [...c.flags, ...own, ...after], overrides, notices };
}

/** The flags given by long name, the last of each as the parser keeps it, in the order first given. */
function lastOfEach(given: readonly GivenFlag[]): Map<string, GivenFlag> {
  const out = new Map<string, GivenFlag>();
  for (const g of given) out.set(g.spec.flag, g);
  return out;
}

/** The challenge table as `--list` prints it. */
export function listText(): string {
  const rows = challenges().map((c) => {
    const lines = [
      `${c.name.padEnd(3)} ${c.title} (${c.page})`,
      `    flags:   ${c.flags.join(' ')}`,
      `    targets: ${c.targets.map(describeTarget).join(', ')}`,
      `    solved by eddy's ${c.node} (eddy sim --challenge ${c.name} runs it in-process)`,
    ];
    if (c.note !== undefined) lines.push(`    note:    ${c.note}`);
    return lines.join('\n');
  });
  return `The Gossip Glomers challenges (fly.io/dist-sys), as eddy runs them:\n\n${rows.join('\n\n')}`;
}

const USAGE = `Usage: eddy challenge NAME --bin PROGRAM [eddy test flags] [-- args for PROGRAM]
       eddy challenge --list

Runs PROGRAM through Gossip Glomers challenge NAME (${challenges().map((c) => c.name).join(', ')}):
eddy test with the flags the challenge's page publishes, then the
challenge's own judgement, one line per target (measured value, bound,
pass or fail). Flags given here override the preset's and are printed as
not the challenge's flags (--seed, --store, --quiet, --log-*, --test-count
and --init-timeout change nothing that is judged). results.json records
the challenge and its judgement under "challenge".
The same on virtual time, with eddy's reference node by default:
eddy sim --challenge NAME [--node MODULE].

${flagsHelp('challenge', (f) => !f.commands.includes('test') || f.flag === 'help')}
(eddy test --help lists the other flags.)

Exit codes: 0 the challenge was passed, 1 invalid, 2 unknown, 3 the run could
not be carried out, 4 bad command line, ${EXIT_CHALLENGE_NOT_MET} valid but a target was missed.`;

/** Resolves a challenge name for both commands: the challenge, or one sentence and an exit code. */
export function resolveChallenge(name: string): { challenge: Challenge } | { sentence: string; exitCode: number } {
  const c = findChallenge(name);
  if (c === undefined) return { sentence: unknownChallengeSentence(name), exitCode: EXIT_USAGE };
  if (findWorkload(c.workload) === undefined) {
    return { sentence: `Challenge ${c.name} (${c.title}) needs the ${c.workload} workload, which eddy does not have yet.`, exitCode: EXIT_RUN_FAILED };
  }
  return { challenge: c };
}

export const challengeCommand: Command = {
  summary: 'Run a Gossip Glomers challenge by name (1, 2, 3a-3e, 4, 5a-5c, 6a-6c) and judge it against its targets.',
  async run(argv, io: CliIO) {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.stderr.write(`eddy challenge needs a challenge name (${challenges().map((c) => c.name).join(', ')}) or --list; see eddy challenge --help.\n`);
      return EXIT_USAGE;
    }
    const own = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
    if (name === '--help' || name === '-h' || own.includes('--help') || own.includes('-h')) {
      io.stdout.write(USAGE + '\n');
      return 0;
    }
    if (name === '--list' || own.includes('--list')) {
      io.stdout.write(listText() + '\n');
      return 0;
    }
    if (name.startsWith('-')) {
      io.stderr.write(`eddy challenge expects the challenge's name first (e.g. eddy challenge 3d --bin PROGRAM), got "${name}".\n`);
      return EXIT_USAGE;
    }
    const found = resolveChallenge(name);
    if ('sentence' in found) {
      io.stderr.write(found.sentence + '\n');
      return found.exitCode;
    }
    const c = found.challenge;
    let options: TestOptions;
    try {
      const built = challengeArgv(c, rest);
      const line = parseCommandLine('challenge', built.argv);
      refusePositionals('challenge', line, `${c.name} --bin PROGRAM`);
      const bin = requireBin(line, `bin/${c.node} (eddy's own for challenge ${c.name}; eddy sim --challenge ${c.name} runs it in-process)`);
      const parsed = testOptionsOf(line.given, bin, line.nodeArgs);
      options = { ...parsed.options, challenge: { name: c.name, overrides: built.overrides } };
      for (const w of parsed.warnings) io.stderr.write(`Warning: ${w}\n`);
      io.stderr.write(`Challenge ${c.name} (${c.title}): ${c.flags.join(' ')}\n`);
      for (const n of built.notices) io.stderr.write(`Note: ${n}\n`);
    } catch (e) {
      return reportUsage(e, io);
    }
    return runTests(options, io);
  },
};
