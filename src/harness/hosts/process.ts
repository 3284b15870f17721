/**
 * Runs each server node as a child process, as Maelstrom's
 * `maelstrom.process` does: the network writes the node's messages to its
 * stdin, each stdout line is a message from it, each stderr line is a log
 * line. A node that stops reading stdin only stalls its own deliveries
 * (`deliver` returns a promise until the pipe drains), a node that dies is
 * reported through `onExit` (never as an exception in the harness), and no
 * child outlives the harness: every live child is killed when this process
 * exits or is told to stop by a signal. What nodes write is worked off in
 * bounded slices, so that a flood of output never starves the harness's
 * timers (see `OutputQueue`), and a node's output can be paused
 * (`pauseOutput`). When to hold output back, here and in the network, is
 * decided in run/backpressure.ts; this file only carries it out.
 *
 * Like Maelstrom, the binary is resolved against the current directory (not
 * looked up on PATH) and nodes run in the system's temporary directory unless
 * told otherwise.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExitInfo, HostedNode, NodeHandlers, NodeHost, StartOptions } from '../host.js';
import { HighWater, OUTPUT_QUEUE_CHARS_MAX } from '../run/backpressure.js';
import { LineSplitter, LineTail } from './lines.js';

export interface ProcessHostOptions {
  /** Working directory of every node. @default os.tmpdir() (Maelstrom uses java.io.tmpdir) */
  cwd?: string;
  /** Environment of every node. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** How many stdout and stderr lines to keep for `ExitInfo`. @default 32 (Maelstrom's debug buffer) */
  tailLines?: number;
  /** Longest stdout or stderr line accepted, in characters; longer ones are reported and skipped. @default 67108864 (64 Mi) */
  maxLineChars?: number;
  /** After a node exits, how long to wait for its pipes to close before reporting the exit anyway (a grandchild may hold them open). @default 1000 */
  pipeCloseWaitMs?: number;
}

export class ProcessHost implements NodeHost {
  /** The binary's canonical path. */
  readonly bin: string;
  readonly args: readonly string[];
  readonly #opts: Required<Omit<ProcessHostOptions, 'env'>> & { env: NodeJS.ProcessEnv };

  /** Throws, naming the binary, if it does not exist or cannot be executed. */
  constructor(bin: string, args: readonly string[] = [], opts: ProcessHostOptions = {}) {
    this.bin = resolveBinary(bin);
    this.args = [...args];
    this.#opts = {
      cwd: opts.cwd ?? os.tmpdir(),
      env: opts.env ?? process.env,
      tailLines: opts.tailLines ?? 32,
      maxLineChars: opts.maxLineChars ?? 64 * 1024 * 1024,
      pipeCloseWaitMs: opts.pipeCloseWaitMs ?? 1000,
    };
  }

  /** `opts.dir` reaches the node as env EDDY_NODE_DIR (its working directory stays `cwd`). */
  start(id: string, handlers: NodeHandlers, opts: StartOptions = {}): HostedNode {
    const o = opts.dir === undefined ? this.#opts : { ...this.#opts, env: { ...this.#opts.env, EDDY_NODE_DIR: opts.dir } };
    return new ProcessNode(id, this.bin, this.args, o, handlers);
  }
}

/** Resolves `bin` as Maelstrom does (against the current directory) and checks it can be run. */
function resolveBinary(bin: string): string {
  if (bin === '') throw new Error('the node binary is an empty string; expected a path to an executable');
  const abs = path.resolve(bin);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    const hint = bin.includes('/') ? '' : ' (eddy, like Maelstrom, resolves the binary against the current directory, not PATH)';
    throw new Error(`cannot run node binary ${JSON.stringify(bin)}: ${abs} does not exist${hint}`);
  }
  const st = fs.statSync(real);
  if (!st.isFile()) throw new Error(`cannot run node binary ${JSON.stringify(bin)}: ${real} is not a file`);
  try {
    fs.accessSync(real, fs.constants.X_OK);
  } catch {
    throw new Error(`cannot run node binary ${JSON.stringify(bin)}: ${real} is not executable (try chmod +x)`);
  }
  return real;
}

