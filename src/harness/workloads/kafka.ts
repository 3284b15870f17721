/**
 * Maelstrom's kafka workload (workload/kafka.clj over Jepsen's
 * tests/kafka.clj, Gossip Glomers 5a-5c): clients `send` messages to string
 * keys and get offsets back, `poll` from their local positions and commit
 * what they read, and now and then `assign` themselves keys (fetching the
 * committed offsets) or `crash` (a fresh client with empty positions). After
 * recovery every client crashes once, assigns every key seen with seek to
 * the beginning and polls until it has caught up with the highest offsets
 * the run produced, for at most 10 s. The checker is checker/kafka.ts.
 *
 * History values: send `[["send", k, msg]]`, ok `[["send", k, [offset,
 * msg]]]`; poll `[["poll"]]`, ok `[["poll", {k: [[offset, msg], ...]}]]`;
 * assign: the list of keys; crash: null.
 */
import { renderKafkaOrders } from '../../viz/kafka-orders.js';
import { checkKafka } from '../checker/kafka.js';
import type { Rng } from '../rng.js';
import type { Body } from '../types.js';
import { availabilityFigure, netFigure, workloadNumber } from './figures.js';
import {
  failureCompletion,
  malformedReply,
  type CompletionEvent,
  type Completion,
  type Conn,
  type Draw,
  type DrawContext,
  type FinalGenerator,
  type MainGenerator,
  type OpSpec,
  type Workload,
  type WorkloadDef,
} from './workload.js';

/** Jepsen's `:sub-p`: the chance an operation becomes an assign. */
const ASSIGN_P = 1 / 64;
/** The chance an assign also lists the keys with acknowledged but unseen sends. */
const UNSEEN_ASSIGN_P = 1 / 3;
/** Each client crashes about this often (Jepsen's `:crash-client-interval`). */
const CRASH_INTERVAL_S = 30;
/** Final polls are staggered by U[0, 2 × 0.2 s). */
const FINAL_POLL_STAGGER_MS = 200;
/** Maelstrom cuts the final phase 10 s after its first operation. */
const FINAL_CUTOFF_MS = 10_000;

type Positions = Map<string, number>;

/** key → highest offset, from an ok completion's value (Jepsen's `op->max-offsets`, split). */
function maxPollOffsets(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const mop of Array.isArray(value) ? value : []) {
    if (!Array.isArray(mop) || mop[0] !== 'poll' || typeof mop[1] !== 'object' || mop[1] === null) continue;
    for (const [k, pairs] of Object.entries(mop[1] as Record<string, unknown>)) {
      let max = out.get(k) ?? -1;
      for (const p of Array.isArray(pairs) ? pairs : []) if (Array.isArray(p) && typeof p[0] === 'number' && p[0] > max) max = p[0];
      out.set(k, max);
    }
  }
  return out;
}

function maxSendOffsets(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const mop of Array.isArray(value) ? value : []) {
    if (!Array.isArray(mop) || mop[0] !== 'send' || !Array.isArray(mop[2]) || typeof mop[2][0] !== 'number') continue;
    const k = String(mop[1]);
    out.set(k, Math.max(out.get(k) ?? 0, mop[2][0]));
  }
  return out;
}

function mergeMax(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, o] of from) into.set(k, Math.max(into.get(k) ?? -Infinity, o));
}

/**
 * The main phase: Elle's list-append generator with one micro-op per
 * transaction (keys drawn exponentially from a sliding window of active
 * keys, each key retired after `--max-writes-per-key` sends), occasional
 * assigns (sometimes of the keys with unseen sends), and a crash stream
 * with its own stagger of 30 s / concurrency that takes a slot of the
 * global stagger when due.
 */
export class KafkaGenerator implements MainGenerator {
  readonly #maxWrites: number;
  readonly #active: number[];
  readonly #writes = new Map<number, number>();
  #nextKey: number;
  /** When the next crash is due, ms since the main phase began (the first at once). */
  #crashDueMs = 0;
  /** Jepsen's `PollUnseen`: highest offsets sent and polled per key, for keys not caught up. */
  readonly #sent = new Map<string, number>();
  readonly #polled = new Map<string, number>();
  /** Highest offset seen per key (ok sends and polls): the final phase's targets. */
  readonly targets = new Map<string, number>();

