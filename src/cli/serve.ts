/**
 * `eddy serve [--store DIR] [--port 8080] [--host 127.0.0.1]`: serves a
 * store of runs as a local web page until interrupted. This module owns the
 * flags (validated here, at the edge, each error one sentence naming the
 * flag, the value and what is allowed; exit code 4) and the process
 * lifetime; the server itself is src/serve.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startServer } from '../serve/index.js';
import { EXIT_USAGE, type CliIO, type Command } from './command.js';

export interface ServeFlags {
  /** @default 'store' */
  store: string;
  /** @default 8080 */
  port: number;
  /** @default '127.0.0.1' (only this machine can connect) */
  host: string;
}

const DEFAULT_FLAGS: Readonly<ServeFlags> = Object.freeze({ store: 'store', port: 8080, host: '127.0.0.1' });

const USAGE = [
  'Usage: eddy serve [--store DIR] [--port PORT] [--host ADDRESS]',
  '',
  'Serves the runs in a store as a web page: the list of runs, each run with',
  'its verdict, results, pictures, node logs and history, and two runs compared.',
  '',
  '  --store DIR       the store to serve (default: store)',
  '  --port PORT       TCP port, 0 to 65535; 0 picks a free one (default: 8080)',
  '  --host ADDRESS    address to listen on (default: 127.0.0.1, this machine only)',
].join('\n');

export type ParsedFlags = { ok: true; flags: ServeFlags; help: boolean } | { ok: false; error: string };

/** Parses `eddy serve` flags (`--flag value` or `--flag=value`). */
export function parseServeFlags(argv: readonly string[]): ParsedFlags {
  const flags: ServeFlags = { ...DEFAULT_FLAGS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { ok: true, flags, help: true };
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (name !== '--store' && name !== '--port' && name !== '--host') {
      return { ok: false, error: `Unknown argument "${arg}" for eddy serve; allowed: --store DIR, --port PORT, --host ADDRESS.` };
    }
    let value: string | undefined;
    if (eq !== -1 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) return { ok: false, error: `Flag ${name} needs a value (${describe(name)}).` };
    if (name === '--port') {
      if (!/^\d+$/.test(value) || Number(value) > 65535) {
        return { ok: false, error: `Flag --port got "${value}"; expected ${describe(name)}.` };
      }
      flags.port = Number(value);
    } else if (name === '--host') {
      if (value === '' || /\s|\//.test(value)) return { ok: false, error: `Flag --host got "${value}"; expected ${describe(name)}.` };
      flags.host = value;
    } else {
      if (value === '') return { ok: false, error: `Flag --store got ""; expected ${describe(name)}.` };
      flags.store = value;
    }
  }
  return { ok: true, flags, help: false };
}

function describe(flag: string): string {
  switch (flag) {
    case '--port':
      return 'a port number from 0 to 65535';
    case '--host':
      return 'an address or host name to listen on, such as 127.0.0.1';
    default:
      return 'the directory of a store of runs';
  }
}

export interface ServeRunOptions {
  /** @default process.stdout / process.stderr */
  io?: CliIO;
  /** Stops the server when aborted (besides SIGINT/SIGTERM). @default none */
  signal?: AbortSignal;
  /** Called once the server listens, with its URL (tests use it). @default none */
  onListening?: (url: string) => void;
}

/** Runs `eddy serve` with the arguments after `serve`; resolves to the exit code when stopped. */
export async function serveCommand(argv: readonly string[], options: ServeRunOptions = {}): Promise<number> {
  const io = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  const parsed = parseServeFlags(argv);
  if (!parsed.ok) {
    io.stderr.write(parsed.error + '\n');
    return EXIT_USAGE;
  }
  if (parsed.help) {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  const { store, port, host } = parsed.flags;
  const storeDir = resolve(store);
  try {
    if (!(await stat(storeDir)).isDirectory()) throw new Error('not a directory');
  } catch {
    io.stderr.write(`Flag --store got "${store}", which is not a directory; expected the directory of a store of runs (run eddy test first).\n`);
    return EXIT_USAGE;
  }
  let server;
  try {
    server = await startServer({ store: storeDir, port, host });
  } catch (err) {
    io.stderr.write(listenError(err, host, port) + '\n');
    return EXIT_USAGE;
  }
  io.stdout.write(`Serving the runs in ${storeDir} at ${server.url} (Ctrl-C stops).\n`);
  options.onListening?.(server.url);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });
  await server.close();
  return 0;
}

function listenError(err: unknown, host: string, port: number): string {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return `Flag --port got ${port}, which is already in use on ${host}; pick another port (or 0 for any free one).`;
  if (code === 'EACCES') return `Flag --port got ${port}, which this user may not listen on; pick a port above 1023.`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Flag --host got "${host}", which is not an address of this machine; expected e.g. 127.0.0.1 or 0.0.0.0.`;
  }
  return `Could not listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}.`;
}

/** `eddy serve` in the shape src/cli/main.ts registers subcommands. */
export const serveCli: Command = {
  summary: 'Serve a store of runs as a local web page (list, run, compare).',
  run: (argv, io) => serveCommand(argv, { io }),
};