// Every child still running, so that none outlives the harness.
const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killAll(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveChildren.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // If nobody else handles this signal, keep its usual meaning: die of it.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/**
 * Fairness between the nodes' output and the harness's timers. libuv reads
 * a busy pipe many times in one turn of the event loop, so 25 nodes in a
 * message storm could keep the loop busy for seconds if every chunk were
 * handled where it arrives, and client timeouts, the generator and delivery
 * deadlines would fire that late. So chunks only join one queue as they
 * arrive; the queue is worked off in slices of `SLICE_CHARS`, one slice per
 * turn (in the check phase, so timers run between slices). When more than
 * `OUTPUT_QUEUE_CHARS_MAX` wait, the streams that deliver are paused until
 * the queue is half empty, and the nodes wait on their full pipes.
 */
const SLICE_CHARS = 128 * 1024;
/** How long a node may keep running after closing its stdout before that is reported. */
const STDOUT_CLOSED_GRACE_MS = 200;
/** Characters of stdin lines gathered before they are written without waiting for the end of the tick. */
const BATCH_CHARS = 64 * 1024;

type Chunk = { node: ProcessNode; stream: 'out' | 'err'; text: string | null /* null: end of stream */ };

class OutputQueue {
  readonly #chunks: Chunk[] = [];
  #head = 0;
  #chars = 0;
  #scheduled = false;
  readonly #paused = new Set<ProcessNode>();
  readonly #water = new HighWater(OUTPUT_QUEUE_CHARS_MAX);

  add(node: ProcessNode, stream: 'out' | 'err', text: string | null): void {
    this.#chunks.push({ node, stream, text });
    if (text !== null) this.#chars += text.length;
    if (this.#water.full(this.#chars) && !this.#paused.has(node)) {
      this.#paused.add(node);
      node.setQueuePaused(true);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#slice);
    }
  }

  /**
   * Puts chunks a node held back while the runner had its output paused at
   * the head of the queue, ahead of that node's later chunks.
   */
  unhold(chunks: Chunk[]): void {
    if (chunks.length === 0) return;
    this.#chunks.splice(this.#head, 0, ...chunks);
    for (const c of chunks) if (c.text !== null) this.#chars += c.text.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#slice);
    }
  }

  /** Handles everything queued now, in order (before a node's exit is reported, so its last lines come first). */
  drain(): void {
    this.#work(Infinity);
  }

  readonly #slice = (): void => {
    this.#scheduled = false;
    this.#work(SLICE_CHARS);
    if (this.#head < this.#chunks.length && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#slice);
    }
  };

  #work(budgetChars: number): void {
    let done = 0;
    while (this.#head < this.#chunks.length && done < budgetChars) {
      const c = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = undefined as unknown as Chunk;
      if (c.text !== null) {
        this.#chars -= c.text.length;
        done += c.text.length;
      }
      if (c.stream === 'out' && c.node.holds(c)) continue;
      c.node.handle(c.stream, c.text);
    }
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#chunks.length) {
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#paused.size > 0 && this.#water.drained(this.#chars)) {
      const nodes = [...this.#paused];
      this.#paused.clear();
      for (const n of nodes) n.setQueuePaused(false);
    }
  }
}

const outputQueue = new OutputQueue();

/** Number of node processes this harness has running (for tests and shutdown checks). */
export function liveProcessCount(): number {
  return liveChildren.size;
}

/** Kills every node process at once (SIGKILL). */
export function killAllProcesses(): void {
  killAll();
}

