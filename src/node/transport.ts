/**
 * The byte-free view of a node's I/O: lines in, lines out. A node never
 * touches stdin/stdout directly; it is handed a `Transport`. `StdioTransport`
 * (stdio.ts) is the real one, used under Maelstrom and `eddy test`;
 * `MemoryTransport` (memory.ts) lets tests and the simulator drive a node
 * in-process.
 *
 * Lines never contain their trailing newline, in either direction.
 */

export interface LineHandlers {
  /** One complete input line, without its newline. */
  onLine(line: string): void;
  /** Input has closed; called once, after the last `onLine`. */
  onEnd(): void;
}

export interface Transport {
  /** Starts delivering input to `handlers`. Called once. */
  start(handlers: LineHandlers): void;
  /**
   * Queues one output line. Implementations batch writes and apply
   * back-pressure (for stdio: input is paused while output is congested),
   * never dropping or interleaving lines.
   */
  write(line: string): void;
  /** Writes one diagnostic line (stderr for stdio). */
  log(line: string): void;
  /** Resolves once every queued output line has been handed to the OS (or peer). */
  flush(): Promise<void>;
  /**
   * True while output waits for its reader (for stdio: stdout's buffer is
   * full). Optional: a transport without it never reports congestion.
   */
  readonly congested?: boolean;
}
