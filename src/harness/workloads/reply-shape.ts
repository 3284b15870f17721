/**
 * Maelstrom's response schemas are closed Prismatic maps (`M:client.clj`,
 * `defrpc`, spec 1.3): besides the fields an RPC lists, a reply may carry
 * only `type`, `in_reply_to` (an integer) and an optional integer `msg_id`.
 * Anything else makes Maelstrom throw a malformed-response exception, which
 * the worker records as `info`. The CRDT-chapter and unique-ids workloads
 * check their replies with this.
 */
import type { Body } from '../types.js';
import { indeterminateCompletion, malformedReply, type Completion, type Conn, type OpSpec } from './workload.js';

/**
 * Why `body` does not fit a closed schema listing `fields`, as a phrase, or
 * null when it fits. Field values are checked by the caller.
 */
export function closedShapeProblem(body: Body, fields: readonly string[]): string | null {
  const extra = Object.keys(body).filter((k) => k !== 'type' && k !== 'in_reply_to' && k !== 'msg_id' && !fields.includes(k));
  if (extra.length > 0) return `no fields besides ${['type', 'in_reply_to', 'msg_id', ...fields].join(', ')} (got ${extra.join(', ')})`;
  const msgId = body['msg_id'];
  if (msgId !== undefined && !Number.isInteger(msgId)) return `an integer msg_id when there is one (got ${JSON.stringify(msgId)})`;
  return null;
}

/**
 * The CRDT chapter's `add` (g-set's element, the counters' delta, named by
 * `field`): ok on a closed `add_ok`, `info` on anything else, without
 * with-errors.
 */
export async function invokeAdd(conn: Conn, op: OpSpec, field: 'element' | 'delta'): Promise<Completion> {
  const r = await conn.client.rpc(conn.node, { type: 'add', [field]: op.value }, conn.timeoutMs);
  const failed = indeterminateCompletion(r, op);
  if (failed !== null) return failed;
  if (r.kind === 'reply' && r.body.type === 'add_ok') {
    const problem = closedShapeProblem(r.body, []);
    if (problem === null) return { type: 'ok', value: op.value };
    return malformedReply(op, `an add_ok with ${problem}`, r.body, conn.node);
  }
  return malformedReply(op, 'an add_ok', r.kind === 'reply' ? r.body : { type: '?' }, conn.node);
}
