import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalModel, MODEL_NAMES } from '../src/harness/checker/elle/index.js';
import { friendlyBoundary, prohibitedAnomalies } from '../src/harness/checker/elle/models.js';
import { classify } from '../src/harness/checker/elle/cycles.js';
import { PROCESS, REALTIME, RW, WR, WW } from '../src/harness/checker/elle/graph.js';

const CE = (ms: string[]): string[] => ms.map((m) => `${m}-cycle-exists`);

// The spec's §2.8 table, exactly.
const TABLE: [string, string[]][] = [
  ['serializable', ['G0', 'G1a', 'G1b', 'G1c', 'G1', 'G-single', 'G-single-item', 'G-nonadjacent', 'G-nonadjacent-item', 'G2', 'G2-item', 'G-SI', 'G-SIb', 'G-cursor', 'G-monotonic', 'G-MSR', 'G-update', 'internal', 'future-read', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'lost-update', 'write-skew', 'cyclic-versions', 'predicate-read-miss', ...CE(['PL-1', 'PL-2', 'PL-2.99', 'PL-3', 'PL-SI'])]],
  ['snapshot-isolation', ['G0', 'G1a', 'G1b', 'G1c', 'G1', 'G-single', 'G-single-item', 'G-nonadjacent', 'G-nonadjacent-item', 'G-SI', 'G-SIb', 'G-cursor', 'G-monotonic', 'G-MSR', 'internal', 'future-read', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'lost-update', 'cyclic-versions', ...CE(['PL-1', 'PL-2', 'PL-SI'])]],
  ['repeatable-read', ['G0', 'G1a', 'G1b', 'G1c', 'G1', 'G-single-item', 'G-nonadjacent-item', 'G2-item', 'G-cursor', 'future-read', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'lost-update', 'cyclic-versions', ...CE(['PL-1', 'PL-2', 'PL-2.99'])]],
  ['read-committed', ['G0', 'G1a', 'G1b', 'G1c', 'G1', 'future-read', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'cyclic-versions', ...CE(['PL-1', 'PL-2'])]],
  ['read-uncommitted', ['G0', 'duplicate-elements', 'cyclic-versions', 'PL-1-cycle-exists']],
  ['linearizable', []],
  ['sequential', []],
  ['causal', []],
];

for (const [model, expected] of TABLE) {
  test(`--consistency-models ${model} prohibits exactly the spec's list`, () => {
    assert.deepEqual([...prohibitedAnomalies([model])].sort(), [...expected].sort());
  });
}

test('strict-serializable prohibits the spec list, realtime variants and strong cycle-exists types included', () => {
  const p = prohibitedAnomalies(['strict-serializable']);
  for (const a of ['G0-realtime', 'G1c-process', 'G-single-item-realtime', 'G2-item-process', 'G-nonadjacent-item-realtime', 'PL-SS-cycle-exists', 'strong-session-serializable-cycle-exists', 'strong-snapshot-isolation-cycle-exists', 'lost-update', 'internal']) {
    assert.ok(p.has(a), a);
  }
  assert.equal(p.has('GSIb'), false, 'Elle spells it G-SIb where models prohibit it; GSIb is never prohibited');
  assert.equal(p.size, 57, "the spec lists 44 anomalies and 13 cycle-exists types");
});

test('not / also-not follow the spec examples', () => {
  assert.deepEqual(friendlyBoundary(['internal']), { not: ['read-atomic'], 'also-not': friendlyBoundary(['internal'])['also-not'] });
  assert.deepEqual(friendlyBoundary(['G1c']).not, ['read-committed']);
  assert.deepEqual(friendlyBoundary(['incompatible-order']).not, ['read-committed']);
  assert.deepEqual(friendlyBoundary(['G-single-item-realtime']), { not: ['strong-snapshot-isolation'], 'also-not': ['strict-serializable'] });
  assert.deepEqual(friendlyBoundary(['G2-item']), { not: ['repeatable-read'], 'also-not': ['serializable', 'strict-serializable', 'strong-session-serializable'] });
  assert.deepEqual(friendlyBoundary([]), { not: [], 'also-not': [] });
});

test('model names: friendly and canonical accepted, anything else refused', () => {
  assert.equal(canonicalModel('serializable'), 'PL-3');
  assert.equal(canonicalModel('strict-serializable'), 'PL-SS');
  assert.equal(canonicalModel('PL-2'), 'PL-2');
  assert.equal(canonicalModel('read-uncommitted'), 'PL-1');
  assert.equal(canonicalModel('linearizable'), 'linearizable');
  assert.equal(canonicalModel('serialisable'), null);
  assert.equal(MODEL_NAMES.length, 54);
  for (const m of MODEL_NAMES) assert.notEqual(canonicalModel(m), null, m);
});

test('cycle classification counts edge kinds as Elle does', () => {
  assert.equal(classify([WW, WW]), 'G0');
  assert.equal(classify([WW, WR]), 'G1c');
  assert.equal(classify([WR, RW]), 'G-single-item');
  assert.equal(classify([RW, WR, RW, WR]), 'G-nonadjacent-item');
  assert.equal(classify([RW, RW]), 'G2-item');
  assert.equal(classify([RW, WW, RW]), 'G2-item', 'first and last rw are adjacent around the cycle');
  assert.equal(classify([WW, REALTIME]), 'G0-realtime');
  assert.equal(classify([WR, PROCESS]), 'G1c-process');
  assert.equal(classify([RW, PROCESS, REALTIME]), 'G-single-item-realtime');
});
