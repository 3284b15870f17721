// The console's results map: JSON that parses back to the same value, with
// long lists of plain values packed onto lines instead of one per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resultsText } from '../src/cli/results-text.js';

test('a short list of plain values stays on one line, objects indent as JSON.stringify does', () => {
  const r = { 'valid?': true, workload: { lost: [], stale: [1, 2, 3], 'stable-latencies': { '0.5': 12 } } };
  assert.equal(
    resultsText(r),
    ['{', '  "valid?": true,', '  "workload": {', '    "lost": [],', '    "stale": [1, 2, 3],', '    "stable-latencies": {', '      "0.5": 12', '    }', '  }', '}'].join('\n'),
  );
});

test('a thousand stale values fill lines of at most the width, and parse back unchanged', () => {
  const stale = Array.from({ length: 1000 }, (_, i) => i);
  const r = { workload: { 'valid?': true, stale }, net: { 'valid?': true } };
  const text = resultsText(r, 100);
  assert.deepEqual(JSON.parse(text), r);
  const lines = text.split('\n');
  assert.ok(lines.length < 80, `${lines.length} lines, not one per value`);
  for (const l of lines) assert.ok(l.length <= 100, `line of ${l.length} chars: ${l}`);
});

test('lists holding objects or lists keep one element per line', () => {
  const r = { errors: [{ op: 1 }, [1, 2]] };
  assert.equal(resultsText(r), ['{', '  "errors": [', '    {', '      "op": 1', '    },', '    [1, 2]', '  ]', '}'].join('\n'));
});

test('values JSON leaves out are left out; strings are escaped', () => {
  const r = { a: undefined, b: 'say "hi"\n', c: [null, 'x'] };
  assert.equal(resultsText(r), ['{', '  "b": "say \\"hi\\"\\n",', '  "c": [null, "x"]', '}'].join('\n'));
  assert.deepEqual(JSON.parse(resultsText(r)), { b: 'say "hi"\n', c: [null, 'x'] });
});
