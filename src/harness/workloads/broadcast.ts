/**
 * Maelstrom's broadcast workload (workload/broadcast.clj): each node gets
 * its neighbours once (`topology`), then clients `broadcast` the integers
 * 0, 1, 2, ... and `read` the set of messages a node has, 50/50 at random;
 * after recovery every worker does one final read; the set-full checker
 * (broadcast as add) decides what was lost or stale.
 */
import { renderStableLatency } from '../../viz/stable.js';
import { checkSetFull } from '../checker/set-full.js';
import { broadcastMix } from '../generator.js';
import { topology, type TopologyName } from '../topology.js';
import { setFullFigures } from './figures.js';
import {
  failureCompletion,
  malformedReply,
  oncePerWorker,
  plainGenerator,
  SetupError,
  type Completion,
  type Conn,
  type OpSpec,
  type SetupContext,
  type Workload,
  type WorkloadDef,
} from './workload.js';

class BroadcastWorkload implements Workload {
  /** Broadcasts 0, 1, 2, ... or reads, 50/50. */
  readonly generator = plainGenerator(broadcastMix());
  readonly final = oncePerWorker({ f: 'read', value: null });
  readonly workerChoice = 'round-robin' as const;
  readonly reusableClient = false;
  readonly rpcTimeoutMs = null;
  readonly #topology: TopologyName;

  constructor(topologyName: TopologyName) {
    this.#topology = topologyName;
  }

  async setup(ctx: SetupContext): Promise<void> {
    const topo = topology(this.#topology, ctx.nodes);
    // Jepsen opens one client per node, sets it up and closes it, all nodes at once.
    await Promise.all(
      (ctx.targets ?? ctx.nodes).map(async (node) => {
        const client = ctx.openClient();
        try {
          const r = await client.rpc(node, { type: 'topology', topology: topo }, ctx.rpcTimeoutMs);
          if (r.kind === 'timeout') {
            throw new SetupError(node, `Node ${node} did not answer the topology message within ${ctx.rpcTimeoutMs / 1000} s.`);
          }
          if (r.body.type !== 'topology_ok') {
            throw new SetupError(node, `Node ${node} answered the topology message with ${clip(JSON.stringify(r.body))} instead of a topology_ok.`);
          }
        } finally {
          client.close();
        }
      }),
    );
  }

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    const { client, node, timeoutMs } = conn;
    if (op.f === 'broadcast') {
      const r = await client.rpc(node, { type: 'broadcast', message: op.value }, timeoutMs);
      const failed = failureCompletion(r, op, false);
      if (failed !== null) return failed;
      if (r.kind === 'reply' && r.body.type === 'broadcast_ok') return { type: 'ok', value: op.value };
      return malformedReply(op, 'a broadcast_ok', r.kind === 'reply' ? r.body : { type: '?' });
    }
    if (op.f === 'read') {
      const r = await client.rpc(node, { type: 'read' }, timeoutMs);
      const failed = failureCompletion(r, op, true);
      if (failed !== null) return failed;
      if (r.kind === 'reply' && r.body.type === 'read_ok' && Array.isArray(r.body['messages'])) {
        return { type: 'ok', value: r.body['messages'] };
      }
      return malformedReply(op, 'a read_ok with a messages array', r.kind === 'reply' ? r.body : { type: '?' });
    }
    throw new Error(`broadcast workload cannot invoke f=${op.f}`);
  }
}

export const broadcast: WorkloadDef = {
  name: 'broadcast',
  summary: 'Gossip: every broadcast value must reach every node (set-full: lost, stale, stable latency).',
  challenge: '3a-3e',
  ops: ['broadcast', 'read'],
  flags: ['topology'],
  create: (o) => new BroadcastWorkload(o.topology as TopologyName),
  check: ({ history }) => ({ workload: checkSetFull(history), strict: null }),
  defaultNode: { module: 'broadcast/index.js', bin: 'eddy-broadcast' },
  figures: setFullFigures,
  pictures: ({ history, faults }) => [
    { file: 'stable-latency.svg', title: 'Stable latency per broadcast value', text: renderStableLatency(history, faults) },
  ],
};

function clip(s: string, max = 200): string {
  return s.length > max ? s.slice(0, max) + '...' : s;
}
