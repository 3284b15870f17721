// eddy's transactional reference nodes, piece by piece: the rw-register
// store (atomic transactions, last-writer-wins merges by Lamport
// timestamp) and the list-append database (root map CASed in lin-kv,
// immutable thunks in lww-kv, group commit) against in-memory services.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RPCError } from '../src/node/index.js';
import { ListAppendDb, type Mop, type Root, type Services } from '../src/nodes/txn-list-append/index.js';
import { parseOptions, RegisterStore } from '../src/nodes/txn-rw-register/index.js';

// ---- rw-register -----------------------------------------------------------------

test('rw-register: a transaction reads its own writes, and only its final write of a key is installed', () => {
  const s = new RegisterStore(0);
  const { completed, commit } = s.apply([['r', 1, null], ['w', 1, 5], ['r', 1, null], ['w', 1, 6], ['w', 2, 1]]);
  assert.deepEqual(completed, [['r', 1, null], ['w', 1, 5], ['r', 1, 5], ['w', 1, 6], ['w', 2, 1]]);
  assert.deepEqual(commit, { ts: 1, node: 0, writes: [[1, 6], [2, 1]] });
  assert.equal(s.read(1), 6);
  assert.equal(s.read('1'), null, 'the string "1" is another key');
  assert.deepEqual(s.apply([['r', 1, null]]), { completed: [['r', 1, 6]], commit: null });
});

test('rw-register: merges are last-writer-wins by (timestamp, node), idempotent and move the clock past what was merged', () => {
  const s = new RegisterStore(1);
  s.merge({ ts: 5, node: 0, writes: [[1, 'a']] });
  s.merge({ ts: 4, node: 2, writes: [[1, 'older']] });
  assert.equal(s.read(1), 'a');
  s.merge({ ts: 5, node: 2, writes: [[1, 'tie, higher node']] });
  assert.equal(s.read(1), 'tie, higher node');
  s.merge({ ts: 5, node: 0, writes: [[1, 'a']] });
  assert.equal(s.read(1), 'tie, higher node');
  // A transaction after the merge carries a later timestamp: what it read precedes what it writes.
  assert.equal(s.apply([['r', 1, null], ['w', 1, 'b']]).commit?.ts, 6);
  assert.equal(s.read(1), 'b');
});

test('rw-register options: profiles set the gossip period, flags override, bad ones are named', () => {
  assert.equal(parseOptions([]).gossipMs, 50);
  assert.equal(parseOptions(['--profile', 'fast']).gossipMs, 0);
  assert.equal(parseOptions(['--profile=frugal', '--gossip-ms', '20']).gossipMs, 20);
  assert.throws(() => parseOptions(['--profile', 'turbo']), /--profile expects one of fast, balanced, frugal, got "turbo"/);
  assert.throws(() => parseOptions(['--gossip-ms', '-1']), /--gossip-ms expects a whole number from 0 up, got "-1"/);
});

// ---- list-append ------------------------------------------------------------------

/** lin-kv and lww-kv in memory; lww-kv misses the first `missFirst` reads of every thunk, as its other replica would. */
class FakeServices implements Services {
  root: Root | null = null;
  readonly thunks = new Map<string, unknown[]>();
  readonly reads = new Map<string, number>();
  casCalls = 0;
  constructor(readonly missFirst = 1) {}
  async readRoot(): Promise<Root | null> {
    await tick();
    return this.root === null ? null : { ...this.root };
  }
  async casRoot(from: Root | null, to: Root): Promise<boolean> {
    await tick();
    this.casCalls++;
    if (JSON.stringify(sorted(from)) !== JSON.stringify(sorted(this.root))) return false;
    this.root = { ...to };
    return true;
  }
  async readThunk(id: string): Promise<unknown[] | undefined> {
    await tick();
    const n = (this.reads.get(id) ?? 0) + 1;
    this.reads.set(id, n);
    return n <= this.missFirst ? undefined : this.thunks.get(id);
  }
  async writeThunk(id: string, list: unknown[]): Promise<void> {
    await tick();
    assert.ok(!this.thunks.has(id), `thunk ${id} written twice`);
    this.thunks.set(id, [...list]);
  }
  sleep(): Promise<void> {
    return tick();
  }
  random(): number {
    return 0.5;
  }
  /** The current list of `key`, as the root and thunks say. */
  list(key: unknown): unknown[] | null {
    const id = this.root?.[JSON.stringify(key)];
    return id === undefined ? null : this.thunks.get(id)!;
  }
}

