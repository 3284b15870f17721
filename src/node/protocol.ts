/**
 * The shapes of Maelstrom messages, and the registry that ties a request
 * type to its reply. A protocol is an interface mapping each request `type`
 * to `Rpc<Request, Response>`; `Node<P>` uses it so that a handler for
 * `read` receives a `ReadBody` and must return a `ReadOkBody`, and so that
 * `rpc(dest, {type: 'read'})` resolves to a `ReadOkBody`. Types that a
 * protocol does not list still work, untyped (`Body`).
 *
 * Extending the protocol for your own messages:
 *
 * ```ts
 * interface GossipBody extends Body { type: 'gossip'; messages: number[] }
 * interface GossipOkBody extends Body { type: 'gossip_ok' }
 * interface MyProtocol extends MaelstromProtocol { gossip: Rpc<GossipBody, GossipOkBody> }
 * const node = new Node<MyProtocol>();
 * node.on('gossip', (req) => ({ type: 'gossip_ok' }));   // req.body.messages: number[]
 * ```
 *
 * This module also validates incoming messages (`checkMessage`), because
 * that is where the wire format is defined.
 */

/** A message body: a JSON object with a string `type`. */
export interface Body {
  type: string;
  /** Present on requests; unique per sender. */
  msg_id?: number;
  /** Present on replies: the `msg_id` of the request answered (0 is a valid id). */
  in_reply_to?: number;
  [field: string]: unknown;
}

/** A message on the wire. `id` is set by Maelstrom's network, not by nodes. */
export interface Message<B extends Body = Body> {
  src: string;
  dest: string;
  body: B;
  id?: number;
}

export interface InitBody extends Body {
  type: 'init';
  msg_id: number;
  node_id: string;
  node_ids: string[];
}
export interface InitOkBody extends Body { type: 'init_ok' }

export interface EchoBody extends Body { type: 'echo'; echo: unknown }
export interface EchoOkBody extends Body { type: 'echo_ok'; echo: unknown }

export interface TopologyBody extends Body { type: 'topology'; topology: Record<string, string[]> }
export interface TopologyOkBody extends Body { type: 'topology_ok' }

/** `message` is any JSON value (the broadcast workload sends integers). */
export interface BroadcastBody extends Body { type: 'broadcast'; message: unknown }
export interface BroadcastOkBody extends Body { type: 'broadcast_ok' }

export interface ReadBody extends Body { type: 'read' }
export interface ReadOkBody extends Body { type: 'read_ok'; messages: unknown[] }

export type { ErrorBody } from './errors.js';

/** One request type's request and reply bodies. */
export interface Rpc<Request extends Body = Body, Response extends Body = Body> {
  request: Request;
  response: Response;
}

/**
 * The messages of Maelstrom's echo and broadcast workloads. `init` is not
 * listed: the node answers it itself (hook into it with `Node.onInit`).
 */
export interface MaelstromProtocol {
  echo: Rpc<EchoBody, EchoOkBody>;
  topology: Rpc<TopologyBody, TopologyOkBody>;
  broadcast: Rpc<BroadcastBody, BroadcastOkBody>;
  read: Rpc<ReadBody, ReadOkBody>;
}

/** The request body for type `T` under protocol `P`, or `Body` if `P` does not list `T`. */
export type RequestOf<P, T extends string> = T extends keyof P ? (P[T] extends Rpc<infer Q, Body> ? Q : Body) : Body;
/** The reply body for type `T` under protocol `P`, or `Body` if `P` does not list `T`. */
export type ResponseOf<P, T extends string> = T extends keyof P ? (P[T] extends Rpc<Body, infer R> ? R : Body) : Body;

/**
 * Handles one request. Return the reply body (or a promise of it) and the
 * node sends it with `in_reply_to` filled in; or reply yourself with
 * `node.reply(req, body)` and return nothing. Throw an `RPCError` to answer
 * with that error; anything else thrown answers with code 13 (crash).
 */
export type Handler<Req extends Body = Body, Res extends Body = Body> = (
  req: Message<Req>,
) => Res | void | Promise<Res | void>;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  return `${typeof value} ${shown}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for a usable `msg_id` / `in_reply_to`: an integer from 0 to 2^53 - 1.
 * Larger numbers (2^64 parses as 18446744073709552000) cannot be echoed
 * back exactly, so a request numbered that way cannot be answered.
 */
export function isMessageId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Checks that a parsed line is a message: an object with non-empty string
 * `src` and `dest` and an object `body` with a string `type`, and `msg_id`
 * / `in_reply_to` (when present) integers from 0 to 2^53 - 1. Returns
 * undefined when it is, or what is wrong, naming the field, the value and
 * what was expected.
 */
export function checkMessage(value: unknown): string | undefined {
  if (!isObject(value)) return `expected a JSON object, got ${describe(value)}`;
  const src = value['src'];
  if (typeof src !== 'string' || src === '') return `expected field src to be a non-empty string, got ${describe(src)}`;
  const dest = value['dest'];
  if (typeof dest !== 'string' || dest === '') return `expected field dest to be a non-empty string, got ${describe(dest)}`;
  const body = value['body'];
  if (!isObject(body)) return `expected field body to be an object, got ${describe(body)}`;
  if (typeof body['type'] !== 'string') return `expected field body.type to be a string, got ${describe(body['type'])}`;
  const msgId = body['msg_id'];
  if (msgId !== undefined && !isMessageId(msgId)) {
    return `expected field body.msg_id to be an integer from 0 to 2^53-1, got ${describe(msgId)}`;
  }
  const inReplyTo = body['in_reply_to'];
  // Maelstrom's services answer a request that had no msg_id with "in_reply_to": null.
  if (inReplyTo !== undefined && inReplyTo !== null && !isMessageId(inReplyTo)) {
    return `expected field body.in_reply_to to be an integer from 0 to 2^53-1, got ${describe(inReplyTo)}`;
  }
  return undefined;
}
