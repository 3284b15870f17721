/**
 * The `eddy` command: picks a subcommand from the first argument and hands
 * it the rest. Each subcommand lives in its own module and exports a
 * `Command`; adding one (e.g. `eddy sim`) is one import and one entry in
 * `COMMANDS` below.
 *
 * Exit codes shared by every subcommand: 0 valid, 1 invalid, 2 unknown,
 * 3 the run could not be carried out, 4 bad command line; and for a
 * challenge run (eddy challenge, eddy sim --challenge), 5 valid but a
 * target of the challenge was missed.
 */
import { challengeCommand } from './challenge.js';
import { checkCommand } from './check.js';
import { serveCli } from './serve.js';
import { simCommand } from './sim.js';
import { testCommand } from './test.js';
import { EXIT_RUN_FAILED, EXIT_USAGE, type Command, type CliIO } from './command.js';

export type { Command, CliIO } from './command.js';

const COMMANDS: Readonly<Record<string, Command>> = {
  test: testCommand,
  challenge: challengeCommand,
  sim: simCommand,
  check: checkCommand,
  serve: serveCli,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: eddy COMMAND [flags]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run `eddy COMMAND --help` for the flags of a command.',
    'Exit codes: 0 valid, 1 invalid, 2 unknown, 3 the run could not be carried out, 4 bad command line,',
    '5 valid but a target of the challenge was missed (eddy challenge, eddy sim --challenge).',
  ].join('\n');
}

/** Runs the eddy CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`Unknown command "${name}"; eddy knows ${Object.keys(COMMANDS).join(', ')} (see eddy --help).\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    // A bug in eddy, not in the node under test; still never exit 1, which means "invalid".
    io.stderr.write(`eddy failed unexpectedly: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return EXIT_RUN_FAILED;
  }
}