class ProcessNode implements HostedNode {
  readonly #id: string;
  readonly #child: ChildProcess;
  readonly #handlers: NodeHandlers;
  readonly #stdoutTail: LineTail;
  readonly #stderrTail: LineTail;
  readonly #pipeCloseWaitMs: number;
  #exit: ExitInfo | null = null;
  #exitWaiters: ((info: ExitInfo) => void)[] = [];
  #drain: Promise<void> | null = null;
  #resolveDrain: (() => void) | null = null;
  #stopping = false;
  /** Lines for stdin not yet written (see `deliver`). */
  #batch = '';
  #flushScheduled = false;
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    void this.#writeBatch();
  };
  #exitCode: number | null = null;
  #exitSignal: string | null = null;
  /** Output paused while the shared output queue is full (fairness), and by the network's back-pressure. */
  #queuePaused = false;
  #runnerPaused = false;
  /** Stdout chunks read while the runner had output paused, in order; handed back on resume. */
  #held: Chunk[] = [];
  readonly #out: LineSplitter;
  readonly #err: LineSplitter;

  constructor(id: string, bin: string, args: readonly string[], opts: Required<Omit<ProcessHostOptions, 'env'>> & { env: NodeJS.ProcessEnv }, handlers: NodeHandlers) {
    this.#id = id;
    this.#handlers = handlers;
    this.#stdoutTail = new LineTail(opts.tailLines);
    this.#stderrTail = new LineTail(opts.tailLines);
    this.#pipeCloseWaitMs = opts.pipeCloseWaitMs;
    installExitHooks();

    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    if (child.pid !== undefined) liveChildren.add(child);

    const tooLong = (stream: string) => (start: string) =>
      this.#problem(`node ${id} wrote a ${stream} line longer than ${opts.maxLineChars} characters; it was skipped: ${JSON.stringify(start + '…')}`);
    this.#out = new LineSplitter(
      (line) => {
        this.#stdoutTail.push(line);
        handlers.onLine(line);
      },
      { maxLineChars: opts.maxLineChars, onTooLong: tooLong('stdout') },
    );
    this.#err = new LineSplitter(
      (line) => {
        this.#stderrTail.push(line);
        handlers.onStderr(line);
      },
      { maxLineChars: opts.maxLineChars, onTooLong: tooLong('stderr') },
    );
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => outputQueue.add(this, 'out', chunk));
    child.stderr!.on('data', (chunk: string) => outputQueue.add(this, 'err', chunk));
    child.stdout!.on('end', () => outputQueue.add(this, 'out', null));
    child.stderr!.on('end', () => outputQueue.add(this, 'err', null));
    // A node that exits or closes stdin makes our writes fail with EPIPE;
    // that is reported through onExit, not as a harness crash.
    child.stdin!.on('error', () => this.#releaseDrain());
    child.stdin!.on('close', () => this.#releaseDrain());
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});

    child.on('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined || e.syscall?.startsWith('spawn')) {
        this.#report({ error: `cannot run node binary ${bin}: ${e.code ?? e.message}` });
      }
    });
    child.on('exit', (code, signal) => {
      this.#exitCode = code;
      this.#exitSignal = signal;
      liveChildren.delete(child);
      // stdout/stderr may still hold lines; 'close' reports once they are read.
      setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        this.#report({});
      }, this.#pipeCloseWaitMs).unref();
    });
    child.on('close', (code, signal) => {
      if (this.#exitCode === null && this.#exitSignal === null) {
        this.#exitCode = code;
        this.#exitSignal = signal;
      }
      liveChildren.delete(child);
      this.#report({});
    });
  }

  deliver(line: string): void | Promise<void> {
    const stdin = this.#child.stdin!;
    if (this.#exit !== null || !stdin.writable) return;
    // Lines delivered in the same tick are joined and go out in one write
    // call: one string to encode instead of a writev of thousands of pieces.
    this.#batch += line + '\n';
    if (this.#batch.length >= BATCH_CHARS) return this.#writeBatch();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
    return this.#drain ?? undefined;
  }

  /** Writes the batch; a promise while the pipe is full (the node is not reading fast enough). */
  #writeBatch(): void | Promise<void> {
    const text = this.#batch;
    this.#batch = '';
    const stdin = this.#child.stdin!;
    if (text !== '' && this.#exit === null && stdin.writable && !stdin.write(text) && this.#drain === null) {
      this.#drain = new Promise<void>((resolve) => {
        this.#resolveDrain = resolve;
      });
      stdin.once('drain', () => this.#releaseDrain());
    }
    return this.#drain ?? undefined;
  }

  /**
   * Stops this node's messages reaching the network: its stdout is paused,
   * and what was already read but not yet handled stays queued (`holds`), so
   * the network's backlog stops growing at once rather than after up to
   * `OUTPUT_QUEUE_CHARS_MAX` more characters of every node's output.
   */
  pauseOutput(): void {
    this.#runnerPaused = true;
    this.#child.stdout!.pause();
  }

  resumeOutput(): void {
    this.#runnerPaused = false;
    this.#releaseHeld();
    if (!this.#queuePaused) this.#child.stdout!.resume();
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    outputQueue.unhold(held);
  }

  /** Keeps a stdout chunk back (true) while the runner has this node's output paused. */
  holds(chunk: Chunk): boolean {
    if (!this.#runnerPaused || this.#exitCode !== null || this.#exitSignal !== null) return false;
    this.#held.push(chunk);
    return true;
  }

  /** The shared output queue is full (true) or has room again (false). */
  setQueuePaused(paused: boolean): void {
    this.#queuePaused = paused;
    if (paused) {
      this.#child.stdout!.pause();
      this.#child.stderr!.pause();
    } else {
      this.#child.stderr!.resume();
      if (!this.#runnerPaused) this.#child.stdout!.resume();
    }
  }

  /** One queued chunk of this node's stdout or stderr (null: the stream ended). */
  handle(stream: 'out' | 'err', text: string | null): void {
    const splitter = stream === 'out' ? this.#out : this.#err;
    if (text !== null) {
      splitter.push(text);
      return;
    }
    splitter.end();
    if (stream === 'out') {
      // A node that exits closes stdout a moment before its exit is seen;
      // one that is still running a while later closed it on purpose or by
      // mistake, and nothing it sends can arrive any more.
      setTimeout(() => {
        if (this.#exit === null && this.#exitCode === null && this.#exitSignal === null && !this.#stopping) {
          this.#problem(`node ${this.#id} closed its stdout but is still running; nothing it sends can arrive, so operations on it will time out`);
        }
      }, STDOUT_CLOSED_GRACE_MS).unref();
    }
  }

  /** `--nemesis kill`: SIGKILL now; resolves when the exit is seen. */
  kill(): Promise<ExitInfo> {
    if (this.#exit !== null) return Promise.resolve(this.#exit);
    const done = new Promise<ExitInfo>((resolve) => this.#exitWaiters.push(resolve));
    if (this.#exitCode === null && this.#exitSignal === null) this.#child.kill('SIGKILL');
    return done;
  }

  /** `--nemesis pause`: SIGSTOP (the runner holds its messages meanwhile). */
  pause(): void {
    if (this.#exit === null && this.#exitCode === null && this.#exitSignal === null) this.#child.kill('SIGSTOP');
  }

  /** SIGCONT. */
  resume(): void {
    if (this.#exit === null && this.#exitCode === null && this.#exitSignal === null) this.#child.kill('SIGCONT');
  }

  stop(graceMs: number): Promise<ExitInfo> {
    if (this.#exit !== null) return Promise.resolve(this.#exit);
    const done = new Promise<ExitInfo>((resolve) => this.#exitWaiters.push(resolve));
    if (this.#stopping) return done;
    this.#stopping = true;
    this.#child.stdin!.end();
    const escalate = (signal: NodeJS.Signals, next: () => void) =>
      setTimeout(() => {
        if (this.#exit !== null || this.#exitCode !== null || this.#exitSignal !== null) return;
        this.#child.kill(signal);
        next();
      }, graceMs).unref();
    escalate('SIGTERM', () => escalate('SIGKILL', () => {}));
    return done;
  }

  #releaseDrain(): void {
    const r = this.#resolveDrain;
    this.#drain = null;
    this.#resolveDrain = null;
    r?.();
  }

  #problem(message: string): void {
    if (this.#handlers.onError !== undefined) this.#handlers.onError(message);
    else this.#handlers.onStderr(`[eddy] ${message}`);
  }

  #report(extra: { error?: string }): void {
    if (this.#exit !== null) return;
    // The node's last lines are still queued (or held back), perhaps: they come before its exit.
    this.#releaseHeld();
    outputQueue.drain();
    const info: ExitInfo = {
      code: this.#exitCode,
      signal: this.#exitSignal,
      stderrTail: this.#stderrTail.lines(),
      stdoutTail: this.#stdoutTail.lines(),
      stopped: this.#stopping,
    };
    if (extra.error !== undefined) info.error = extra.error;
    this.#exit = info;
    liveChildren.delete(this.#child);
    this.#releaseDrain();
    this.#handlers.onExit(info);
    for (const w of this.#exitWaiters) w(info);
    this.#exitWaiters = [];
  }
}
