/**
 * Synthetic run directories for the viz, serve and e2e tests: a small,
 * deterministic broadcast run written in the harness's file formats
 * (history.jsonl, journal.jsonl, results.json, test.json, node-logs/), with
 * init and topology exchanges, client operations, gossip between servers,
 * messages dropped during a nemesis partition, one timed-out read and one
 * indeterminate broadcast. The generator also returns what the journal
 * holds, so tests can check the pictures against it.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/harness/rng.js';
import { HISTORY_ORIGIN_KEY, type Body, type JournalEvent, type Op } from '../src/harness/types.js';

export interface FixtureOptions {
  /** @default 5 */
  nodeCount?: number;
  /** Client operations in the main phase. @default 40 */
  opCount?: number;
  /** @default 7 */
  seed?: number;
  /** Server-to-server delay. @default 20 */
  latencyMs?: number;
  /** Whether to partition (and drop gossip) in the middle of the run. @default true */
  partition?: boolean;
  /** results.json "valid?" (true, false or "unknown"); null writes no results.json. @default true */
  valid?: boolean | 'unknown' | null;
  /** @default 'broadcast' */
  workload?: string;
}

export interface FixtureRun {
  dir: string;
  journal: JournalEvent[];
  history: Op[];
  /** Server node ids, n0.. */
  nodes: string[];
  /** Ids of messages sent and never received. */
  droppedIds: number[];
  /** Receipts, excluding init/init_ok (which the diagram leaves out). */
  deliveredCount: number;
  /** Every endpoint that appears in a non-init message. */
  drawnEndpoints: string[];
  /** Body types of delivered non-init messages. */
  deliveredTypes: Set<string>;
}

const MS = 1e6;

