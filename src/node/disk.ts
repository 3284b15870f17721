/**
 * A node's disk: a few named files that outlive the node (`--nemesis kill`
 * restarts a node with its memory gone, its disk kept), as a real server's
 * data directory does.
 *
 * - Under `eddy test` (a process), `env.disk` is a `FileDisk` on the
 *   directory named in the environment variable `EDDY_NODE_DIR` (one per
 *   node under the run's directory, kept across restarts). A SIGKILL loses
 *   nothing the process wrote: the operating system still has it; `sync`
 *   (fsync) matters only for a machine that loses power.
 * - Under `eddy sim`, `env.disk` is a `MemoryDisk` the simulator keeps for
 *   the node across restarts; a kill keeps only what was synced, as if the
 *   machine lost power: write without sync and a restart may not see it.
 *
 * File names are plain names (letters, digits, `.`, `_`, `-`; not starting
 * with `.`), no directories.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Disk {
  /** The file's contents, or null if there is no such file. */
  read(name: string): string | null;
  /** Replaces the file's contents (creating it). */
  write(name: string, data: string): void;
  /** Appends to the file (creating it). */
  append(name: string, data: string): void;
  /** Makes what was written to the file (or, without a name, to every file) durable: it survives a kill. */
  sync(name?: string): void;
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`Expected a disk file name of letters, digits, '.', '_' and '-' (not starting with '.'), got ${JSON.stringify(name)}`);
  }
}

/** The simulator's disk: what was written, and what of it was synced. */
export class MemoryDisk implements Disk {
  readonly #current = new Map<string, string>();
  readonly #synced = new Map<string, string>();

  read(name: string): string | null {
    checkName(name);
    return this.#current.get(name) ?? null;
  }

  write(name: string, data: string): void {
    checkName(name);
    this.#current.set(name, String(data));
  }

  append(name: string, data: string): void {
    checkName(name);
    this.#current.set(name, (this.#current.get(name) ?? '') + String(data));
  }

  sync(name?: string): void {
    if (name === undefined) {
      for (const [n, d] of this.#current) this.#synced.set(n, d);
      return;
    }
    checkName(name);
    const d = this.#current.get(name);
    if (d !== undefined) this.#synced.set(name, d);
  }

  /** A kill: every file goes back to what was last synced; files never synced are gone. */
  crash(): void {
    this.#current.clear();
    for (const [n, d] of this.#synced) this.#current.set(n, d);
  }
}

/** A disk on a directory (`EDDY_NODE_DIR`): one real file per name, `sync` is fsync. */
export class FileDisk implements Disk {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true });
  }

  read(name: string): string | null {
    checkName(name);
    try {
      return fs.readFileSync(path.join(this.dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  write(name: string, data: string): void {
    checkName(name);
    fs.writeFileSync(path.join(this.dir, name), String(data));
  }

  append(name: string, data: string): void {
    checkName(name);
    fs.appendFileSync(path.join(this.dir, name), String(data));
  }

  sync(name?: string): void {
    const names = name === undefined ? fs.readdirSync(this.dir).filter((n) => NAME.test(n)) : [name];
    for (const n of names) {
      checkName(n);
      let fd: number;
      try {
        fd = fs.openSync(path.join(this.dir, n), 'r+');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
}
