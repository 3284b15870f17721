/**
 * Validation of the lines nodes write on stdout: what is accepted, and what
 * a user reads when a node writes something else.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutLine, parseNodeLine } from '../src/harness/wire.js';

function errorOf(line: string, node = 'n3'): string {
  const r = parseNodeLine(node, line);
  assert.equal(r.ok, false, `expected ${line} to be rejected`);
  return r.ok ? '' : r.error;
}

test('a well-formed message is accepted as written', () => {
  const r = parseNodeLine('n1', '{"src":"n1","dest":"c0","body":{"type":"read_ok","in_reply_to":3,"msg_id":9,"messages":[1,2]}}');
  assert.deepEqual(r, { ok: true, msg: { src: 'n1', dest: 'c0', body: { type: 'read_ok', in_reply_to: 3, msg_id: 9, messages: [1, 2] } } });
});

test('an id field is allowed (the network replaces it), as in Maelstrom', () => {
  assert.equal(parseNodeLine('n1', '{"id":5,"src":"n1","dest":"n2","body":{"type":"x"}}').ok, true);
  assert.match(errorOf('{"id":"five","src":"n3","dest":"n2","body":{"type":"x"}}'), /^node n3 wrote a message whose id is not an integer \(got a string "five"\)/);
});

test('a line that is not JSON names the node, quotes the line and gives the parser reason', () => {
  const e = errorOf('hello world');
  assert.match(e, /^node n3 wrote a line that is not JSON: "hello world" \(Unexpected token .*\); log lines belong on stderr$/);
  assert.doesNotMatch(e, /is not valid JSON/, 'the reason does not repeat the line');
});

test('a long offending line is quoted cut to about 200 characters', () => {
  const e = errorOf('x'.repeat(100_000));
  assert.ok(e.length < 400, `error is ${e.length} chars`);
  assert.match(e, /"x{199}…"/);
});

test('an empty line is an error, as it is in Maelstrom', () => {
  assert.match(errorOf(''), /^node n3 wrote an empty line/);
  assert.match(errorOf('   '), /^node n3 wrote an empty line/);
});

test('JSON that is not an object says what it got', () => {
  assert.match(errorOf('[1,2]'), /^node n3 wrote a line that is not a JSON object \(got an array\): "\[1,2\]"$/);
  assert.match(errorOf('42'), /not a JSON object \(got a number\)/);
  assert.match(errorOf('null'), /not a JSON object \(got null\)/);
});

test('each missing or mistyped field is named with the value received', () => {
  assert.match(errorOf('{"dest":"n2","body":{"type":"x"}}'), /^node n3 wrote a message whose src is not a string \(got nothing\): /);
  assert.match(errorOf('{"src":"n3","dest":2,"body":{"type":"x"}}'), /whose dest is not a string \(got a number 2\)/);
  assert.match(errorOf('{"src":"n3","dest":"n2"}'), /whose body is not a JSON object \(got nothing\)/);
  assert.match(errorOf('{"src":"n3","dest":"n2","body":"hi"}'), /whose body is not a JSON object \(got a string "hi"\)/);
  assert.match(errorOf('{"src":"n3","dest":"n2","body":{"msg_id":1}}'), /whose body.type is not a string \(got nothing\)/);
  assert.match(errorOf('{"src":"n3","dest":"n2","body":{"type":"x","msg_id":1.5}}'), /whose body.msg_id is not an integer \(got a number 1.5\)/);
  assert.match(errorOf('{"src":"n3","dest":"n2","body":{"type":"x","in_reply_to":"1"}}'), /whose body.in_reply_to is not an integer \(got a string "1"\)/);
});

test('an unexpected top-level field is refused, as Maelstrom\'s closed message schema refuses it', () => {
  assert.match(errorOf('{"src":"n3","dest":"n2","body":{"type":"x"},"extra":1}'), /unexpected top-level field "extra" \(Maelstrom allows only src, dest, body and id\)/);
});

test('a src other than the node\'s own id is delivered, as Maelstrom does, with a warning', () => {
  const r = parseNodeLine('n1', '{"src":"n2","dest":"n3","body":{"type":"x"}}');
  assert.equal(r.ok, true);
  assert.ok(r.ok && r.msg.src === 'n2');
  assert.match(r.ok ? r.warning ?? '' : '', /^node n1 wrote a message with src "n2" instead of its own id/);
});

test('cutLine keeps short strings and never splits a surrogate pair', () => {
  assert.equal(cutLine('abc', 5), 'abc');
  assert.equal(cutLine('abcdef', 5), 'abcd…');
  assert.equal(cutLine('abc😀def', 5), 'abc…');
});

test('"in_reply_to": null (a Maelstrom demo answering a message that had no msg_id) is a message, as Maelstrom takes it', () => {
  const r = parseNodeLine('n5', '{"src":"n5","dest":"n3","body":{"type":"merge_ok","in_reply_to":null}}');
  assert.deepEqual(r, { ok: true, msg: { src: 'n5', dest: 'n3', body: { type: 'merge_ok', in_reply_to: null } } });
});