/** Writes a synthetic run into `dir` (created) and returns what it holds. */
export function writeFixtureRun(dir: string, options: FixtureOptions = {}): FixtureRun {
  const nodeCount = options.nodeCount ?? 5;
  const opCount = options.opCount ?? 40;
  const latencyMs = options.latencyMs ?? 20;
  const partition = options.partition ?? true;
  const workload = options.workload ?? 'broadcast';
  const rng = new Rng(options.seed ?? 7);
  const nodes = Array.from({ length: nodeCount }, (_, i) => `n${i}`);
  const journal: JournalEvent[] = [];
  const history: Op[] = [];
  let nextId = 0;
  let nextClient = 0;
  let timeNs = 0;
  // Deliveries scheduled for later, kept sorted by time.
  const inFlight: { atNs: number; ev: JournalEvent }[] = [];

  const send = (src: string, dest: string, body: Body, delayMs: number, drop = false): void => {
    const message = { id: nextId++, src, dest, body };
    journal.push({ type: 'send', time: timeNs, message });
    if (!drop) inFlight.push({ atNs: timeNs + delayMs * MS, ev: { type: 'recv', time: 0, message } });
  };
  const deliverUntil = (ns: number): void => {
    inFlight.sort((a, b) => a.atNs - b.atNs);
    while (inFlight.length > 0 && (inFlight[0] as { atNs: number }).atNs <= ns) {
      const { atNs, ev } = inFlight.shift() as { atNs: number; ev: JournalEvent };
      timeNs = Math.max(timeNs, atNs);
      journal.push({ ...ev, time: timeNs });
    }
    timeNs = Math.max(timeNs, ns);
  };

  // Setup: the nodes take 0.8 s to boot, then init and topology from short-lived clients.
  timeNs = 800 * MS;
  for (const node of nodes) {
    const c = `c${nextClient++}`;
    send(c, node, { type: 'init', msg_id: 1, node_id: node, node_ids: nodes }, 0);
    deliverUntil(timeNs + 0.2 * MS);
    send(node, c, { type: 'init_ok', in_reply_to: 1 }, 0);
    deliverUntil(timeNs + 0.1 * MS);
  }
  // History time 0 is when every node has answered init (Jepsen's relative time); the journal counts from the start.
  const originNs = timeNs;
  const neighbours = (node: string): string[] => {
    const i = nodes.indexOf(node);
    return [nodes[i - 1], nodes[i + 1]].filter((n): n is string => n !== undefined);
  };
  for (const node of nodes) {
    const c = `c${nextClient++}`;
    send(c, node, { type: 'topology', msg_id: 1, topology: Object.fromEntries(nodes.map((n) => [n, neighbours(n)])) }, 0);
    deliverUntil(timeNs + 0.2 * MS);
    send(node, c, { type: 'topology_ok', in_reply_to: 1 }, 0);
    deliverUntil(timeNs + 0.1 * MS);
  }

  // Main phase: one worker per node, sequential operations.
  const workers = nodes.map((node, i) => ({ node, client: `c${nextClient++}`, process: i, msgId: 1 }));
  const seen = new Map<string, Set<number>>(nodes.map((n) => [n, new Set<number>()]));
  const op = (o: Omit<Op, 'index' | 'time'>): void => {
    history.push({ index: history.length, time: timeNs - originNs, ...o } as Op);
  };
  const partitionFrom = Math.floor(opCount / 3);
  const partitionTo = Math.floor((2 * opCount) / 3);
  const isolated = nodes[nodes.length - 1] as string;
  let partitioned = false;
  let nextValue = 0;
  for (let k = 0; k < opCount; k++) {
    deliverUntil(timeNs + 50 * MS);
    if (partition && k === partitionFrom) {
      // Jepsen records nemesis invocations as info too.
      op({ process: 'nemesis', type: 'info', f: 'start-partition', value: 'one' });
      partitioned = true;
      op({ process: 'nemesis', type: 'info', f: 'start-partition', value: [`isolated ${isolated}`] });
    }
    if (partition && k === partitionTo) {
      op({ process: 'nemesis', type: 'info', f: 'stop-partition', value: null });
      partitioned = false;
      op({ process: 'nemesis', type: 'info', f: 'stop-partition', value: 'fully-connected' });
    }
    const w = workers[k % workers.length] as (typeof workers)[number];
    const isBroadcast = rng.float() < 0.5;
    if (k === 7) {
      // A read whose reply never comes: the client times out.
      op({ process: w.process, type: 'invoke', f: 'read', value: null });
      send(w.client, w.node, { type: 'read', msg_id: w.msgId++ }, 0, true);
      deliverUntil(timeNs + 5000 * MS);
      op({ process: w.process, type: 'fail', f: 'read', value: null, error: 'timeout' });
      continue;
    }
    if (isBroadcast) {
      const value = nextValue++;
      op({ process: w.process, type: 'invoke', f: 'broadcast', value });
      send(w.client, w.node, { type: 'broadcast', msg_id: w.msgId, message: value }, 0);
      deliverUntil(timeNs + 0.3 * MS);
      (seen.get(w.node) as Set<number>).add(value);
      // Gossip to every other server; during the partition, nothing reaches or leaves the isolated node.
      for (const other of nodes) {
        if (other === w.node) continue;
        const drop = partitioned && (other === isolated || w.node === isolated);
        send(w.node, other, { type: 'gossip', msg_id: 1000 + nextId, messages: [value] }, latencyMs + rng.int(5), drop);
        if (!drop) (seen.get(other) as Set<number>).add(value);
      }
      send(w.node, w.client, { type: 'broadcast_ok', in_reply_to: w.msgId++ }, 0);
      deliverUntil(timeNs + 0.2 * MS);
      if (k === 11) {
        // The client gives up on this one before the reply: indeterminate.
        op({ process: w.process, type: 'info', f: 'broadcast', value, error: 'timeout' });
        w.process += nodes.length;
        w.client = `c${nextClient++}`;
      } else {
        op({ process: w.process, type: 'ok', f: 'broadcast', value });
      }
    } else {
      op({ process: w.process, type: 'invoke', f: 'read', value: null });
      send(w.client, w.node, { type: 'read', msg_id: w.msgId }, 0);
      deliverUntil(timeNs + 0.3 * MS);
      const messages = [...(seen.get(w.node) as Set<number>)].sort((a, b) => a - b);
      send(w.node, w.client, { type: 'read_ok', in_reply_to: w.msgId++, messages }, 0);
      deliverUntil(timeNs + 0.2 * MS);
      op({ process: w.process, type: 'ok', f: 'read', value: messages });
    }
  }
  deliverUntil(timeNs + 1000 * MS);

  // Results in Maelstrom's shape.
  const clientOps = history.filter((o) => typeof o.process === 'number' && o.type === 'invoke').length;
  const recvIds = new Set(journal.filter((e) => e.type === 'recv').map((e) => e.message.id));
  const droppedIds = journal.filter((e) => e.type === 'send' && !recvIds.has(e.message.id)).map((e) => e.message.id);
  const msgCount = nextId;
  mkdirSync(join(dir, 'node-logs'), { recursive: true });
  const valid = options.valid === undefined ? true : options.valid;
  if (valid !== null) {
    const results = {
      'valid?': valid,
      workload: {
        'valid?': valid,
        'attempt-count': nextValue,
        'stable-count': nextValue,
        'lost-count': valid === false ? 2 : 0,
        lost: valid === false ? [3, 4] : [],
        'stable-latencies': { '0': 0, '0.5': 12, '0.95': 40, '0.99': 45, '1': 50 },
      },
      stats: { 'valid?': true, count: clientOps, 'ok-count': clientOps - 2, 'fail-count': 1, 'info-count': 1 },
      net: {
        stats: {
          all: { 'send-count': journal.length - recvIds.size, 'recv-count': recvIds.size, 'msg-count': msgCount, 'msgs-per-op': msgCount / clientOps },
          clients: { 'send-count': 0, 'recv-count': 0, 'msg-count': 0 },
          servers: { 'send-count': 0, 'recv-count': 0, 'msg-count': 0, 'msgs-per-op': 3.25 },
        },
        'valid?': true,
      },
      // eddy's figure of operations issued against --rate 10 x --time-limit 20 (test.json below).
      'op-rate': { 'main-ops': clientOps, 'all-ops': clientOps, rate: 10, 'time-limit-s': 20, 'rate-achieved': clientOps / 20, ratio: clientOps / 200, schedule: 'maelstrom', lateness: 1, 'msgs-per-op': 3.25 },
    };
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  }
  writeFileSync(
    join(dir, 'test.json'),
    JSON.stringify(
      {
        workload,
        bin: 'bin/eddy-broadcast',
        nodeCount,
        timeLimitS: 20,
        rateHz: 10,
        concurrency: '1n',
        latencyMs,
        latencyDist: 'constant',
        topology: 'grid',
        nemesis: partition ? ['partition'] : [],
        seed: options.seed ?? 7,
        [HISTORY_ORIGIN_KEY]: originNs,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, 'history.jsonl'), history.map((o) => JSON.stringify(o)).join('\n') + '\n');
  writeFileSync(join(dir, 'journal.jsonl'), journal.map((e) => JSON.stringify(e)).join('\n') + '\n');
  for (const node of nodes) writeFileSync(join(dir, 'node-logs', `${node}.log`), `${node} started\n${node} <script>alert(1)</script> done\n`);

  const drawn = journal.filter((e) => e.message.body.type !== 'init' && e.message.body.type !== 'init_ok');
  return {
    dir,
    journal,
    history,
    nodes,
    droppedIds,
    deliveredCount: drawn.filter((e) => e.type === 'recv').length,
    drawnEndpoints: [...new Set(drawn.flatMap((e) => [e.message.src, e.message.dest]))],
    deliveredTypes: new Set(drawn.filter((e) => e.type === 'recv').map((e) => e.message.body.type)),
  };
}

/** A store with runs of several verdicts, `latest` pointing at the newest. Returns their relative paths, oldest first. */
export function writeFixtureStore(store: string): string[] {
  const runs: [string, FixtureOptions][] = [
    ['broadcast/20261124T090000.000Z', { valid: true, seed: 1 }],
    ['broadcast/20261124T091500.000Z', { valid: false, seed: 2, nodeCount: 4 }],
    ['broadcast/20261124T093000.000Z', { valid: null, seed: 3, partition: false }],
  ];
  for (const [rel, opts] of runs) writeFixtureRun(join(store, rel), opts);
  symlinkSync(runs[runs.length - 1]![0], join(store, 'latest'));
  return runs.map(([rel]) => rel);
}