  constructor(keyCount: number, maxWritesPerKey: number) {
    this.#active = Array.from({ length: keyCount }, (_, i) => i);
    this.#nextKey = keyCount;
    this.#maxWrites = maxWritesPerKey;
  }

  draw(ctx: DrawContext): Draw {
    if (ctx.nowMs >= this.#crashDueMs) {
      this.#crashDueMs = ctx.nowMs + Math.floor(ctx.rng.float() * 2 * (CRASH_INTERVAL_S / ctx.workerCount) * 1e9) / 1e6;
      return { worker: ctx.defaultWorker, f: 'crash', value: null };
    }
    const op = this.#txn(ctx.rng);
    if (ctx.rng.float() < ASSIGN_P) {
      const keys = [op.key];
      if (ctx.rng.float() < UNSEEN_ASSIGN_P && this.#sent.size > 0) {
        for (const k of this.#sent.keys()) if (!keys.includes(k)) keys.push(k);
      }
      return { worker: ctx.defaultWorker, f: 'assign', value: keys };
    }
    if (op.write === null) return { worker: ctx.defaultWorker, f: 'poll', value: [['poll']] };
    return { worker: ctx.defaultWorker, f: 'send', value: [['send', op.key, op.write]] };
  }

  /** One micro-op: a read or a write, its key drawn with probability 2^i / (2^K - 1) for window position i. */
  #txn(rng: Rng): { key: string; write: number | null } {
    for (;;) {
      const write = rng.int(2) === 0;
      const i = this.#position(rng);
      const key = this.#active[i]!;
      if (!write) return { key: String(key), write: null };
      const n = this.#writes.get(key) ?? 0;
      if (n >= this.#maxWrites) {
        this.#active[i] = this.#nextKey++;
        continue;
      }
      this.#writes.set(key, n + 1);
      return { key: String(key), write: n + 1 };
    }
  }

