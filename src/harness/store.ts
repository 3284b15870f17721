/**
 * Where a run's files live: `STORE/<workload>/<timestamp>/`, with
 * `STORE/latest` pointing at the newest run (as Jepsen's store does). The
 * directory and `test.json` are created before any node starts, and files
 * are written as the run goes, so that a run which aborts still leaves
 * everything it recorded.
 *
 * Files: `test.json` (options, seed included), `history.jsonl`,
 * `journal.jsonl`, `node-logs/<node>.log`, and `results.json` at the end.
 *
 * Writes are synchronous and batched: lines collect in memory and are
 * written at the next turn of the event loop (or when 64 KiB pile up), so a
 * busy run costs one system call per batch, and a crash of the harness loses
 * at most the last batch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const BATCH_BYTES = 64 * 1024;

/** An append-only text file written line by line. */
export class LineFile {
  readonly path: string;
  #fd: number | null;
  #pending: string[] = [];
  #pendingBytes = 0;
  #scheduled = false;

  constructor(file: string) {
    this.path = file;
    this.#fd = fs.openSync(file, 'w');
  }

  writeLine(line: string): void {
    if (this.#fd === null) return; // late lines after close are dropped, not an error
    this.#pending.push(line);
    this.#pendingBytes += line.length + 1;
    if (this.#pendingBytes >= BATCH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // I/O batching only; nothing the run observes depends on when it happens.
      setImmediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes every pending line now. */
  flush(): void {
    if (this.#fd === null || this.#pending.length === 0) return;
    const text = this.#pending.join('\n') + '\n';
    this.#pending = [];
    this.#pendingBytes = 0;
    fs.writeSync(this.#fd, text);
  }

  close(): void {
    if (this.#fd === null) return;
    this.flush();
    fs.closeSync(this.#fd);
    this.#fd = null;
  }
}

/** `20261124T100412.345Z`: sortable, and safe in file names on every OS. */
export function timestampName(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}

export class RunStore {
  /** The run's directory, e.g. `store/broadcast/20261124T100412.345Z`. */
  readonly dir: string;
  readonly #files = new Map<string, LineFile>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Creates the run directory (and `node-logs/`) and points `STORE/latest`
   * at it. Throws if the store cannot be written.
   */
  static create(storeDir: string, workload: string, startedAt: Date): RunStore {
    const parent = path.join(storeDir, workload);
    fs.mkdirSync(parent, { recursive: true });
    const base = timestampName(startedAt);
    let name = base;
    for (let i = 1; fs.existsSync(path.join(parent, name)); i++) name = `${base}-${i}`;
    const dir = path.join(parent, name);
    fs.mkdirSync(path.join(dir, 'node-logs'), { recursive: true });
    const latest = path.join(storeDir, 'latest');
    try {
      fs.rmSync(latest, { force: true });
      fs.symlinkSync(path.join(workload, name), latest);
    } catch {
      // A store on a file system without symlinks still gets its runs.
    }
    return new RunStore(dir);
  }

  /** A line-by-line file inside the run directory, e.g. 'history.jsonl'. */
  lines(relative: string): LineFile {
    let f = this.#files.get(relative);
    if (f === undefined) {
      f = new LineFile(path.join(this.dir, relative));
      this.#files.set(relative, f);
    }
    return f;
  }

  /** Writes a whole JSON file (pretty-printed) at once. */
  writeJson(relative: string, value: unknown): void {
    fs.writeFileSync(path.join(this.dir, relative), JSON.stringify(value, null, 2) + '\n');
  }

  /** Flushes and closes every line file. */
  close(): void {
    for (const f of this.#files.values()) f.close();
  }
}
