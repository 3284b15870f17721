/** The shape every `eddy` subcommand has, and the exit codes they share. */

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
