/**
 * `eddy serve` over HTTP: the run list (newest first, by verdict), a run's
 * page (verdict, pictures drawn on demand and embedded), the compare page,
 * static files inside the store only (traversal in every spelling refused,
 * symlinks followed only within the store), loopback binding, and the
 * command line's flag errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseServeFlags, serveCommand } from '../src/cli/serve.js';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { writeFixtureStore } from './viz-fixture.js';

const scratch = mkdtempSync(join(tmpdir(), 'eddy-serve-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET: the path goes on the wire exactly as given (fetch would normalise dot segments). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('eddy serve over HTTP', () => {
  const store = join(scratch, 'store');
  let runs: string[] = [];
  let server: RunningServer;
  before(async () => {
    runs = writeFixtureStore(store);
    symlinkSync('/etc', join(store, 'escape')); // a symlink leading out of the store
    writeFileSync(join(scratch, 'secret.txt'), 'TOP-SECRET-CONTENT');
    server = await startServer({ store, port: 0 });
  });
  after(() => server.close());

  test('binds 127.0.0.1 by default', () => {
    assert.equal(server.address.address, '127.0.0.1');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test('the list page lists every run newest first, coloured by verdict, with its figures', async () => {
    const r = await get(server.url, '/');
    assert.equal(r.status, 200);
    const rows = [...r.body.matchAll(/<tr class="run (\w+)" data-run="([^"]+)"/g)].map((m) => [m[2], m[1]]);
    assert.deepEqual(rows, [
      [runs[2], 'none'],
      [runs[1], 'invalid'],
      [runs[0], 'valid'],
    ]);
    assert.match(r.body, /4 nodes · 20 s · rate 10\/s · latency 20 ms · partition · seed 2/);
    assert.match(r.body, /msgs\/op <b>3\.25<\/b><\/span> · <span class="fig">stable p50 ms <b>12<\/b>/, 'broadcast\'s headline figures from its registry entry: msgs-per-op and median stable latency');
  });

  test('a run page shows the verdict, draws the missing pictures, and embeds messages.svg', async () => {
    const id = runs[1] as string;
    assert.ok(!existsSync(join(store, id, 'messages.svg')));
    const r = await get(server.url, `/run/${id}/`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<div class="verdict invalid" id="verdict">Invalid: 2 lost<\/div>/);
    assert.ok(existsSync(join(store, id, 'messages.svg')), 'drawn on demand');
    assert.match(r.body, new RegExp(`<object type="image/svg\\+xml" data="/files/${id.replace('.', '\\.')}/messages\\.svg" width="\\d+" height="\\d+"`));
    assert.match(r.body, /data="[^"]*stable-latency\.svg"/);
    assert.match(r.body, /<iframe class="picture" src="[^"]*timeline\.html"/);
    assert.match(r.body, /&quot;lost-count&quot;: 2/, 'results pretty-printed');
    assert.match(r.body, /n3\.log/);
    assert.ok(!r.body.includes('<script>'), 'node log content is escaped');
    assert.match(r.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(r.body, /&quot;f&quot;:&quot;broadcast&quot;/, 'history shown');
    const opRate = /<th>main-phase operations \(issued \/ asked\)<\/th><td class="num">(\d+) of 200 \(([\d.]+) x --rate, Maelstrom-like lateness 1\)<\/td>/.exec(r.body);
    assert.ok(opRate !== null, 'the op-rate row: operations issued against rate x time-limit');
    assert.equal(Number(opRate[2]), Number((Number(opRate[1]) / 200).toFixed(2)));
  });

  test('the pictures are served as SVG from inside the store', async () => {
    const r = await get(server.url, `/files/${runs[1]}/messages.svg`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'image/svg+xml');
    assert.match(r.body, /^<svg /);
  });

  test('/run/latest redirects to the newest run; latest/ files are served through the symlink', async () => {
    const r = await get(server.url, '/run/latest/');
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, `/run/${runs[2]}/`);
    const f = await get(server.url, '/files/latest/test.json');
    assert.equal(f.status, 200);
    assert.match(f.body, /"seed": 3/);
  });

  test('the compare page puts two runs side by side with differences', async () => {
    const r = await get(server.url, `/compare?run=${encodeURIComponent(runs[0] as string)}&run=${encodeURIComponent(runs[1] as string)}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<th>lost<\/th><td class="num">0<\/td><td class="num">2<\/td><td class="num"><span class="worse">\+2<\/span>/);
    assert.match(r.body, /<th>main-phase operations \/ \(rate x time-limit\)<\/th><td class="num">0\.\d\d<\/td><td class="num">0\.\d\d<\/td>/);
    assert.equal((r.body.match(/data="[^"]*messages\.svg"/g) ?? []).length, 2);
    const one = await get(server.url, `/compare?run=${encodeURIComponent(runs[0] as string)}`);
    assert.equal(one.status, 400);
    assert.match(one.body, /exactly two runs/);
  });

  const traversals = [
    '/..%2f..%2fetc/passwd',
    '/files/..%2f..%2fetc%2fpasswd',
    '/files/%2e%2e/%2e%2e/etc/passwd',
    '/files/%2E%2E/secret.txt',
    '/files/../secret.txt',
    '/files/broadcast/../../secret.txt',
    '/../../etc/passwd',
    '/files//etc/passwd',
    '/files/%2Fetc%2Fpasswd',
    '/files/..%5c..%5csecret.txt',
    '/files/escape/passwd',
    '/run/..%2f..%2fetc/',
    `/compare?run=..%2Fsecret.txt&run=${encodeURIComponent('broadcast/20261124T090000.000Z')}`,
  ];
  for (const path of traversals) {
    test(`refuses ${path}`, async () => {
      const r = await get(server.url, path);
      assert.ok([400, 403, 404].includes(r.status), `status ${r.status}`);
      assert.ok(!r.body.includes('root:') && !r.body.includes('TOP-SECRET-CONTENT'), 'no file content leaks');
    });
  }

  test('refuses requests addressed to another host name (DNS rebinding) and anything but GET/HEAD', async () => {
    assert.equal((await get(server.url, '/', { host: 'evil.example' })).status, 403);
    assert.equal((await get(server.url, '/', {}, 'POST')).status, 405);
    assert.equal((await get(server.url, '/', { host: 'localhost:1234' })).status, 200);
  });
});

describe('eddy serve command line', () => {
  test('defaults: store, port 8080, host 127.0.0.1', () => {
    assert.deepEqual(parseServeFlags([]), { ok: true, flags: { store: 'store', port: 8080, host: '127.0.0.1' }, help: false });
    assert.deepEqual(parseServeFlags(['--port=0', '--store', 'x']), { ok: true, flags: { store: 'x', port: 0, host: '127.0.0.1' }, help: false });
  });

  const bad: [string[], RegExp][] = [
    [['--port', 'abc'], /^--port expects a port number from 0 to 65535, got "abc"\.\n$/],
    [['--port', '70000'], /--port expects .*, got "70000"/],
    [['--port'], /^--port expects a value \(PORT\), but none was given\.\n$/],
    [['--colour', 'red'], /^Unknown flag --colour; see eddy serve --help for the flags it takes\.\n$/],
    [['--store', join(scratch, 'nope')], /^--store expects the directory of a store of runs, got ".*nope", which is not a directory/],
    [['extra'], /^Unexpected argument "extra": eddy serve takes only flags/],
  ];
  for (const [argv, message] of bad) {
    test(`eddy serve ${argv.join(' ')} → one sentence, exit 4`, async () => {
      let err = '';
      const code = await serveCommand(argv, { io: { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } } });
      assert.equal(code, 4);
      assert.match(err, message);
      assert.equal(err.trim().split('\n').length, 1);
    });
  }

  test('serves until stopped, then exits 0', async () => {
    const store = join(scratch, 'cli-store');
    writeFixtureStore(store);
    const stop = new AbortController();
    let out = '';
    let url = '';
    const done = serveCommand(['--store', store, '--port', '0'], {
      io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } },
      signal: stop.signal,
      onListening: (u) => (url = u),
    });
    while (url === '') await new Promise((r) => setImmediate(r));
    assert.match(url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal((await get(url, '/')).status, 200);
    stop.abort();
    assert.equal(await done, 0);
    assert.match(out, /Serving the runs in .* at http:\/\/127\.0\.0\.1:\d+\//);
  });

  test('a port in use is named in one sentence, exit 4', async () => {
    const busy = await startServer({ store: scratch, port: 0 });
    try {
      let err = '';
      const code = await serveCommand(['--store', scratch, '--port', String(busy.address.port)], {
        io: { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } },
      });
      assert.equal(code, 4);
      assert.match(err, /^--port expects a port free on 127\.0\.0\.1, got "\d+", which is already in use; pick another port/);
    } finally {
      await busy.close();
    }
  });
});
