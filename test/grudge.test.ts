import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/harness/rng.js';
import { describeGrudge, grudgeFor, majority, PARTITION_KINDS, randomGrudge, type Grudge } from '../src/harness/grudge.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);

/** Who each node still hears (itself included). */
function hears(grudge: Grudge, nodes: string[]): Map<string, Set<string>> {
  return new Map(nodes.map((node) => [node, new Set(nodes.filter((src) => !grudge.get(node)?.has(src)))]));
}

function assertSymmetric(grudge: Grudge): void {
  for (const [dest, srcs] of grudge) for (const src of srcs) assert.ok(grudge.get(src)?.has(dest), `${src} should also drop ${dest}`);
}

/** The components of a complete grudge: each node hears exactly its component. */
function components(grudge: Grudge, nodes: string[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const [node, heard] of hears(grudge, nodes)) {
    const key = [...heard].join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push([...heard]);
    }
  }
  return out.sort((a, b) => a.length - b.length);
}

test('one: a single node is cut off from everyone, the rest stay together', () => {
  const nodes = ids(5);
  for (let seed = 0; seed < 20; seed++) {
    const g = grudgeFor('one', nodes, new Rng(seed));
    assert.equal(g.size, 5);
    assertSymmetric(g);
    assert.deepEqual(components(g, nodes).map((c) => c.length), [1, 4]);
  }
});

test('minority-third: floor((n-1)/3) nodes split off; with three nodes or fewer nothing is cut', () => {
  for (const [n, small] of [[7, 2], [10, 3], [25, 8], [5, 1]] as const) {
    const nodes = ids(n);
    const g = grudgeFor('minority-third', nodes, new Rng(n));
    assertSymmetric(g);
    assert.deepEqual(components(g, nodes).map((c) => c.length), [small, n - small]);
  }
  const g3 = grudgeFor('minority-third', ids(3), new Rng(1));
  assert.deepEqual([...g3.values()].map((s) => s.size), [0, 0, 0]);
});

test('majority: random halves, the smaller floor(n/2)', () => {
  for (const [n, small] of [[5, 2], [6, 3], [25, 12]] as const) {
    const nodes = ids(n);
    const g = grudgeFor('majority', nodes, new Rng(n * 7));
    assertSymmetric(g);
    assert.deepEqual(components(g, nodes).map((c) => c.length), [small, n - small]);
  }
});

test('majorities-ring on five nodes: each hears itself and its two ring neighbours, all different', () => {
  const nodes = ids(5);
  for (let seed = 0; seed < 20; seed++) {
    const g = grudgeFor('majorities-ring', nodes, new Rng(seed));
    assert.equal(g.size, 5);
    assertSymmetric(g);
    const h = hears(g, nodes);
    for (const heard of h.values()) assert.equal(heard.size, 3);
    assert.equal(new Set([...h.values()].map((s) => [...s].sort().join())).size, 5);
    // Following "the neighbour that is not where I came from" walks one ring through all five nodes.
    let prev = 'n0';
    let at = [...h.get('n0')!].find((x) => x !== 'n0')!;
    const visited = ['n0'];
    while (at !== 'n0') {
      visited.push(at);
      const next = [...h.get(at)!].find((x) => x !== at && x !== prev)!;
      prev = at;
      at = next;
    }
    assert.equal(visited.length, 5);
  }
});

test('majorities-ring on larger clusters: everyone hears a majority, links are mutual, no two majorities equal', () => {
  for (const n of [6, 7, 9, 25]) {
    const nodes = ids(n);
    for (let seed = 0; seed < 10; seed++) {
      const g = grudgeFor('majorities-ring', nodes, new Rng(seed));
      assertSymmetric(g);
      const h = hears(g, nodes);
      for (const heard of h.values()) assert.ok(heard.size >= majority(n), `n=${n}: hears ${heard.size}`);
      // Someone must be cut off from someone, or this would not be a partition at all.
      assert.ok([...g.values()].some((s) => s.size > 0));
      assert.equal(new Set([...h.values()].map((s) => [...s].sort().join())).size, n, `n=${n} seed=${seed}`);
    }
  }
});

test('kinds are drawn uniformly, and the same seed gives the same partition', () => {
  const rng = new Rng(42);
  const counts = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const { kind } = randomGrudge(ids(5), rng);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [...PARTITION_KINDS].sort());
  for (const c of counts.values()) assert.ok(c > 880 && c < 1120, `count ${c}`);

  const a = randomGrudge(ids(9), new Rng(7));
  const b = randomGrudge(ids(9), new Rng(7));
  assert.deepEqual(a.description, b.description);
  assert.equal(a.kind, b.kind);
});

test('the history description is Jepsen\'s ["isolated", {dest: [sources]}] in node order', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const g: Grudge = new Map([
    ['n3', new Set(['n5', 'n1', 'n4', 'n2'])],
    ['n1', new Set(['n3'])],
    ['n2', new Set(['n3'])],
  ]);
  assert.deepEqual(describeGrudge(g, nodes), ['isolated', { n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2', 'n4', 'n5'] }]);
  const { kind, grudge, description } = randomGrudge(nodes, new Rng(3));
  assert.ok(PARTITION_KINDS.includes(kind));
  assert.deepEqual(description, describeGrudge(grudge, nodes));
  assert.equal(JSON.stringify(JSON.parse(JSON.stringify(description))), JSON.stringify(description));
});
