/**
 * The `eddy serve` web server (node:http only): routes, the file gate, and
 * drawing pictures on demand. Routes:
 *   /                      the run list, newest first
 *   /run/<id>/             one run (id = <workload>/<timestamp>; `latest` redirects)
 *   /compare?run=A&run=B   two runs side by side
 *   /files/<path>          any file inside the store, read-only
 * Only GET and HEAD. Nothing outside the store is ever read (see
 * safe-path.ts), and when bound to a loopback address the server only
 * answers requests addressed to a loopback name, so a web page elsewhere
 * cannot reach it through DNS rebinding.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, sep } from 'node:path';
import { PICTURE_FILES, renderRun } from '../viz/index.js';
import { esc } from '../viz/markup.js';
import { comparePage, errorPage, listPage, runHref, runPage, type PictureRef } from './pages.js';
import { isRunDir, listRuns, summariseRun, type RunSummary } from './runs.js';
import { resolveInStore, safeSegments } from './safe-path.js';

export interface ServeOptions {
  /** The store directory to serve (must exist). @default 'store' */
  store?: string;
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; object-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'";
const FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'self'";

const CONTENT_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Starts serving; rejects if the store is not a directory or the address cannot be bound. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const storeReal = await realpath(options.store ?? 'store');
  if (!(await stat(storeReal)).isDirectory()) throw new Error(`${storeReal} is not a directory`);
  const site = new Site(storeReal, isLoopback(host) ? new Set([...LOOPBACK_NAMES, host.toLowerCase()]) : null);
  const server = createServer((req, res) => {
    site.handle(req, res).catch((err: unknown) => {
      // A bug in a page must not take the server down; say so in the response.
      if (!res.headersSent) send(res, 500, 'text/html; charset=utf-8', errorPage(500, `Internal error: ${String(err)}`), PAGE_CSP);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}/`,
    address,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || host.startsWith('127.');
}

function send(res: ServerResponse, status: number, type: string, body: string, csp: string, headOnly = false): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(headOnly ? undefined : body);
}

class Site {
  readonly #store: string;
  readonly #allowedHosts: Set<string> | null;
  /** Renders in progress, by run directory, so concurrent page loads draw once. */
  readonly #rendering = new Map<string, Promise<string[]>>();

  constructor(store: string, allowedHosts: Set<string> | null) {
    this.#store = store;
    this.#allowedHosts = allowedHosts;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    const page = (status: number, html: string): void => send(res, status, 'text/html; charset=utf-8', html, PAGE_CSP, head);
    const fail = (status: number, message: string): void => page(status, errorPage(status, message));
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      return fail(405, `Method ${req.method ?? '?'} is not allowed; this server is read-only.`);
    }
    if (this.#allowedHosts !== null) {
      const hostName = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
      if (!this.#allowedHosts.has(hostName)) return fail(403, `Requests for host "${hostName}" are refused; use 127.0.0.1 or localhost.`);
    }
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    // Refuse any path with a dot-dot, encoded or not, before routing.
    const whole = safeSegments(path.replace(/^\/+/, ''));
    if (!whole.ok || !path.startsWith('/') || path.startsWith('//')) return fail(whole.ok ? 403 : whole.status, 'That path is outside the store.');

    if (path === '/') return page(200, listPage(await listRuns(this.#store), this.#store));
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return void res.end();
    }
    if (path === '/compare') return this.#compare(query, page, fail);
    if (path.startsWith('/run/')) return this.#run(path.slice('/run/'.length).replace(/\/+$/, ''), res, page, fail);
    if (path.startsWith('/files/')) return this.#file(path.slice('/files/'.length), req, res, fail);
    return fail(404, 'No such page.');
  }

  /** Resolves a run id from a URL to its canonical id (symlinks followed) and real directory. */
  async #findRun(rawId: string): Promise<{ id: string; dir: string } | { status: 400 | 403 | 404; reason: string }> {
    const resolved = await resolveInStore(this.#store, rawId);
    if (!resolved.ok) return resolved;
    if (resolved.path === this.#store || !(await isRunDir(resolved.path))) return { status: 404, reason: 'No such run.' };
    return { id: relative(this.#store, resolved.path).split(sep).join('/'), dir: resolved.path };
  }

  async #run(rawId: string, res: ServerResponse, page: (s: number, h: string) => void, fail: (s: number, m: string) => void): Promise<void> {
    const found = await this.#findRun(rawId);
    if ('status' in found) return fail(found.status, found.reason);
    if (found.id !== safeDecoded(rawId)) {
      res.writeHead(302, { location: runHref(found.id) });
      return void res.end();
    }
    const pictureNote = await this.#ensurePictures(found.dir);
    const run = await summariseRun(this.#store, found.id);
    const [pictures, nodeLogs, history, files] = await Promise.all([
      pictureRefs(found.dir),
      readNodeLogs(found.dir),
      readHead(join(found.dir, 'history.jsonl'), 300),
      listFiles(found.dir),
    ]);
    page(
      200,
      runPage({
        run,
        pictures,
        nodeLogs,
        historyHead: history.text,
        historyTruncated: history.truncated,
        files,
        pictureNote: pictures.length === 0 ? pictureNote ?? 'No pictures could be drawn for this run.' : pictureNote,
      }),
    );
  }

  async #compare(query: URLSearchParams, page: (s: number, h: string) => void, fail: (s: number, m: string) => void): Promise<void> {
    const ids = query.getAll('run');
    if (ids.length === 0) {
      const a = query.get('a');
      const b = query.get('b');
      if (a !== null && b !== null) ids.push(a, b);
    }
    if (ids.length !== 2) return fail(400, `Pick exactly two runs to compare (got ${ids.length}).`);
    const found = await Promise.all(ids.map((id) => this.#findRun(id.split('/').map(encodeURIComponent).join('/'))));
    const runs: { id: string; dir: string }[] = [];
    for (const f of found) {
      if ('status' in f) return fail(f.status, f.reason);
      runs.push(f);
    }
    // The older run is A, the baseline, so B − A reads as "what changed since"; names are timestamps.
    const name = (id: string): string => id.slice(id.lastIndexOf('/') + 1);
    runs.sort((x, y) => (name(x.id) < name(y.id) ? -1 : name(x.id) > name(y.id) ? 1 : 0));
    const [a, b] = runs as [{ id: string; dir: string }, { id: string; dir: string }];
    await Promise.all([this.#ensurePictures(a.dir), this.#ensurePictures(b.dir)]);
    const [sa, sb, pa, pb] = await Promise.all([
      summariseRun(this.#store, a.id),
      summariseRun(this.#store, b.id),
      pictureRefs(a.dir),
      pictureRefs(b.dir),
    ]);
    page(200, comparePage(sa as RunSummary, sb as RunSummary, pa, pb));
  }

  async #file(rawPath: string, req: IncomingMessage, res: ServerResponse, fail: (s: number, m: string) => void): Promise<void> {
    const resolved = await resolveInStore(this.#store, rawPath);
    if (!resolved.ok) return fail(resolved.status, resolved.status === 404 ? 'No such file.' : 'That path is outside the store.');
    const info = await stat(resolved.path);
    if (info.isDirectory()) {
      const rel = relative(this.#store, resolved.path).split(sep).join('/');
      const entries = (await readdir(resolved.path, { withFileTypes: true })).map((e) => e.name + (e.isDirectory() ? '/' : '')).sort();
      const links = entries.map((e) => `<li><a href="/files/${[rel, e].filter((s) => s !== '').map((s) => s.split('/').map(encodeURIComponent).join('/')).join('/')}">${esc(e)}</a></li>`);
      return send(res, 200, 'text/html; charset=utf-8', `<!DOCTYPE html><meta charset="utf-8"><title>${esc(rel || 'store')}</title><ul>${links.join('')}</ul>`, PAGE_CSP, req.method === 'HEAD');
    }
    if (!info.isFile()) return fail(404, 'No such file.');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(resolved.path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'content-security-policy': FILE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve) => {
      const stream = createReadStream(resolved.path);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      stream.on('end', () => resolve());
      stream.pipe(res);
    });
  }

  /**
   * Draws a run's pictures if it has none, or if its journal or history
   * changed since they were drawn (a run still going). Returns a note for
   * the page if drawing failed.
   */
  async #ensurePictures(dir: string): Promise<string | null> {
    const drawn = await mtimeMs(join(dir, 'messages.svg'));
    const sources = Math.max(
      (await mtimeMs(join(dir, 'journal.jsonl'))) ?? 0,
      (await mtimeMs(join(dir, 'history.jsonl'))) ?? 0,
      (await mtimeMs(join(dir, 'test.json'))) ?? 0,
    );
    if (drawn !== null && drawn >= sources) return null;
    let pending = this.#rendering.get(dir);
    if (pending === undefined) {
      pending = renderRun(dir).finally(() => this.#rendering.delete(dir));
      this.#rendering.set(dir, pending);
    }
    const written = await pending;
    return written.length === 0 ? 'The pictures could not be written into this run directory (is it read-only?).' : null;
  }
}

function safeDecoded(rawId: string): string {
  const s = safeSegments(rawId);
  return s.ok ? s.segments.join('/') : rawId;
}

async function mtimeMs(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/** The pictures present in a run directory, in page order, with SVG sizes for <object>. */
async function pictureRefs(dir: string): Promise<PictureRef[]> {
  const refs: PictureRef[] = [];
  for (const name of PICTURE_FILES) {
    const head = await readHead(join(dir, name), 0, 2048);
    if (head.missing) continue;
    const svg = /<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(head.text);
    refs.push({ name, widthPx: svg ? Math.ceil(Number(svg[1])) : null, heightPx: svg ? Math.ceil(Number(svg[2])) : null });
  }
  return refs;
}

/** The first `maxLines` whole lines (0 = no line limit) of a file, reading at most `maxBytes`. */
async function readHead(path: string, maxLines: number, maxBytes = 256 * 1024): Promise<{ text: string; truncated: boolean; missing: boolean }> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    let text = buffer.subarray(0, bytesRead).toString('utf8');
    let truncated = bytesRead === maxBytes;
    if (maxLines > 0) {
      const lines = text.split('\n');
      if (truncated) lines.pop(); // a cut line
      if (lines.length > maxLines) {
        lines.length = maxLines;
        truncated = true;
      }
      text = lines.join('\n');
    }
    return { text, truncated, missing: false };
  } catch {
    return { text: '', truncated: false, missing: true };
  } finally {
    await handle?.close();
  }
}

/** The last lines of each node log. */
async function readNodeLogs(dir: string): Promise<{ name: string; sizeBytes: number; tail: string }[]> {
  const logsDir = join(dir, 'node-logs');
  let names: string[];
  try {
    names = (await readdir(logsDir)).sort(naturalCompare);
  } catch {
    return [];
  }
  const logs: { name: string; sizeBytes: number; tail: string }[] = [];
  for (const name of names) {
    const path = join(logsDir, name);
    let handle;
    try {
      const info = await stat(path);
      if (!info.isFile()) continue;
      handle = await open(path, 'r');
      const tailBytes = Math.min(info.size, 64 * 1024);
      const buffer = Buffer.alloc(tailBytes);
      await handle.read(buffer, 0, tailBytes, info.size - tailBytes);
      const lines = buffer.toString('utf8').split('\n');
      if (tailBytes < info.size) lines.shift(); // a cut line
      logs.push({ name, sizeBytes: info.size, tail: lines.slice(-200).join('\n') });
    } catch {
      // A log that vanished: skip it.
    } finally {
      await handle?.close();
    }
  }
  return logs;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Files of a run directory (one level of subdirectories), for the file list. */
async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isFile()) files.push(e.name);
      else if (e.isDirectory()) {
        for (const inner of await readdir(join(dir, e.name), { withFileTypes: true })) {
          if (inner.isFile()) files.push(`${e.name}/${inner.name}`);
        }
      }
    }
  } catch {
    // A run removed while we looked: list what we saw.
  }
  return files.filter((f) => !f.endsWith('.tmp')).sort(naturalCompare);
}