  #position(rng: Rng): number {
    const k = this.#active.length;
    // For large windows 2^K loses precision; the top positions carry all the weight anyway.
    const total = Math.pow(2, k) - 1;
    const r = rng.float() * total;
    let acc = 0;
    for (let i = 0; i < k; i++) {
      acc += Math.pow(2, i);
      if (r < acc) return i;
    }
    return k - 1;
  }

  update(ev: CompletionEvent): void {
    if (ev.complete.type !== 'ok') return;
    const sends = maxSendOffsets(ev.complete.value);
    const polls = ev.complete.f === 'poll' ? maxPollOffsets(ev.complete.value) : new Map<string, number>();
    mergeMax(this.targets, sends);
    mergeMax(this.targets, polls);
    mergeMax(this.#sent, sends);
    mergeMax(this.#polled, polls);
    for (const k of new Set([...this.#sent.keys(), ...this.#polled.keys()])) {
      if ((this.#polled.get(k) ?? -1) >= (this.#sent.get(k) ?? -1)) {
        this.#sent.delete(k);
        this.#polled.delete(k);
      }
    }
  }
}

/**
 * The final phase, per worker: crash, assign every target key with seek to
 * the beginning, then poll (staggered) until this worker's own ok polls
 * reached every target offset.
 */
export class KafkaFinal implements FinalGenerator {
  readonly cutoffMs = FINAL_CUTOFF_MS;
  readonly #targets: Map<string, number>;
  readonly #workers = new Map<number, { step: number; remaining: Map<string, number>; dueMs: number }>();

  constructor(targets: Map<string, number>) {
    this.#targets = targets;
  }

  next(ctx: { rng: Rng; nowMs: number; worker: number }): OpSpec | { waitMs: number } | { done: true } {
    let w = this.#workers.get(ctx.worker);
    if (w === undefined) this.#workers.set(ctx.worker, (w = { step: 0, remaining: new Map(this.#targets), dueMs: 0 }));
    if (w.remaining.size === 0) return { done: true };
    if (w.step === 0) {
      w.step = 1;
      return { f: 'crash', value: null };
    }
    if (w.step === 1) {
      w.step = 2;
      return { f: 'assign', value: [...this.#targets.keys()] };
    }
    if (ctx.nowMs < w.dueMs) return { waitMs: w.dueMs - ctx.nowMs };
    w.dueMs = ctx.nowMs + Math.floor(ctx.rng.float() * 2 * FINAL_POLL_STAGGER_MS * 1e6) / 1e6;
    return { f: 'poll', value: [['poll']] };
  }

  update(ev: CompletionEvent): void {
    if (ev.complete.type !== 'ok' || ev.complete.f !== 'poll') return;
    const w = this.#workers.get(ev.worker);
    if (w === undefined) return;
    for (const [k, o] of maxPollOffsets(ev.complete.value)) {
      if ((w.remaining.get(k) ?? -1) <= o) w.remaining.delete(k);
    }
  }
}

/** Fields a reply may carry besides its own (Maelstrom's closed schemas). */
const ENVELOPE_FIELDS = new Set(['type', 'in_reply_to', 'msg_id']);

/** The reply's problem against a closed schema, or null when it fits. */
function shapeProblem(body: Body, type: string, fields: Record<string, (v: unknown) => boolean>): string | null {
  if (body.type !== type) return `type ${JSON.stringify(body.type)}`;
  for (const [name, ok] of Object.entries(fields)) if (!(name in body) || !ok(body[name])) return `field ${name}`;
  for (const name of Object.keys(body)) if (!ENVELOPE_FIELDS.has(name) && !(name in fields)) return `extra field ${name}`;
  return null;
}

const isOffset = (v: unknown): boolean => Number.isInteger(v);
const isOffsetMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isOffset);
const isMsgs = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((pairs) => Array.isArray(pairs) && pairs.every((p) => Array.isArray(p) && p.length === 2 && isOffset(p[0])));

export class KafkaWorkload implements Workload {
  readonly generator: KafkaGenerator;
  readonly final: KafkaFinal;
  readonly reusableClient = false;
  readonly rpcTimeoutMs = null;
  readonly workerChoice = 'round-robin' as const;

  constructor(keyCount: number, maxWritesPerKey: number) {
    this.generator = new KafkaGenerator(keyCount, maxWritesPerKey);
    this.final = new KafkaFinal(this.generator.targets);
  }

  async setup(): Promise<void> {}

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    const positions: Positions = (conn.state as Positions | undefined) ?? new Map();
    conn.state = positions;
    const { client, node, timeoutMs } = conn;
    const body = (r: { kind: string; body?: Body }): Body => (r.kind === 'reply' ? r.body! : { type: '?' });
    switch (op.f) {
      case 'crash':
        return { type: 'info', value: op.value };
      case 'assign': {
        const keys = (op.value as unknown[]).map(String);
        if (conn.final) {
          // seek-to-beginning: every listed key from 0, no RPC.
          positions.clear();
          for (const k of keys) positions.set(k, 0);
          return { type: 'ok', value: op.value };
        }
        const r = await client.rpc(node, { type: 'list_committed_offsets', keys }, timeoutMs);
        const failed = failureCompletion(r, op, true);
        if (failed !== null) return failed;
        const b = body(r);
        if (shapeProblem(b, 'list_committed_offsets_ok', { offsets: isOffsetMap }) !== null) {
          return malformedReply(op, 'a list_committed_offsets_ok with offsets: {key: integer}', b, node);
        }
        const committed = b['offsets'] as Record<string, number>;
        const next = new Map<string, number>();
        for (const k of keys) next.set(k, positions.get(k) ?? committed[k] ?? 0);
        positions.clear();
        for (const [k, o] of next) positions.set(k, o);
        return { type: 'ok', value: op.value };
      }
      case 'send': {
        const [[, key, msg]] = op.value as [[string, string, unknown]];
        const r = await client.rpc(node, { type: 'send', key, msg }, timeoutMs);
        const failed = failureCompletion(r, op, false);
        if (failed !== null) return failed;
        const b = body(r);
        if (shapeProblem(b, 'send_ok', { offset: isOffset }) !== null) return malformedReply(op, 'a send_ok with an integer offset', b, node);
        return { type: 'ok', value: [['send', key, [b['offset'], msg]]] };
      }
      case 'poll': {
        const r = await client.rpc(node, { type: 'poll', offsets: Object.fromEntries(positions) }, timeoutMs);
        const failed = failureCompletion(r, op, false);
        if (failed !== null) return failed;
        const b = body(r);
        if (shapeProblem(b, 'poll_ok', { msgs: isMsgs }) !== null) {
          return malformedReply(op, 'a poll_ok with msgs: {key: [[offset, msg], ...]}', b, node);
        }
        const msgs = b['msgs'] as Record<string, [number, unknown][]>;
        const commit: Record<string, number> = {};
        let any = false;
        for (const [k, pairs] of Object.entries(msgs)) {
          let max = -1;
          for (const [o] of pairs) {
            if (o > max) max = o;
            commit[k] = Math.max(commit[k] ?? 0, o);
            any = true;
          }
          positions.set(k, Math.max(positions.get(k) ?? -Infinity, max + 1));
        }
        if (any) {
          const c = await client.rpc(node, { type: 'commit_offsets', offsets: commit }, timeoutMs);
          const cf = failureCompletion(c, op, false);
          if (cf !== null) return cf;
          const cb = body(c);
          if (shapeProblem(cb, 'commit_offsets_ok', {}) !== null) return malformedReply(op, 'a commit_offsets_ok', cb, node);
        }
        return { type: 'ok', value: [['poll', msgs]] };
      }
      default:
        throw new Error(`kafka workload cannot invoke f=${op.f}`);
    }
  }
}

/** Keys named by any error entry of a kafka result, in order of first appearance. */
export function keysWithErrors(results: Record<string, unknown>): string[] {
  const w = results['workload'];
  if (typeof w !== 'object' || w === null) return [];
  const keys = new Set<string>();
  for (const type of ((w as Record<string, unknown>)['error-types'] as string[] | undefined) ?? []) {
    const entry = (w as Record<string, unknown>)[type] as { errs?: unknown[]; unseen?: Record<string, number> } | undefined;
    if (entry === undefined) continue;
    if (type === 'unseen') for (const k of Object.keys(entry.unseen ?? {})) keys.add(k);
    for (const e of Array.isArray(entry.errs) ? entry.errs : []) {
      if (typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string') keys.add((e as { key: string }).key);
      const steps = (e as { steps?: { key?: unknown }[] }).steps;
      if (Array.isArray(steps)) for (const s of steps) if (typeof s.key === 'string') keys.add(s.key);
    }
  }
  return [...keys];
}

export const kafka: WorkloadDef = {
  name: 'kafka',
  summary: 'Replicated logs: send/poll/commit_offsets/list_committed_offsets, checked for lost, skipped, duplicate and inconsistent offsets.',
  challenge: '5a-5c',
  ops: ['send', 'poll', 'assign', 'crash'],
  flags: ['key-count', 'max-writes-per-key'],
  create: (o) => new KafkaWorkload(o.keyCount ?? 10, o.maxWritesPerKey),
  check: ({ history }) => ({ workload: checkKafka(history), strict: null }),
  defaultNode: { module: 'kafka/index.js', bin: 'eddy-kafka' },
  figures: [
    {
      label: 'bad errors',
      better: 'lower',
      value: (r) => {
        const w = r['workload'] as Record<string, unknown> | undefined;
        const bad = w?.['bad-error-types'];
        return Array.isArray(bad) ? bad.length : null;
      },
    },
    netFigure,
    availabilityFigure,
    { label: 'lag s', better: 'lower', digits: 3, value: (r) => workloadNumber(r, 'worst-realtime-lag', 'lag') },
  ],
  pictures: ({ history, results }) =>
    keysWithErrors(results)
      .slice(0, 16)
      .map((k) => ({ file: `orders/${encodeURIComponent(k)}.svg`, title: `Offsets of key ${k} as each process polled them`, text: renderKafkaOrders(history, k, results) })),
};
