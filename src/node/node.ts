/**
 * A Maelstrom node: reads messages from a `Transport`, answers `init`
 * itself, dispatches requests to the handlers registered with `on`, sends
 * requests of its own with `rpc`, and keeps its timers on a `Clock`. It never
 * touches stdin, stdout or wall time directly, so the same node runs as a
 * process under Maelstrom (StdioTransport + RealClock) and in-process under
 * eddy's simulator (MemoryTransport + VirtualClock).
 *
 * Input from the network is validated here, at the edge: a line that is not
 * a well-formed message is logged and skipped (and answered with error 12
 * when it says who asked), a request of an unknown type is answered with
 * error 10, and a handler that fails answers with its `RPCError` or with
 * error 13 (crash). Nothing a peer sends can stop the node.
 */

import type { Disk } from './disk.js';
import { format } from 'node:util';
import { RealClock, type Clock, type Timer } from './clock.js';
import { RPCError } from './errors.js';
import {
  checkMessage,
  isMessageId,
  type Body,
  type Handler,
  type InitBody,
  type MaelstromProtocol,
  type Message,
  type RequestOf,
  type ResponseOf,
} from './protocol.js';
import { LINE_BYTES_MAX_DEFAULT, StdioTransport } from './stdio.js';
import type { Transport } from './transport.js';

export interface NodeOptions {
  /** Where messages come from and go to. @default new StdioTransport() */
  transport?: Transport;
  /** The node's only source of time and timers. @default new RealClock() */
  clock?: Clock;
  /** Uniform random numbers in [0, 1); the simulator passes a seeded one. @default Math.random */
  random?: () => number;
  /**
   * How long `rpc` waits for a reply when the call gives no `timeoutMs`.
   * `Infinity` waits forever (the callback is then only freed by a reply
   * or an abort signal). @default 5000
   */
  rpcTimeoutMs?: number;
  /**
   * The longest input line the node parses; longer lines are logged and
   * skipped. Passed on to the default `StdioTransport`, which counts bytes
   * and drops such lines before they are even assembled; a line handed over
   * as a string by another transport is measured in UTF-16 code units
   * (never more than its UTF-8 bytes). @default 67108864 (64 MiB)
   */
  lineBytesMax?: number;
}

/**
 * What a node module receives from whoever runs it. A node module exports
 * `createNode(env: NodeEnv): Node`; the bin wrapper passes stdio and a real
 * clock (see `runMain`), the simulator an in-memory transport and a virtual
 * clock.
 */
export interface NodeEnv {
  transport: Transport;
  clock: Clock;
  /** Extra command-line arguments given to the node. */
  args: string[];
  random?: () => number;
  /**
   * Files that outlive the node when `--nemesis kill` kills and restarts it
   * (see `disk.ts`): under `eddy test` a `FileDisk` on the directory in env
   * `EDDY_NODE_DIR` (absent when that is not set, e.g. under Maelstrom);
   * under `eddy sim` a `MemoryDisk` where a kill keeps only what was synced.
   * Whatever a node keeps only in memory is gone after a kill.
   */
  disk?: Disk;
}

export interface RpcOptions {
  /** Rejects with error 0 (timeout) if no reply arrives in time. @default the node's rpcTimeoutMs */
  timeoutMs?: number;
  /** Rejects with `signal.reason` when aborted, and forgets the request. */
  signal?: AbortSignal;
}

