/**
 * A small in-process stand-in for a Maelstrom broadcast run, used to test
 * the broadcast protocol and to tune its profiles in virtual time: N
 * `Gossip` engines on one `VirtualClock`, Maelstrom's per-destination
 * delivery loop (constant server latency, clients undelayed, partitions
 * checked when a message is taken off the queue), Jepsen-like client load
 * (one operation every U(0, 2/rate) s plus Maelstrom's lateness, half broadcasts of 0, 1, 2, ..., half
 * reads, round-robin over one worker per node), an optional partition
 * nemesis, the recovery wait and final reads, and the set-full figures
 * (lost, stable latencies) and inter-server messages per operation.
 *
 * It is deliberately not eddy's harness (which runs real processes and
 * writes files): it exists so the broadcast node can be measured in
 * milliseconds of real time. `eddy test` remains the reference.
 */

import { VirtualClock } from '../../node/clock.js';
import { latenessMs } from '../../harness/generator.js';
import { Rng } from '../../harness/rng.js';
import { Gossip } from './gossip.js';
import type { BroadcastOptions } from './options.js';

export interface ClusterOptions {
  /** @default 25 */
  nodeCount?: number;
  /** Main phase length. @default 20 */
  timeLimitS?: number;
  /** Client operations per second, cluster-wide. @default 100 */
  rateHz?: number;
  /** Constant inter-server delay. @default 100 */
  latencyMs?: number;
  /** Run Maelstrom's partition nemesis. @default false */
  partition?: boolean;
  /** Mean seconds between nemesis events. @default 10 */
  nemesisIntervalS?: number;
  /** Wait between healing and the final reads. @default 10 */
  recoveryS?: number;
  /** @default 1 */
  seed?: number;
  /**
   * Strength of the model of Maelstrom's late wake-ups (eddy's `--lateness`,
   * harness/generator.ts `latenessMs`): 1 issues about 0.85 x rate x time
   * operations at rate 100 as Maelstrom does, 0 the ideal rate x time.
   * @default 1
   */
  lateness?: number;
  /** Scripted partitions instead of the nemesis: [startS, endS, isolated nodes]. */
  script?: Array<{ startS: number; endS: number; isolate: string[] }>;
  /** Values to broadcast instead of 0, 1, 2, ... (cycled, for non-integer tests). */
  values?: (i: number) => unknown;
  /** Callbacks run at the given virtual times with the engines, to look inside mid-run. */
  probes?: Array<{ atS: number; fn: (engines: readonly Gossip[]) => void }>;
}

export interface ClusterResult {
  opCount: number;
  broadcastCount: number;
  serverMsgCount: number;
  msgsPerOp: number;
  lostCount: number;
  lost: unknown[];
  stableCount: number;
  neverReadCount: number;
  /** Quantiles 0, 0.5, 0.95, 0.99, 1 of stable latency, ms (Jepsen's indexing). */
  stableLatenciesMs: { 0: number; 0.5: number; 0.95: number; 0.99: number; 1: number };
  /** Values that some read returned more than once. */
  duplicatedCount: number;
  /** Most entries carried by any one inter-server message. */
  maxEntriesSeen: number;
  finalReads: unknown[][];
  engines: Gossip[];
}

interface Queued {
  deadline: number;
  seq: number;
  src: string;
  deliver: () => void;
}

interface ReadRecord {
  invokeMs: number;
  index: number;
  node: number;
  values: Set<string>;
}

