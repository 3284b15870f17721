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
import { FLAGS, OptionError, parseTestArgs, type TestOptions } from '../harness/options.js';
import { findWorkload } from '../harness/workloads/registry.js';
import { EXIT_RUN_FAILED, EXIT_USAGE, type CliIO, type Command } from './command.js';
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
 * `c`'s flags. Throws OptionError for a `-w` that is not the challenge's
 * workload.
 */
export function challengeArgv(c: Challenge, userArgv: readonly string[]): ChallengeArgv {
  const dashDash = userArgv.indexOf('--');
  const own = dashDash === -1 ? userArgv.slice() : userArgv.slice(0, dashDash);
  const after = dashDash === -1 ? [] : userArgv.slice(dashDash);
  const preset = flagValues(c.flags);
  const overrides: string[] = [];
  const notices: string[] = [];
  for (const [name, { value, typed }] of flagValues(own)) {
    if (name === 'workload') {
      if (value !== c.workload) {
        throw new OptionError(`Challenge ${c.name} is the ${c.workload} workload, so -w ${value ?? ''} cannot replace it (for another workload use eddy test -w ${value ?? 'NAME'})`);
      }
      continue;
    }
    if (BOOKKEEPING.has(name)) continue;
    const mine = preset.get(name);
    if (mine !== undefined && mine.value === value) continue;
    overrides.push(typed);
    notices.push(`${typed}: not the challenge's flags (challenge ${c.name} has ${mine === undefined ? `no --${name}` : mine.typed}).`);
  }
  return { argv: [...c.flags, ...own, ...after], overrides, notices };
}

/** The flags in `argv` by long name (last one wins, as the parser does), with their value and how they were typed. */
function flagValues(argv: readonly string[]): Map<string, { value: string | null; typed: string }> {
  const out = new Map<string, { value: string | null; typed: string }>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) continue;
    const [raw, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    const bare = raw.replace(/^-+/, '');
    const spec = FLAGS.find((f) => (raw.startsWith('--') ? f.flag === bare : f.short === bare));
    if (spec === undefined) continue; // the parser names it
    if (spec.arg === undefined) {
      out.set(spec.flag, { value: 'true', typed: raw });
      continue;
    }
    const value = inline ?? argv[i + 1] ?? null;
    if (inline === null) i++;
    out.set(spec.flag, { value, typed: `${raw} ${value ?? ''}`.trimEnd() });
  }
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

  --list       Print every challenge: its flags, targets and reference node.
  -h, --help   Show this help.
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
    if (name === '--help' || name === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(USAGE + '\n');
      return 0;
    }
    if (name === '--list') {
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
      const own = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
      if (!own.some((a) => a === '--bin' || a.startsWith('--bin='))) {
        throw new OptionError(`--bin is required: the node program to test, e.g. --bin bin/${c.node} (eddy's own for challenge ${c.name}; eddy sim --challenge ${c.name} runs it in-process)`);
      }
      const built = challengeArgv(c, rest);
      const parsed = parseTestArgs(built.argv);
      options = { ...parsed.options, challenge: { name: c.name, overrides: built.overrides } };
      for (const w of parsed.warnings) io.stderr.write(`Warning: ${w}\n`);
      io.stderr.write(`Challenge ${c.name} (${c.title}): ${c.flags.join(' ')}\n`);
      for (const n of built.notices) io.stderr.write(`Note: ${n}\n`);
    } catch (e) {
      if (e instanceof OptionError) {
        io.stderr.write(`${e.message}.\n`.replace(/\.\.\n$/, '.\n'));
        return EXIT_USAGE;
      }
      throw e;
    }
    return runTests(options, io);
  },
};
