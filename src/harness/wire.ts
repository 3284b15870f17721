/**
 * The edge between a node's stdout and the network: turns one line a node
 * wrote into a message, or into a one-sentence error that names the node,
 * says what was wrong and quotes the line (cut short).
 *
 * What is accepted follows Maelstrom's `maelstrom.process/parse-msg` and the
 * `Message` schema in `maelstrom.net`: a JSON object whose only top-level
 * fields are `src` and `dest` (strings), `body`, and optionally an integer
 * `id` (which the network replaces). eddy is stricter about the body, as the
 * node protocol demands: it must be an object with a string `type`, and
 * `msg_id` / `in_reply_to`, when present, must be integers. A `src` other than
 * the node's own id is accepted, as Maelstrom accepts it (it only checks that
 * the source is in the network), but comes back with a warning.
 */

import type { Body } from './types.js';

/** A message as a node wrote it; the network assigns the id. */
export interface NodeMessage {
  src: string;
  dest: string;
  body: Body;
}

export type ParsedLine =
  | { ok: true; msg: NodeMessage; warning?: string }
  | { ok: false; error: string };

/** How much of an offending line an error quotes. */
export const QUOTE_CHARS = 200;

/**
 * `s` cut to at most `n` characters, ending in '…' when cut. Never splits a
 * surrogate pair.
 */
export function cutLine(s: string, n: number = QUOTE_CHARS): string {
  if (s.length <= n) return s;
  let end = Math.max(0, n - 1);
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

const ALLOWED_TOP_LEVEL = new Set(['src', 'dest', 'body', 'id']);

/** Validates one stdout line of node `nodeId` (without its '\n'). */
export function parseNodeLine(nodeId: string, line: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    if (line.trim() === '') {
      return fail(nodeId, 'wrote an empty line to stdout; every stdout line must be one JSON message', null);
    }
    return fail(nodeId, `wrote a line that is not JSON`, line, `(${syntaxReason(err)}); log lines belong on stderr`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail(nodeId, `wrote a line that is not a JSON object (got ${kind(parsed)})`, line);
  }
  const m = parsed as Record<string, unknown>;
  const { src, dest, body } = m;
  // Fast path: a well-formed message is checked with a handful of typeofs.
  if (typeof src === 'string' && typeof dest === 'string' && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.type === 'string' && isOptionalInt(b.msg_id) && isReplyTo(b.in_reply_to) && isOptionalInt(m.id)) {
      for (const k in m) {
        if (!ALLOWED_TOP_LEVEL.has(k)) {
          return fail(nodeId, `wrote a message with an unexpected top-level field ${JSON.stringify(k)} (Maelstrom allows only src, dest, body and id)`, line);
        }
      }
      const msg = m as unknown as NodeMessage;
      if (src !== nodeId) {
        return {
          ok: true,
          msg,
          warning: `node ${nodeId} wrote a message with src ${JSON.stringify(src)} instead of its own id; it is delivered as from ${src}, as Maelstrom does: ${quote(line)}`,
        };
      }
      return { ok: true, msg };
    }
  }
  if (typeof src !== 'string') return fail(nodeId, `wrote a message whose src is not a string (got ${describe(src)})`, line);
  if (typeof dest !== 'string') return fail(nodeId, `wrote a message whose dest is not a string (got ${describe(dest)})`, line);
  if (!isOptionalInt(m.id)) return fail(nodeId, `wrote a message whose id is not an integer (got ${describe(m.id)})`, line);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(nodeId, `wrote a message whose body is not a JSON object (got ${describe(body)})`, line);
  }
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string') return fail(nodeId, `wrote a message whose body.type is not a string (got ${describe(b.type)})`, line);
  if (!isOptionalInt(b.msg_id)) return fail(nodeId, `wrote a message whose body.msg_id is not an integer (got ${describe(b.msg_id)})`, line);
  return fail(nodeId, `wrote a message whose body.in_reply_to is not an integer (got ${describe(b.in_reply_to)})`, line);
}

/**
 * Maelstrom does not look inside a body at all, and its own demo nodes
 * answer a message that had no msg_id with `"in_reply_to": null` (Ruby's
 * nil): that is a message nobody awaits, not a broken line.
 */
function isReplyTo(v: unknown): boolean {
  return v === null || isOptionalInt(v);
}

function isOptionalInt(v: unknown): boolean {
  return v === undefined || Number.isInteger(v);
}

function fail(nodeId: string, what: string, line: string | null, after = ''): ParsedLine {
  const quoted = line === null ? '' : `: ${quote(line)}`;
  return { ok: false, error: `node ${nodeId} ${what}${quoted}${after === '' ? '' : ' ' + after}` };
}

function quote(line: string): string {
  return JSON.stringify(cutLine(line));
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  return `${kind(v)} ${cutLine(JSON.stringify(v), 40)}`;
}

/** V8's JSON errors repeat the whole input; keep only the reason. */
function syntaxReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/, ".*" is not valid JSON$/s, '');
}