/** Runs one simulated test. Pure function of its options. */
export async function runCluster(opts: BroadcastOptions, co: ClusterOptions = {}): Promise<ClusterResult> {
  const n = co.nodeCount ?? 25;
  const timeLimitMs = (co.timeLimitS ?? 20) * 1000;
  const rateHz = co.rateHz ?? 100;
  const latencyMs = co.latencyMs ?? 100;
  const recoveryMs = (co.recoveryS ?? 10) * 1000;
  const rng = new Rng(co.seed ?? 1);
  const opRng = rng.fork('ops');
  const nemRng = rng.fork('nemesis');
  const lateRng = rng.fork('lateness');
  const lateness = co.lateness ?? 1;
  const valueOf = co.values ?? ((i: number) => i);
  const clock = new VirtualClock();
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);

  // Maelstrom's delivery loop, one per destination node.
  let seq = 0;
  let serverMsgCount = 0;
  let maxEntriesSeen = 0;
  let grudge = new Map<string, Set<string>>();
  const queues = new Map<string, Queued[]>();
  const busy = new Set<string>();
  const pump = (dest: string): void => {
    if (busy.has(dest)) return;
    const q = queues.get(dest)!;
    for (;;) {
      if (q.length === 0) return;
      let best = 0;
      for (let i = 1; i < q.length; i++) {
        const a = q[i]!;
        const b = q[best]!;
        if (a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)) best = i;
      }
      const head = q.splice(best, 1)[0]!;
      if (grudge.get(dest)?.has(head.src)) continue;
      busy.add(dest);
      clock.setTimer(Math.max(0, head.deadline - clock.now()), () => {
        busy.delete(dest);
        head.deliver();
        pump(dest);
      });
      return;
    }
  };
  const enqueue = (dest: string, src: string, delayMs: number, deliver: () => void): void => {
    queues.get(dest)!.push({ deadline: clock.now() + delayMs, seq: seq++, src, deliver });
    pump(dest);
  };

  const engines: Gossip[] = ids.map((id) => {
    queues.set(id, []);
    return new Gossip(opts, ids, id, {
      send: (dest, body) => {
        serverMsgCount++;
        if ((body.e?.length ?? 0) > maxEntriesSeen) maxEntriesSeen = body.e!.length;
        // Serialise, as the wire would: the receiver must not share the sender's arrays.
        const line = JSON.stringify(body);
        enqueue(dest, id, latencyMs, () => engines[ids.indexOf(dest)]!.receive(id, JSON.parse(line)));
      },
      now: () => clock.now(),
      setTimer: (delayMs, fn) => clock.setTimer(delayMs, fn),
    });
  });

  // Client load.
  const knownMs = new Map<string, number>();
  const valueByKey = new Map<string, unknown>();
  const reads: ReadRecord[] = [];
  const finalReads: unknown[][] = [];
  let duplicatedCount = 0;
  let opCount = 0;
  let broadcastCount = 0;
  let opIndex = 0;
  let rotor = 0;
  const workerBusy = new Array<boolean>(n).fill(false);

  const invoke = (worker: number, isBroadcast: boolean, final: boolean): void => {
    opCount++;
    workerBusy[worker] = true;
    const node = worker % n;
    const invokeMs = clock.now();
    const index = opIndex++;
    if (isBroadcast) {
      const value = valueOf(broadcastCount++);
      const key = JSON.stringify(value);
      valueByKey.set(key, value);
      enqueue(ids[node]!, 'client', 0, () => {
        engines[node]!.broadcast(JSON.parse(key));
        if (!knownMs.has(key)) knownMs.set(key, clock.now());
        workerBusy[worker] = false;
      });
    } else {
      enqueue(ids[node]!, 'client', 0, () => {
        const got = engines[node]!.read();
        const keys = got.map((v) => JSON.stringify(v));
        const set = new Set(keys);
        if (set.size !== keys.length) duplicatedCount++;
        reads.push({ invokeMs, index, node, values: set });
        if (final) finalReads.push(got);
        workerBusy[worker] = false;
      });
    }
  };

  let nextOpMs = 0;
  const scheduleOp = (): void => {
    const gapMs = opRng.float() * (2000 / rateHz);
    nextOpMs += gapMs + latenessMs(gapMs, lateness, lateRng);
    if (nextOpMs >= timeLimitMs) return;
    clock.setTimer(nextOpMs - clock.now(), () => {
      for (let k = 0; k < n; k++) {
        const w = (rotor + k) % n;
        if (!workerBusy[w]) {
          invoke(w, opRng.float() < 0.5, false);
          break;
        }
      }
      rotor = (rotor + 1) % n;
      scheduleOp();
    });
  };
  scheduleOp();

  // Partitions.
  const isolate = (group: string[]): void => {
    const inside = new Set(group);
    grudge = new Map();
    for (const id of ids) {
      const mine = inside.has(id);
      grudge.set(id, new Set(ids.filter((o) => inside.has(o) !== mine)));
    }
  };
  if (co.script !== undefined) {
    for (const p of co.script) {
      clock.setTimer(p.startS * 1000, () => isolate(p.isolate));
      clock.setTimer(p.endS * 1000, () => (grudge = new Map()));
    }
  } else if (co.partition) {
    const intervalMs = (co.nemesisIntervalS ?? 10) * 1000;
    let t = 0;
    let start = true;
    for (;;) {
      t += nemRng.float() * 2 * intervalMs;
      if (t >= timeLimitMs) break;
      const doStart = start;
      clock.setTimer(t, () => {
        if (!doStart) {
          grudge = new Map();
          return;
        }
        const shuffled = nemRng.shuffle(ids);
        const kind = nemRng.int(3);
        const size = kind === 0 ? 1 : kind === 1 ? Math.floor((n - 1) / 3) : Math.floor(n / 2);
        isolate(shuffled.slice(0, Math.max(1, size)));
      });
      start = !start;
    }
  }
  for (const p of co.probes ?? []) clock.setTimer(p.atS * 1000, () => p.fn(engines));
  clock.setTimer(timeLimitMs, () => (grudge = new Map()));
  clock.setTimer(timeLimitMs + recoveryMs, () => {
    for (let w = 0; w < n; w++) invoke(w, false, true);
  });

  await clock.run({ untilMs: timeLimitMs + recoveryMs + 5000 });
  for (const e of engines) e.stop();

  // Jepsen's set-full, by invocation order of reads.
  const latencies: number[] = [];
  const lost: unknown[] = [];
  let stableCount = 0;
  let neverReadCount = 0;
  for (const [key, known] of knownMs) {
    let lastPresent: ReadRecord | undefined;
    let lastAbsent: ReadRecord | undefined;
    for (const r of reads) {
      if (r.values.has(key)) {
        if (lastPresent === undefined || r.index > lastPresent.index) lastPresent = r;
      } else if (r.invokeMs >= known - 0 && (lastAbsent === undefined || r.index > lastAbsent.index)) {
        lastAbsent = r;
      }
    }
    if (lastPresent !== undefined && (lastAbsent === undefined || lastAbsent.index < lastPresent.index)) {
      stableCount++;
      latencies.push(lastAbsent === undefined ? 0 : Math.max(0, lastAbsent.invokeMs - known));
    } else if (lastAbsent !== undefined) {
      lost.push(valueByKey.get(key));
    } else {
      neverReadCount++;
    }
  }
  latencies.sort((a, b) => a - b);
  const q = (x: number): number => (latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * x))]!);
  return {
    opCount,
    broadcastCount,
    serverMsgCount,
    msgsPerOp: serverMsgCount / Math.max(1, opCount),
    lostCount: lost.length,
    lost,
    stableCount,
    neverReadCount,
    stableLatenciesMs: { 0: q(0), 0.5: q(0.5), 0.95: q(0.95), 0.99: q(0.99), 1: q(1) },
    duplicatedCount,
    maxEntriesSeen,
    finalReads,
    engines,
  };
}
