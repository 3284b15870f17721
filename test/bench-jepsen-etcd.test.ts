import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countOps, parseJepsenEtcdLog } from '../bench/lib/jepsen-etcd.js';
import { checkLinearizable } from '../src/harness/checker/linearizable.js';

const log = (rows: string[]): string => rows.map((r) => `INFO  jepsen.util - ${r.split(' ').join('\t')}`).join('\n') + '\n';

test('jepsen etcd log: lines become one-key lin-kv ops, in line order, values as [key, v]', () => {
  const h = parseJepsenEtcdLog(log(['0 :invoke :read nil', '1 :invoke :write 4', '1 :ok :write 4', '0 :ok :read 4', '2 :invoke :cas [4 1]', '2 :fail :cas [4 1]']));
  assert.deepEqual(
    h.map((o) => [o.index, o.time, o.process, o.type, o.f, o.value]),
    [
      [0, 1, 0, 'invoke', 'read', [0, null]],
      [1, 2, 1, 'invoke', 'write', [0, 4]],
      [2, 3, 1, 'ok', 'write', [0, 4]],
      [3, 4, 0, 'ok', 'read', [0, 4]],
      [4, 5, 2, 'invoke', 'cas', [0, [4, 1]]],
      [5, 6, 2, 'fail', 'cas', [0, [4, 1]]],
    ],
  );
  assert.deepEqual(countOps(h), { ops: 3, ok: 2, fail: 1, info: 0, open: 0 });
});

test('jepsen etcd log: space-separated lines and nil reads parse too; a timed-out op keeps its invocation value', () => {
  const h = parseJepsenEtcdLog('INFO  jepsen.util - 3   :invoke :cas    [2 4]  \nINFO  jepsen.util - 3   :info   :cas    :timed-out\nINFO  jepsen.util - 1   :invoke :read   nil\nINFO  jepsen.util - 1   :ok     :read   nil\n');
  assert.deepEqual(h[1], { index: 1, time: 2, process: 3, type: 'info', f: 'cas', value: [0, [2, 4]], error: 'timed-out' });
  assert.deepEqual(h[3]!.value, [0, null]);
});

test('jepsen etcd log, checked: a stale read after a completed write is not linearizable; an indeterminate write may explain a later read', () => {
  const stale = log(['0 :invoke :write 1', '0 :ok :write 1', '0 :invoke :write 2', '0 :ok :write 2', '1 :invoke :read nil', '1 :ok :read 1']);
  assert.equal(checkLinearizable(parseJepsenEtcdLog(stale))['valid?'], false);
  const info = log(['0 :invoke :write 1', '0 :ok :write 1', '2 :invoke :write 2', '2 :info :write :timed-out', '1 :invoke :read nil', '1 :ok :read 1', '1 :invoke :read nil', '1 :ok :read 2']);
  assert.equal(checkLinearizable(parseJepsenEtcdLog(info))['valid?'], true);
  // A failed cas is dropped (the checker's convention): it never takes effect.
  const failed = log(['0 :invoke :write 1', '0 :ok :write 1', '2 :invoke :cas [1 3]', '2 :fail :cas [1 3]', '1 :invoke :read nil', '1 :ok :read 3']);
  assert.equal(checkLinearizable(parseJepsenEtcdLog(failed))['valid?'], false);
});

test('jepsen etcd log: malformed input is one sentence naming the file and line', () => {
  assert.throws(() => parseJepsenEtcdLog(log(['0 :invoke :write 1', '0 :ok :read 1']), 'x.log'), /^Error: x\.log line 2: process 0 completes a read but invoked a write at line 1\.$/);
  assert.throws(() => parseJepsenEtcdLog(log(['0 :ok :write 1']), 'x.log'), /x\.log line 1: process 0 completes a write it never invoked\./);
  assert.throws(() => parseJepsenEtcdLog('INFO  jepsen.util - zero :invoke :read nil\n', 'x.log'), /x\.log line 1 is not a Jepsen op line/);
  assert.throws(() => parseJepsenEtcdLog(log(['0 :invoke :write 1', '0 :invoke :write 2']), 'x.log'), /x\.log line 2: process 0 invokes write while its op at line 1 is still open\./);
});