interface PendingRpc {
  readonly resolve: (body: Body) => void;
  readonly reject: (err: unknown) => void;
  timer: Timer | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** A timer that never fires: what `after`/`every` return once the node has stopped. */
const NO_TIMER: Timer = Object.freeze({ cancel() {} });

/** How much of an offending input line a log message quotes. */
const QUOTE_CHARS = 200;

type InitHook = (init: Message<InitBody>) => void | Promise<void>;
type AnyHandler = Handler<Body, Body>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * `Node.on`'s signature: one overload per request type in `P`, then an
 * untyped one for types `P` does not list (its `never` keeps a mistyped
 * reply to a listed type from slipping through as untyped). Overloads
 * rather than one generic signature because TypeScript widens
 * `{type: 'echo_ok'}` to `string` when the expected reply type depends on a
 * type parameter still being inferred.
 */
export type On<P, This> = UnionToIntersection<
  { [T in keyof P & string]: (type: T, handler: Handler<RequestOf<P, T>, ResponseOf<P, T>>) => This }[keyof P & string]
> &
  (<T extends string>(type: T extends keyof P ? never : T, handler: Handler<Body, Body>) => This);

/**
 * @typeParam P the protocol: which request types the node handles or sends,
 *   and their reply types (see `protocol.ts`). Types not listed are untyped.
 */
export class Node<P extends object = MaelstromProtocol> {
  readonly clock: Clock;
  readonly random: () => number;
  readonly transport: Transport;

  readonly #handlers = new Map<string, AnyHandler>();
  readonly #initHooks: InitHook[] = [];
  readonly #rpcs = new Map<number, PendingRpc>();
  readonly #timers = new Set<Timer>();
  readonly #rpcTimeoutMs: number;
  readonly #lineBytesMax: number;
  /** The last destination written to and the start of a message to it: replies mostly go to the same few peers. */
  #lastDest: string | undefined = undefined;
  #lastHead = '';
  #nodeId = '';
  /** `nodeId` as a JSON string, ready to paste into outgoing messages. */
  #srcJson = '""';
  #nodeIds: readonly string[] = [];
  #nextMsgId = 1;
  #running = false;
  #stopped = false;

  constructor(options: NodeOptions = {}) {
    const lineBytesMax = options.lineBytesMax ?? LINE_BYTES_MAX_DEFAULT;
    if (!Number.isSafeInteger(lineBytesMax) || lineBytesMax < 1) {
      throw new RangeError(`Node: expected lineBytesMax to be an integer >= 1, got ${String(lineBytesMax)}`);
    }
    this.#lineBytesMax = lineBytesMax;
    this.transport = options.transport ?? new StdioTransport({ lineBytesMax });
    this.clock = options.clock ?? new RealClock();
    this.random = options.random ?? Math.random;
    const timeoutMs = options.rpcTimeoutMs ?? 5000;
    checkTimeout('rpcTimeoutMs', timeoutMs);
    this.#rpcTimeoutMs = timeoutMs;
  }

  /** This node's id ("n1"), or "" until `init` has arrived. */
  get nodeId(): string {
    return this.#nodeId;
  }

  /** Every node in the cluster, in Maelstrom's order (this one included); empty until `init`. */
  get nodeIds(): readonly string[] {
    return this.#nodeIds;
  }

  /** Requests sent with `rpc` still waiting for a reply. */
  get pendingRpcCount(): number {
    return this.#rpcs.size;
  }

  /**
   * True while output waits for its reader (stdout's buffer is full). Input
   * is paused meanwhile, so requests and their replies stay bounded; work a
   * node starts on its own, such as periodic gossip, should skip a beat
   * rather than pile more output into memory.
   */
  get congested(): boolean {
    return this.transport.congested === true;
  }

