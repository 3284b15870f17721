/**
 * Line splitting of a node's output, whatever the chunk boundaries.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, LineTail } from '../src/harness/hosts/lines.js';

function split(chunks: string[], maxLineChars = 1000): { lines: string[]; tooLong: string[] } {
  const lines: string[] = [];
  const tooLong: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), { maxLineChars, onTooLong: (start) => tooLong.push(start) });
  for (const c of chunks) s.push(c);
  s.end();
  return { lines, tooLong };
}

test('every way of cutting the text into two or three chunks gives the same lines', () => {
  const text = 'a\r\n{"src":"n1"}\n\nlast\r\n\rx\nend';
  const expected = ['a', '{"src":"n1"}', '', 'last', '\rx', 'end'];
  for (let i = 0; i <= text.length; i++) {
    assert.deepEqual(split([text.slice(0, i), text.slice(i)]).lines, expected, `cut at ${i}`);
    for (let j = i; j <= text.length; j++) {
      assert.deepEqual(split([text.slice(0, i), text.slice(i, j), text.slice(j)]).lines, expected, `cuts at ${i}, ${j}`);
    }
  }
});

test('a line longer than the limit is reported once by its start and skipped, split or whole', () => {
  const long = 'y'.repeat(50);
  for (const chunks of [[`ok\n${long}\nnext\n`], ['ok\n', long.slice(0, 20), long.slice(20, 45), long.slice(45) + '\nnext\n']]) {
    const r = split(chunks, 30);
    assert.deepEqual(r.lines, ['ok', 'next']);
    assert.equal(r.tooLong.length, 1);
    assert.match(r.tooLong[0]!, /^y+$/);
  }
});

test('LineTail keeps the last lines, oldest first', () => {
  const t = new LineTail(3);
  assert.deepEqual(t.lines(), []);
  for (const l of ['1', '2']) t.push(l);
  assert.deepEqual(t.lines(), ['1', '2']);
  for (const l of ['3', '4', '5']) t.push(l);
  assert.deepEqual(t.lines(), ['3', '4', '5']);
});
