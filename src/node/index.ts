/**
 * The node library's public entry point (the package's "." export):
 * everything needed to write a Maelstrom node and to run it under
 * Maelstrom, `eddy test` or `eddy sim`. Nothing here depends on anything
 * outside Node.js itself.
 *
 * A node module exports `createNode(env: NodeEnv): Node`; its bin wrapper is
 * `runMain(createNode)`, and the simulator calls `createNode` with a
 * `MemoryTransport` and a `VirtualClock`.
 */

export { Node, type NodeOptions, type NodeEnv, type RpcOptions, type On } from './node.js';
export { runMain, type CreateNode } from './main.js';
export { RPCError, ERRORS, USER_ERROR_CODE_MIN, errorKind, type ErrorKind, type ErrorBody } from './errors.js';
export {
  checkMessage,
  isMessageId,
  type Body,
  type Message,
  type Handler,
  type Rpc,
  type RequestOf,
  type ResponseOf,
  type MaelstromProtocol,
  type InitBody,
  type InitOkBody,
  type EchoBody,
  type EchoOkBody,
  type TopologyBody,
  type TopologyOkBody,
  type BroadcastBody,
  type BroadcastOkBody,
  type ReadBody,
  type ReadOkBody,
} from './protocol.js';
export { RealClock, VirtualClock, type Clock, type Timer } from './clock.js';
export type { Transport, LineHandlers } from './transport.js';
export { StdioTransport, LINE_BYTES_MAX_DEFAULT, type StdioTransportOptions } from './stdio.js';
export { MemoryTransport } from './memory.js';
export { KV, type KVServiceName, type CasOptions, type RpcCaller } from './kv.js';
export { TSO } from './tso.js';
export { MemoryDisk, FileDisk, type Disk } from './disk.js';
