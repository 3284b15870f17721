/**
 * The string helpers every picture is drawn with: `esc` escapes exactly the
 * five XML specials, and `briefJson` (which avoids copying values that need
 * no shortening) gives the same text as JSON of a copy with long arrays cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { briefJson, cut, esc } from '../src/viz/markup.js';

test('esc escapes the five XML specials and leaves other text as it is', () => {
  assert.equal(esc('n1 -> c2: {"a":1}'), 'n1 -&gt; c2: {&quot;a&quot;:1}');
  assert.equal(esc(`<&'">`), '&lt;&amp;&#39;&quot;&gt;');
  assert.equal(esc('plain text 123'), 'plain text 123');
  assert.equal(esc(''), '');
});

/** briefJson as first written: copy everything, cutting long arrays, then stringify. */
function referenceBriefJson(value: unknown, maxChars: number): string {
  const keep = Math.ceil(maxChars / 2) + 1;
  const shorten = (v: unknown, depth: number): unknown => {
    if (Array.isArray(v)) return (v.length > keep ? v.slice(0, keep) : v).map((x) => shorten(x, depth + 1));
    if (typeof v === 'object' && v !== null && depth < 20) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = shorten(inner, depth + 1);
      return out;
    }
    return v;
  };
  return cut(JSON.stringify(shorten(value, 0)) ?? String(value), maxChars);
}

test('briefJson cuts long arrays anywhere in a value, and leaves short values whole', () => {
  const long = Array.from({ length: 5000 }, (_, i) => i);
  const deep: Record<string, unknown> = { leaf: [1, 2, 3] };
  let nested: unknown = deep;
  for (let i = 0; i < 30; i++) nested = { inner: nested, list: i % 3 === 0 ? long : [i] };
  const values: unknown[] = [
    { type: 'broadcast', message: 7, msg_id: 3 },
    { type: 'read_ok', messages: long, in_reply_to: 4 },
    { type: 'gossip', batches: [{ from: 'n1', values: long }, { from: 'n2', values: [1, 2] }], extra: null },
    [[long, long], { a: long }],
    nested,
    { when: new Date(0), map: new Map([[1, 2]]), plain: { x: undefined, y: [undefined, 1] } },
    'a string',
    42,
    null,
  ];
  for (const value of values) {
    for (const maxChars of [40, 200, 800, 1500]) {
      assert.equal(briefJson(value, maxChars), referenceBriefJson(value, maxChars), `${maxChars} chars of ${JSON.stringify(value)?.slice(0, 60)}`);
    }
  }
  assert.equal(briefJson({ type: 'broadcast', message: 7 }, 800), '{"type":"broadcast","message":7}');
  const read = briefJson({ type: 'read_ok', messages: long }, 200);
  assert.equal(read.length, 200);
  assert.ok(read.endsWith('…'));
});
