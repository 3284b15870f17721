/**
 * The one gate between a URL and the file system: `eddy serve` may only
 * read inside its store. A request path is split into segments and each is
 * decoded; a segment that is empty, `.` or `..`, or that decodes to
 * something containing a slash, backslash or NUL is refused outright (so
 * `..`, `%2e%2e`, `..%2f` and absolute paths never reach the file system).
 * What remains is joined under the store and resolved with realpath, and
 * the result must still be inside the store's own real path, so a symlink
 * may point within the store (`STORE/latest` does) but never out of it.
 */
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

export type Resolved = { ok: true; path: string; segments: string[] } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Splits a raw (still percent-encoded) path such as `broadcast/2026.../messages.svg`
 * into decoded, safe segments, or says why it is refused.
 */
export function safeSegments(rawPath: string): { ok: true; segments: string[] } | { ok: false; status: 400 | 403; reason: string } {
  if (rawPath === '') return { ok: true, segments: [] };
  const segments: string[] = [];
  const parts = rawPath.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    // A trailing slash (a directory URL) is fine; an empty segment elsewhere makes an absolute path.
    if (part === '' && i === parts.length - 1) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return { ok: false, status: 400, reason: 'badly encoded path' };
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded) || /^[a-zA-Z]:/.test(decoded)) {
      return { ok: false, status: 403, reason: 'path outside the store' };
    }
    segments.push(decoded);
  }
  return { ok: true, segments };
}

/** The real path of `rawPath` inside the store, if it exists and stays inside. */
export async function resolveInStore(storeReal: string, rawPath: string): Promise<Resolved> {
  const split = safeSegments(rawPath);
  if (!split.ok) return split;
  let real: string;
  try {
    real = await realpath(join(storeReal, ...split.segments));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!isInside(storeReal, real)) return { ok: false, status: 403, reason: 'path outside the store' };
  return { ok: true, path: real, segments: split.segments };
}

/** True if `path` is `root` or below it (both real, absolute paths). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
