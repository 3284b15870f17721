/**
 * How server nodes are run, behind one narrow interface: a `NodeHost`
 * starts a node and hands back a `HostedNode` that accepts lines for its
 * stdin and can be stopped; the node's stdout lines, stderr lines and exit
 * come back through `NodeHandlers`. `hosts/process.ts` runs each node as a
 * child process (for `eddy test`); `hosts/inproc.ts` runs nodes in this
 * process on virtual time (for `eddy sim`). The runner sees no difference.
 */

export interface NodeHandlers {
  /** One line the node wrote on stdout, without its line ending. */
  onLine(line: string): void;
  /** One line the node wrote on stderr, without its line ending. */
  onStderr(line: string): void;
  /** The node has exited (or could not be started). Called exactly once. */
  onExit(info: ExitInfo): void;
  /**
   * Something wrong with what the node wrote that is not a line, e.g. a
   * stdout line over the size limit, which is discarded. One sentence naming
   * the node. When absent, the host passes the sentence to `onStderr`.
   */
  onError?(message: string): void;
}

export interface ExitInfo {
  /** Exit status, or null if the node was killed by a signal or never started. */
  code: number | null;
  /** The signal that ended the node (e.g. "SIGKILL"), or null. */
  signal: string | null;
  /** The node's last stderr lines (Maelstrom shows 32 when a node crashes). */
  stderrTail: string[];
  /** The node's last stdout lines, which Maelstrom also shows on a crash. */
  stdoutTail?: string[];
  /** True if the node exited after `stop()` was called: an expected exit, not a crash. */
  stopped?: boolean;
  /** Why the node could not be started or run (spawn failure), if that is what happened. */
  error?: string;
}

export interface HostedNode {
  /**
   * Hands the node one line (without '\n'). A returned promise resolves when
   * the node has accepted it; the network waits for it before this node's
   * next message (back-pressure). Lines for a node that has exited are dropped.
   */
  deliver(line: string): void | Promise<void>;
  /** Asks the node to stop, escalating after `graceMs`; resolves with how it ended. */
  stop(graceMs: number): Promise<ExitInfo>;
  /**
   * Stops taking what the node writes until `resumeOutput()`; the node is
   * then held back by its own full pipe. Only the mechanism: when to do it
   * (the network holds more than it should, a message storm) is decided in
   * run/backpressure.ts. Optional: a host whose nodes cannot outrun the
   * harness (in-process, virtual time) omits it.
   */
  pauseOutput?(): void;
  resumeOutput?(): void;
  /**
   * `--nemesis kill`: ends the node at once, as SIGKILL would (whatever it
   * kept only in memory is gone); resolves with how it ended. Its
   * `onExit` is still called.
   */
  kill?(): Promise<ExitInfo>;
  /** `--nemesis pause`: SIGSTOP, or an in-process node whose timers wait. */
  pause?(): void;
  /** SIGCONT: the node runs again; what waited runs in a burst. */
  resume?(): void;
}

/** Where one node keeps what should outlive it (`--nemesis kill`). */
export interface StartOptions {
  /**
   * The node's own directory, kept across restarts (a process gets it in
   * env `EDDY_NODE_DIR`; its working directory does not change).
   */
  dir?: string;
}

export interface NodeHost {
  /** Starts a node; called again with the same id to restart one that was killed. */
  start(id: string, handlers: NodeHandlers, opts?: StartOptions): HostedNode;
}

/**
 * A description of a node's exit for the test's error output: one sentence,
 * then its last stdout and stderr lines, like Maelstrom's "Node n1 crashed with exit status 3. Before crashing, it
 * wrote to STDOUT ... And to STDERR ...".
 */
export function describeExit(nodeId: string, info: ExitInfo): string {
  const how =
    info.error !== undefined
      ? `could not run: ${info.error}`
      : info.signal !== null
        ? `was killed by ${info.signal}`
        : `exited with status ${String(info.code)}`;
  const parts = [`node ${nodeId} ${how}`];
  if (info.stdoutTail !== undefined && info.stdoutTail.length > 0) {
    parts.push(`its last stdout lines:\n${info.stdoutTail.join('\n')}`);
  }
  parts.push(info.stderrTail.length > 0 ? `its last stderr lines:\n${info.stderrTail.join('\n')}` : 'it wrote nothing on stderr');
  return parts.join('\n');
}