function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function sorted(r: Root | null): [string, string][] | null {
  return r === null ? null : Object.entries(r).sort(([a], [b]) => a.localeCompare(b));
}

function ids(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${n++}`;
}

test('list-append: appends build lists, reads see them (null for a key never appended), a transaction sees its own appends', async () => {
  const svc = new FakeServices();
  const db = new ListAppendDb(svc, ids('n0'));
  assert.deepEqual(await db.transact([['r', 1, null], ['append', 1, 1]]), [['r', 1, null], ['append', 1, 1]]);
  assert.deepEqual(await db.transact([['append', 1, 2], ['r', 1, null], ['r', 2, null]]), [['append', 1, 2], ['r', 1, [1, 2]], ['r', 2, null]]);
  assert.deepEqual(svc.list(1), [1, 2]);
  // A second node, whose lww-kv reads miss at first, sees the same.
  const other = new ListAppendDb(svc, ids('n1'));
  assert.deepEqual(await other.transact([['r', 1, null]]), [['r', 1, [1, 2]]]);
});

test('list-append: transactions that arrive together commit as one batch with one CAS, in arrival order', async () => {
  const svc = new FakeServices();
  const db = new ListAppendDb(svc, ids('n0'));
  await db.transact([['append', 9, 0]]);
  const before = svc.casCalls;
  const results = await Promise.all([1, 2, 3, 4, 5].map((v) => db.transact([['append', 9, v], ['r', 9, null]])));
  assert.deepEqual(svc.list(9), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(results[4], [['append', 9, 5], ['r', 9, [0, 1, 2, 3, 4, 5]]]);
  assert.ok(svc.casCalls - before <= 2, `${svc.casCalls - before} CAS calls for 5 transactions`);
});

test('list-append: two nodes racing on one root lose nothing, and every read is a prefix of the final list', async () => {
  const svc = new FakeServices();
  const a = new ListAppendDb(svc, ids('n0'));
  const b = new ListAppendDb(svc, ids('n1'));
  const work: Promise<Mop[]>[] = [];
  for (let v = 1; v <= 40; v++) work.push((v % 2 === 0 ? a : b).transact([['r', 3, null], ['append', 3, v]]));
  const results = await Promise.all(work);
  const final = svc.list(3)!;
  assert.deepEqual([...final].sort((x, y) => (x as number) - (y as number)), Array.from({ length: 40 }, (_, i) => i + 1));
  for (const [[, , read]] of results) {
    const seen = (read as unknown[] | null) ?? [];
    assert.deepEqual(final.slice(0, seen.length), seen, `read ${JSON.stringify(read)} is not a prefix of ${JSON.stringify(final)}`);
  }
  assert.ok(a.stats.casConflicts + b.stats.casConflicts > 0, 'the nodes really raced');
});

test('list-append: a batch whose CAS keeps losing fails with txn-conflict; a thunk never found is a crash', async () => {
  const svc = new FakeServices();
  svc.casRoot = async () => false;
  const db = new ListAppendDb(svc, ids('n0'), { maxAttempts: 3 });
  await assert.rejects(db.transact([['append', 1, 1]]), (e: unknown) => e instanceof RPCError && e.code === 30);

  const lost = new FakeServices(1_000);
  lost.root = { '1': 'gone' };
  const db2 = new ListAppendDb(lost, ids('n0'), { maxThunkReads: 4 });
  await assert.rejects(db2.transact([['r', 1, null]]), (e: unknown) => e instanceof RPCError && e.code === 13 && /thunk gone/.test(e.message));
  assert.equal(lost.reads.get('gone'), 4);
});

test('list-append: a read-only transaction reads the root afresh instead of trusting what this node last knew', async () => {
  const svc = new FakeServices(0);
  const a = new ListAppendDb(svc, ids('n0'));
  const b = new ListAppendDb(svc, ids('n1'));
  await a.transact([['append', 1, 1]]);
  await b.transact([['append', 1, 2]]);
  assert.deepEqual(await a.transact([['r', 1, null]]), [['r', 1, [1, 2]]]);
});
