// What a broadcast node knows: values de-duplicated by JSON equality, and
// per-origin sequence numbers summarised as contiguous high-water marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalKey, MessageStore } from '../src/nodes/broadcast/store.js';

test('canonical keys equate JSON-equal values and nothing else', () => {
  assert.equal(canonicalKey({ b: [1, { d: 2, c: 3 }], a: null }), canonicalKey({ a: null, b: [1, { c: 3, d: 2 }] }));
  assert.notEqual(canonicalKey(1), canonicalKey('1'));
  assert.notEqual(canonicalKey([1, 2]), canonicalKey([2, 1]));
  assert.notEqual(canonicalKey({ a: 1 }), canonicalKey({ a: '1' }));
  assert.notEqual(canonicalKey(true), canonicalKey('true'));
  assert.equal(canonicalKey({ 'a"b': 'x' }), '{"a\\"b":"x"}');
});

test('a value already held is not filed again, whoever broadcasts it', () => {
  const store = new MessageStore(3);
  assert.equal(store.originate(0, { x: 1, y: 2 }, 0), 1);
  assert.equal(store.originate(0, { y: 2, x: 1 }, 0), null);
  assert.equal(store.originate(1, 'other', 0), 1);
  // The same value entering at a second origin is filed (sequence numbers stay gap-free) but read once.
  assert.equal(store.add(2, 1, 'other', 0), true);
  assert.deepEqual(store.values(), [{ x: 1, y: 2 }, 'other']);
  assert.deepEqual(store.vector(), [1, 1, 1]);
});

test('the high-water mark only moves over a contiguous run; holes keep it back until filled', () => {
  const store = new MessageStore(2);
  store.add(1, 1, 'a', 0);
  store.add(1, 3, 'c', 0);
  store.add(1, 4, 'd', 0);
  assert.equal(store.have(1), 1);
  assert.equal(store.max(1), 4);
  assert.equal(store.add(1, 3, 'c', 0), false);
  store.add(1, 2, 'b', 5);
  assert.equal(store.have(1), 4);
  assert.equal(store.get(1, 2)?.heldAtMs, 5);
});
