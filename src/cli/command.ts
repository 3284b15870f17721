/** The shape every `eddy` subcommand has, the exit codes they share, and how a bad command line is reported. */
import { OptionError } from '../harness/options.js';

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_UNKNOWN = 2;
/** The run could not be carried out: node crashed, never answered init, broke the protocol, bad binary. */
export const EXIT_RUN_FAILED = 3;
/** Bad command line. */
export const EXIT_USAGE = 4;
/** A challenge run (eddy challenge, eddy sim --challenge) that was valid but missed a target. */
export { EXIT_CHALLENGE_NOT_MET } from '../harness/challenges.js';

/** Where a command writes: process.stdout/stderr, or buffers in tests. */
export interface CliIO {
  stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

export interface Command {
  /** One line for `eddy --help`. */
  readonly summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** A message as one line on the console: a sentence ends with one full stop. */
export function sentence(message: string): string {
  return message.endsWith('.') ? `${message}\n` : `${message}.\n`;
}

/**
 * What every command does with a bad command line: its one sentence on
 * stderr and exit code 4. Anything but an `OptionError` is not the user's
 * doing and is thrown on.
 */
export function reportUsage(e: unknown, io: CliIO): number {
  if (!(e instanceof OptionError)) throw e;
  io.stderr.write(sentence(e.message));
  return EXIT_USAGE;
}