  /**
   * Handles requests of `type`: `node.on('echo', (req) => ({type: 'echo_ok',
   * echo: req.body.echo}))`. For types the protocol `P` lists, `req.body`
   * and the reply are typed; other types get `Body`. Registering a type
   * twice is a mistake and throws, as does registering `init` (use
   * `onInit`).
   */
  readonly on: On<P, this> = ((type: string, handler: AnyHandler): this => {
    if (type === 'init') throw new Error('Node.on: the node answers "init" itself; use onInit() to run code at init');
    if (this.#handlers.has(type)) throw new Error(`Node.on: a handler for "${type}" is already registered`);
    this.#handlers.set(type, handler);
    return this;
  }) as unknown as On<P, this>;

  /**
   * Runs `hook` when `init` arrives, after `nodeId`/`nodeIds` are set and
   * before `init_ok` is sent; hooks run one after another, and `init_ok`
   * waits for async ones. If one throws, init is answered with the error.
   */
  onInit(hook: InitHook): this {
    this.#initHooks.push(hook);
    return this;
  }

  /** Sends a message that expects no reply (or whose reply a handler takes). */
  send(dest: string, body: Body): void {
    this.transport.write(this.#headTo(dest) + JSON.stringify(body) + '}');
  }

  /**
   * Answers `req` with `body`, setting `in_reply_to` to the request's
   * `msg_id`. A message without `msg_id` asked for no reply: that is
   * logged and nothing is sent. Throws (sending nothing) if `body` cannot
   * be serialised as JSON.
   */
  reply(req: Message, body: Body): void {
    const msgId = req.body.msg_id;
    if (msgId === undefined) {
      this.log(`reply: ${JSON.stringify(req.body.type)} from ${req.src} has no msg_id, so no reply is sent`);
      return;
    }
    // Before init the node has no name yet; it answers as whom it was addressed to.
    const head = this.#nodeId !== '' ? this.#headTo(req.src) : messageHead(JSON.stringify(req.dest), req.src);
    if (body.in_reply_to === undefined) {
      // The common case, spelled out: one stringify and four concatenations.
      const json = JSON.stringify(body);
      if (isObjectJson(json)) {
        this.transport.write(head + json.slice(0, -1) + ',"in_reply_to":' + msgId + '}}');
        return;
      }
    }
    this.transport.write(head + replyJson(body, msgId) + '}');
  }

  /**
   * Sends a request and resolves with the reply body. An `error` reply
   * rejects with its `RPCError`; no reply within the timeout rejects with
   * error 0 (timeout). Either way, and on abort, the request is forgotten,
   * and a reply that arrives later is dropped.
   */
  rpc<T extends string>(dest: string, body: RequestOf<P, T> & { type: T }, options: RpcOptions = {}): Promise<ResponseOf<P, T>> {
    const signal = options.signal;
    const timeoutMs = options.timeoutMs ?? this.#rpcTimeoutMs;
    if (options.timeoutMs !== undefined) checkTimeout('timeoutMs', timeoutMs);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const msgId = this.#nextMsgId++;
    // Serialised first: a body that cannot be sent must not leave a pending call behind.
    const line = this.#headTo(dest) + requestJson(body, msgId) + '}';
    return new Promise<ResponseOf<P, T>>((resolve, reject) => {
      const pending: PendingRpc = {
        resolve: resolve as (body: Body) => void,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
      };
      if (timeoutMs !== Infinity && !this.#stopped) {
        pending.timer = this.clock.setTimer(timeoutMs, () => {
          this.#forget(msgId, pending);
          reject(RPCError.timeout(`${body.type} to ${dest} (msg_id ${msgId}) got no reply within ${timeoutMs} ms`));
        });
      }
      if (signal !== undefined) {
        pending.onAbort = () => {
          this.#forget(msgId, pending);
          reject(signal.reason);
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#rpcs.set(msgId, pending);
      this.transport.write(line);
    });
  }

  /** Runs `fn` once after `delayMs` on the node's clock. Errors it throws are logged. */
  after(delayMs: number, fn: () => unknown): Timer {
    if (this.#stopped) return NO_TIMER;
    const timer = this.clock.setTimer(delayMs, () => {
      this.#timers.delete(handle);
      this.#runTimerFn(fn);
    });
    const handle: Timer = {
      cancel: () => {
        timer.cancel();
        this.#timers.delete(handle);
      },
    };
    this.#timers.add(handle);
    return handle;
  }

  /**
   * Runs `fn` every `intervalMs` on the node's clock, first after one
   * interval, until cancelled or the node stops. An async `fn` does not
   * delay the next run.
   */
  every(intervalMs: number, fn: () => unknown): Timer {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new RangeError(`Node.every: expected intervalMs to be a finite number > 0, got ${String(intervalMs)}`);
    }
    if (this.#stopped) return NO_TIMER;
    let cancelled = false;
    const tick = (): void => {
      if (cancelled) return;
      current = this.clock.setTimer(intervalMs, tick);
      this.#runTimerFn(fn);
    };
    let current = this.clock.setTimer(intervalMs, tick);
    const handle: Timer = {
      cancel: () => {
        cancelled = true;
        current.cancel();
        this.#timers.delete(handle);
      },
    };
    this.#timers.add(handle);
    return handle;
  }

  /** Writes a diagnostic line (stderr under Maelstrom), formatted like console.log. */
  log(...args: unknown[]): void {
    this.transport.log(format(...args));
  }

  /**
   * Starts reading input. Resolves once input has closed, every timer has
   * been cancelled, pending RPCs have been forgotten and all output has
   * been flushed.
   */
  run(): Promise<void> {
    if (this.#running) throw new Error('Node.run: already running');
    this.#running = true;
    return new Promise<void>((resolve, reject) => {
      this.transport.start({
        onLine: (line) => this.#onLine(line),
        onEnd: () => this.#stop().then(resolve, reject),
      });
    });
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of [...this.#timers]) timer.cancel();
    // Rejecting would turn every un-awaited rpc into an unhandled rejection
    // at exit; no reply can arrive any more, so the requests are just dropped.
    for (const [msgId, pending] of [...this.#rpcs]) this.#forget(msgId, pending);
    await this.transport.flush();
  }

  #onLine(line: string): void {
    if (line.length === 0) return;
    if (line.length > this.#lineBytesMax) {
      this.log(`input line of ${line.length} characters skipped: longer than lineBytesMax (${this.#lineBytesMax}): ${quote(line)}`);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch (err) {
      this.#malformed(line, undefined, `not JSON: ${(err as Error).message}`);
      return;
    }
    const problem = checkMessage(msg);
    if (problem !== undefined) {
      this.#malformed(line, msg, problem);
      return;
    }
    try {
      this.#dispatch(msg as Message, line);
    } catch (err) {
      // Only a bug in the node library itself gets here; keep serving.
      this.log(`internal error handling ${quote(line)}:`, err);
    }
  }

  /** `line` is the message as received, for log lines (re-serialising what arrived may fail). */
  #dispatch(msg: Message, line: string): void {
    const body = msg.body;
    const type = body.type;
    if (body.in_reply_to !== undefined) {
      const pending = this.#rpcs.get(body.in_reply_to);
      if (pending !== undefined) {
        this.#forget(body.in_reply_to, pending);
        if (type === 'error') pending.reject(RPCError.fromBody(body));
        else pending.resolve(body);
        return;
      }
      // Nobody waits for this reply: it came too late, or answers a send().
      // A handler registered for its type may still want it; otherwise only
      // errors are worth a log line.
      if (!this.#handlers.has(type)) {
        if (type === 'error') this.log(`unexpected error reply from ${msg.src}: ${quote(line)}`);
        return;
      }
    }
    if (type === 'init') {
      this.#init(msg as Message<InitBody>);
      return;
    }
    const handler = this.#handlers.get(type);
    if (handler === undefined) {
      // An error is never answered: two nodes could bounce errors forever.
      if (body.msg_id !== undefined && type !== 'error') {
        this.#replyError(msg, RPCError.notSupported(`unsupported request type ${JSON.stringify(type)}`));
      } else {
        this.log(`no handler for message type ${JSON.stringify(type)}, ignored: ${quote(line)}`);
      }
      return;
    }
    let result: ReturnType<AnyHandler>;
    try {
      result = handler(msg);
    } catch (err) {
      this.#handlerFailed(msg, line, err);
      return;
    }
    if (result === undefined) return;
    if (result !== null && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<Body | void>).then(
        (reply) => {
          if (reply !== undefined) this.#replyResult(msg, line, reply);
        },
        (err: unknown) => this.#handlerFailed(msg, line, err),
      );
      return;
    }
    this.#replyResult(msg, line, result as Body);
  }

  #init(msg: Message<InitBody>): void {
    const body = msg.body;
    const nodeId: unknown = body.node_id;
    const nodeIds: unknown = body.node_ids;
    let problem: string | undefined;
    if (typeof nodeId !== 'string' || nodeId === '') {
      problem = `init: expected field node_id to be a non-empty string, got ${quote(JSON.stringify(nodeId) ?? 'nothing')}`;
    } else if (!Array.isArray(nodeIds) || !nodeIds.every((id) => typeof id === 'string' && id !== '')) {
      problem = `init: expected field node_ids to be an array of non-empty strings, got ${quote(JSON.stringify(nodeIds) ?? 'nothing')}`;
    } else if (!nodeIds.includes(nodeId)) {
      problem = `init: expected field node_ids to include node_id ${JSON.stringify(nodeId)}, got ${quote(JSON.stringify(nodeIds))}`;
    } else if (this.#nodeId !== '' && nodeId !== this.#nodeId) {
      // Peers address this node by its id; changing it mid-run would strand their messages.
      problem = `init: this node is already ${JSON.stringify(this.#nodeId)} and cannot become ${quote(JSON.stringify(nodeId))}`;
    }
    if (problem !== undefined) {
      this.log(problem);
      this.#replyError(msg, RPCError.malformedRequest(problem));
      return;
    }
    this.#nodeId = nodeId as string;
    this.#srcJson = JSON.stringify(nodeId);
    this.#lastDest = undefined;
    this.#nodeIds = Object.freeze([...(nodeIds as string[])]);
    if (this.#initHooks.length === 0) {
      this.reply(msg, { type: 'init_ok' });
      return;
    }
    const hooks = [...this.#initHooks];
    const runHooks = async (): Promise<void> => {
      for (const hook of hooks) await hook(msg);
    };
    runHooks().then(
      () => this.reply(msg, { type: 'init_ok' }),
      (err: unknown) => this.#handlerFailed(msg, '', err),
    );
  }

  #replyResult(req: Message, line: string, result: unknown): void {
    if (typeof result !== 'object' || result === null || typeof (result as Body).type !== 'string') {
      this.#handlerFailed(req, line, new TypeError(`handler for ${JSON.stringify(req.body.type)} returned ${quote(String(safeStringify(result)))}, expected a body with a string type`));
      return;
    }
    // A request without msg_id asked for no reply; returning one is fine.
    if (req.body.msg_id === undefined) return;
    try {
      this.reply(req, result as Body);
    } catch (err) {
      // E.g. an echo of a value nested too deeply for JSON.stringify, or a
      // body holding a BigInt or a cycle: the request still gets an answer.
      this.#handlerFailed(req, line, new TypeError(`reply could not be serialised as JSON: ${(err as Error).message}`));
    }
  }

  #handlerFailed(req: Message, line: string, err: unknown): void {
    let error: RPCError;
    if (err instanceof RPCError) {
      error = err;
    } else {
      const stack = err instanceof Error ? (err.stack ?? String(err)) : String(err);
      this.log(`handler for ${JSON.stringify(req.body.type)} crashed on ${quote(line || String(safeStringify(req)))}:\n${stack}`);
      error = RPCError.crash(err instanceof Error ? err.message : String(err));
    }
    this.#replyError(req, error);
  }

  #replyError(req: Message, error: RPCError): void {
    const msgId = req.body.msg_id;
    if (msgId === undefined) {
      this.log(`${error.name} (${error.code}) on a message without msg_id, not answered: ${error.text}`);
      return;
    }
    this.reply(req, error.toBody(msgId));
  }

  #malformed(line: string, parsed: unknown, problem: string): void {
    this.log(`malformed message skipped (${problem}): ${quote(line)}`);
    // Answer only when the line still says who asked and which request it
    // was, and never answer a reply or an error (that could loop).
    if (typeof parsed !== 'object' || parsed === null) return;
    const { src, dest, body } = parsed as Record<string, unknown>;
    if (typeof src !== 'string' || src === '' || typeof body !== 'object' || body === null) return;
    const { msg_id: msgId, in_reply_to: inReplyTo, type } = body as Record<string, unknown>;
    if (!isMessageId(msgId) || inReplyTo !== undefined || type === 'error') return;
    const from = this.#nodeId !== '' ? this.#nodeId : typeof dest === 'string' ? dest : '';
    // Before init, with no usable dest, this node has no name to answer with.
    if (from === '') return;
    const error = RPCError.malformedRequest(problem).toBody(msgId);
    this.transport.write(messageHead(JSON.stringify(from), src) + JSON.stringify(error) + '}');
  }

  /** The start of a message from this node to `dest`, up to its body. */
  #headTo(dest: string): string {
    if (dest !== this.#lastDest) {
      this.#lastDest = dest;
      this.#lastHead = messageHead(this.#srcJson, dest);
    }
    return this.#lastHead;
  }

  #forget(msgId: number, pending: PendingRpc): void {
    this.#rpcs.delete(msgId);
    pending.timer?.cancel();
    if (pending.onAbort !== undefined) pending.signal!.removeEventListener('abort', pending.onAbort);
  }

  #runTimerFn(fn: () => unknown): void {
    try {
      const result = fn();
      if (typeof (result as Promise<unknown> | undefined)?.then === 'function') {
        (result as Promise<unknown>).then(undefined, (err: unknown) => this.log('timer callback failed:', err));
      }
    } catch (err) {
      this.log('timer callback failed:', err);
    }
  }
}

/*
 * Outgoing messages are assembled as text around one JSON.stringify of the
 * body: copying a body to add in_reply_to or msg_id (`{...body, msg_id}`)
 * and stringifying the envelope object cost more than the rest of a
 * request's handling put together (see bench/node.ts).
 */


/** `{"src":<srcJson>,"dest":<dest>,"body":` — a message up to its body (which the caller closes with `}`). */
function messageHead(srcJson: string, dest: string): string {
  return '{"src":' + srcJson + ',"dest":' + JSON.stringify(dest) + ',"body":';
}

/**
 * True when `json` is an object with at least one field, so a field can be
 * added by replacing its closing brace. A body always has a type, so only
 * a toJSON returning something odd fails this.
 */
function isObjectJson(json: string | undefined): json is string {
  return json !== undefined && json.length > 2 && json.charCodeAt(json.length - 1) === 125; /* } */
}

/** `body` as JSON with `in_reply_to` set to `msgId` (added last, or replaced). */
function replyJson(body: Body, msgId: number): string {
  const current = body.in_reply_to;
  if (current === msgId) return JSON.stringify(body);
  if (current === undefined) {
    const json = JSON.stringify(body);
    if (isObjectJson(json)) return json.slice(0, -1) + ',"in_reply_to":' + msgId + '}';
  }
  return JSON.stringify({ ...body, in_reply_to: msgId });
}

/** `body` as JSON with `msg_id` set to `msgId` (added last, or replaced). */
function requestJson(body: Body, msgId: number): string {
  // Not merged with replyJson: a property read by a fixed name is much
  // cheaper than by a computed one.
  const current = body.msg_id;
  if (current === msgId) return JSON.stringify(body);
  if (current === undefined) {
    const json = JSON.stringify(body);
    if (isObjectJson(json)) return json.slice(0, -1) + ',"msg_id":' + msgId + '}';
  }
  return JSON.stringify({ ...body, msg_id: msgId });
}

function checkTimeout(field: string, value: number): void {
  if (!(value > 0)) throw new RangeError(`Node: expected ${field} to be a number > 0 (or Infinity), got ${String(value)}`);
}

/** JSON for a log line, or a note on why there is none (a cycle, a BigInt, nesting too deep). */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (err) {
    return `(not serialisable: ${(err as Error).message})`;
  }
}

function quote(text: string): string {
  return text.length <= QUOTE_CHARS ? text : `${text.slice(0, QUOTE_CHARS)}... (${text.length} chars)`;
}
