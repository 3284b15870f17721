/**
 * Shared scaffolding for the node-library tests: a node on a
 * MemoryTransport and a VirtualClock, with its output parsed and kept.
 */

import { MemoryTransport, Node, VirtualClock, type Body, type MaelstromProtocol, type Message } from '../src/node/index.js';

export interface TestNode<P extends object> {
  node: Node<P>;
  transport: MemoryTransport;
  clock: VirtualClock;
  /** Every message the node has written, parsed, oldest first. */
  sent: Message[];
  /** Resolves when `node.run()` does. */
  done: Promise<void>;
  /** Delivers a message from `src` to the node. */
  deliver(src: string, body: Body): void;
  /** Sends `init` (msg_id 1 from c0) making the node "n1" of n1..n3. */
  init(): void;
  /** Removes and returns what the node has sent so far. */
  take(): Message[];
}

export function testNode<P extends object = MaelstromProtocol>(options: { rpcTimeoutMs?: number } = {}): TestNode<P> {
  const transport = new MemoryTransport();
  const clock = new VirtualClock();
  const node = new Node<P>({ transport, clock, random: () => 0.5, ...options });
  const sent: Message[] = [];
  transport.onOutput((line) => sent.push(JSON.parse(line) as Message));
  const done = node.run();
  const deliver = (src: string, body: Body): void => transport.inject(JSON.stringify({ src, dest: 'n1', body }));
  return {
    node,
    transport,
    clock,
    sent,
    done,
    deliver,
    init: () => deliver('c0', { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1', 'n2', 'n3'] }),
    take: () => sent.splice(0),
  };
}

/** Lets pending promise continuations run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await undefined;
}
