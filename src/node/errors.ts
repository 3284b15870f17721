/**
 * Maelstrom's protocol errors, as data. `ERRORS` is the one table of codes
 * (Maelstrom's errors.edn in spirit): a code, a name, whether it is
 * *definite* (the operation certainly did not happen) and what it means.
 * `RPCError` is the exception form of an error body: a handler throws one
 * to answer with that error, and `Node.rpc` rejects with one when the peer
 * answers `{"type":"error",...}` or does not answer in time.
 */

import type { Body } from './protocol.js';

/** One row of the error table. */
export interface ErrorKind {
  readonly code: number;
  /** Maelstrom's keyword for the code, e.g. "key-does-not-exist". */
  readonly name: string;
  /**
   * True when a client may assume the operation did not take place; false
   * when it may or may not have (a timeout, a crash).
   */
  readonly definite: boolean;
  readonly doc: string;
}

/** The first code users may define for themselves; all such codes are indefinite. */
export const USER_ERROR_CODE_MIN = 1000;

export const ERRORS: readonly ErrorKind[] = Object.freeze([
  { code: 0, name: 'timeout', definite: false, doc: 'The requested operation could not be completed in time; it may or may not have happened.' },
  { code: 1, name: 'node-not-found', definite: true, doc: 'The requested node does not exist.' },
  { code: 10, name: 'not-supported', definite: true, doc: 'The requested operation (message type) is not supported by this node.' },
  { code: 11, name: 'temporarily-unavailable', definite: true, doc: 'The operation definitely cannot be performed at this time, e.g. during a partition; retrying later may work.' },
  { code: 12, name: 'malformed-request', definite: true, doc: 'The request was not understood: bad JSON, a missing field, or a field of the wrong type.' },
  { code: 13, name: 'crash', definite: false, doc: 'The node hit an unexpected internal error while handling the request; the operation may or may not have happened.' },
  { code: 14, name: 'abort', definite: true, doc: 'The operation was aborted and definitely did not take place (e.g. a transaction rolled back).' },
  { code: 20, name: 'key-does-not-exist', definite: true, doc: 'The client asked for a key that does not exist.' },
  { code: 21, name: 'key-already-exists', definite: true, doc: 'The client tried to create a key that already exists.' },
  { code: 22, name: 'precondition-failed', definite: true, doc: 'A precondition (such as the `from` value of a compare-and-set) did not hold.' },
  { code: 30, name: 'txn-conflict', definite: true, doc: 'The transaction was aborted because it conflicted with another.' },
].map((kind) => Object.freeze(kind)));

const BY_CODE: ReadonlyMap<number, ErrorKind> = (() => {
  const byCode = new Map<number, ErrorKind>();
  const names = new Set<string>();
  for (const kind of ERRORS) {
    // A duplicate would make error handling depend on table order: refuse to load.
    if (byCode.has(kind.code)) throw new Error(`error table: code ${kind.code} appears twice`);
    if (names.has(kind.name)) throw new Error(`error table: name "${kind.name}" appears twice`);
    if (!Number.isInteger(kind.code) || kind.code < 0 || kind.code >= USER_ERROR_CODE_MIN) {
      throw new Error(`error table: code ${kind.code} must be an integer in [0, ${USER_ERROR_CODE_MIN})`);
    }
    byCode.set(kind.code, kind);
    names.add(kind.name);
  }
  return byCode;
})();

/**
 * The table row for `code`. Codes from 1000 up are user-defined; codes the
 * table does not know are reported as indefinite, the safe assumption.
 */
export function errorKind(code: number): ErrorKind {
  const known = BY_CODE.get(code);
  if (known !== undefined) return known;
  if (code >= USER_ERROR_CODE_MIN) {
    return { code, name: 'user-defined', definite: false, doc: 'An error code defined by the node author.' };
  }
  return { code, name: 'unknown', definite: false, doc: 'An error code Maelstrom does not define.' };
}

/** The body of an error reply. */
export interface ErrorBody extends Body {
  type: 'error';
  code: number;
  text?: string;
}

/**
 * An error a node answers with, or receives. `name` is the table name
 * ("timeout", "crash", ...), so `String(err)` reads "timeout: RPC timed out".
 */
export class RPCError extends Error {
  readonly code: number;
  readonly definite: boolean;
  /** The human-readable part of the error body (`text`). */
  readonly text: string;

  constructor(code: number, text?: string) {
    if (!Number.isInteger(code) || code < 0) {
      throw new TypeError(`RPCError: expected code to be an integer >= 0, got ${String(code)}`);
    }
    const kind = errorKind(code);
    const message = text ?? kind.doc;
    super(message);
    this.name = kind.name;
    this.code = code;
    this.definite = kind.definite;
    this.text = message;
  }

  static timeout(text = 'RPC timed out'): RPCError { return new RPCError(0, text); }
  static nodeNotFound(text?: string): RPCError { return new RPCError(1, text); }
  static notSupported(text?: string): RPCError { return new RPCError(10, text); }
  static temporarilyUnavailable(text?: string): RPCError { return new RPCError(11, text); }
  static malformedRequest(text?: string): RPCError { return new RPCError(12, text); }
  static crash(text?: string): RPCError { return new RPCError(13, text); }
  static abort(text?: string): RPCError { return new RPCError(14, text); }
  static keyDoesNotExist(text?: string): RPCError { return new RPCError(20, text); }
  static keyAlreadyExists(text?: string): RPCError { return new RPCError(21, text); }
  static preconditionFailed(text?: string): RPCError { return new RPCError(22, text); }
  static txnConflict(text?: string): RPCError { return new RPCError(30, text); }

  /** A user-defined error; `code` must be >= 1000. */
  static custom(code: number, text?: string): RPCError {
    if (!Number.isInteger(code) || code < USER_ERROR_CODE_MIN) {
      throw new TypeError(`RPCError.custom: expected code to be an integer >= ${USER_ERROR_CODE_MIN}, got ${String(code)}`);
    }
    return new RPCError(code, text);
  }

  /**
   * The error carried by an `error` body received from a peer. A body whose
   * `code` is missing or not a non-negative integer becomes a crash (13),
   * since the peer clearly failed somehow but said nothing usable.
   */
  static fromBody(body: Body): RPCError {
    const code = body['code'];
    const text = body['text'];
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0) {
      return RPCError.crash(`error reply with invalid code ${JSON.stringify(code) ?? 'undefined'}: ${JSON.stringify(body).slice(0, 200)}`);
    }
    return new RPCError(code, typeof text === 'string' ? text : undefined);
  }

  /** The error reply to the request whose `msg_id` was `inReplyTo`. */
  toBody(inReplyTo: number): ErrorBody {
    return { type: 'error', in_reply_to: inReplyTo, code: this.code, text: this.text };
  }
}
