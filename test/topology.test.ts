import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topology, TOPOLOGY_NAMES, isTopologyName } from '../src/harness/topology.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);

test('the default five-node grid matches Maelstrom neighbour for neighbour, in order', () => {
  assert.deepEqual(topology('grid', five), {
    n1: ['n4', 'n2'],
    n2: ['n5', 'n3', 'n1'],
    n3: ['n2'],
    n4: ['n1', 'n5'],
    n5: ['n2', 'n4'],
  });
});

test('a ten-node grid is four wide with a short last row', () => {
  const g = topology('grid', ids(10));
  assert.deepEqual(g['n0'], ['n4', 'n1']);
  assert.deepEqual(g['n1'], ['n5', 'n2', 'n0']);
  assert.deepEqual(g['n5'], ['n9', 'n1', 'n6', 'n4']);
  assert.deepEqual(g['n6'], ['n2', 'n7', 'n5']);
  assert.deepEqual(g['n9'], ['n5', 'n8']);
});

test('a 25-node grid is a 5x5 square: corners 2, edges 3, inside 4 neighbours', () => {
  const g = topology('grid', ids(25));
  const degrees = ids(25).map((id) => g[id]!.length);
  assert.equal(degrees.filter((d) => d === 2).length, 4);
  assert.equal(degrees.filter((d) => d === 3).length, 12);
  assert.equal(degrees.filter((d) => d === 4).length, 9);
  assert.deepEqual(g['n12'], ['n17', 'n7', 'n13', 'n11']);
});

test('line: ends have one neighbour, the rest [previous, next]', () => {
  assert.deepEqual(topology('line', five), {
    n1: ['n2'],
    n2: ['n1', 'n3'],
    n3: ['n2', 'n4'],
    n4: ['n3', 'n5'],
    n5: ['n4'],
  });
  assert.deepEqual(topology('line', ['a', 'b']), { a: ['b'], b: ['a'] });
});

test('tree2 (and its alias tree) over ten nodes: tiers 1, 2, 4, 3', () => {
  const expected = {
    n0: ['n1', 'n2'],
    n1: ['n0', 'n3', 'n4'],
    n2: ['n0', 'n5', 'n6'],
    n3: ['n1', 'n7', 'n8'],
    n4: ['n1', 'n9'],
    n5: ['n2'],
    n6: ['n2'],
    n7: ['n3'],
    n8: ['n3'],
    n9: ['n4'],
  };
  assert.deepEqual(topology('tree2', ids(10)), expected);
  assert.deepEqual(topology('tree', ids(10)), expected);
});

test('tree3 and tree4 over ten nodes', () => {
  assert.deepEqual(topology('tree3', ids(10)), {
    n0: ['n1', 'n2', 'n3'],
    n1: ['n0', 'n4', 'n5', 'n6'],
    n2: ['n0', 'n7', 'n8', 'n9'],
    n3: ['n0'],
    n4: ['n1'],
    n5: ['n1'],
    n6: ['n1'],
    n7: ['n2'],
    n8: ['n2'],
    n9: ['n2'],
  });
  const t4 = topology('tree4', ids(10));
  assert.deepEqual(t4['n0'], ['n1', 'n2', 'n3', 'n4']);
  assert.deepEqual(t4['n1'], ['n0', 'n5', 'n6', 'n7', 'n8']);
  assert.deepEqual(t4['n2'], ['n0', 'n9']);
  assert.deepEqual(t4['n9'], ['n2']);
});

test('total: everyone else, in node order', () => {
  const t = topology('total', five);
  assert.deepEqual(t['n3'], ['n1', 'n2', 'n4', 'n5']);
  assert.equal(Object.keys(t).length, 5);
});

test('one node: line is empty (as in Maelstrom), the others map the node to []', () => {
  assert.deepEqual(topology('line', ['n0']), {});
  for (const name of ['grid', 'tree', 'tree3', 'total'] as const) assert.deepEqual(topology(name, ['n0']), { n0: [] });
});

test('every named topology is symmetric for 25 nodes', () => {
  for (const name of TOPOLOGY_NAMES) {
    const t = topology(name, ids(25));
    for (const [node, neighbours] of Object.entries(t)) {
      for (const other of neighbours) assert.ok(t[other]!.includes(node), `${name}: ${other} should list ${node}`);
    }
  }
});

test('unknown topology names are rejected with the value in the message', () => {
  assert.equal(isTopologyName('ring'), false);
  assert.equal(isTopologyName('tree4'), true);
  assert.throws(() => topology('ring' as never, five), /"ring"/);
});
