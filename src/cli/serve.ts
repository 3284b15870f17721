/**
 * `eddy serve [--store DIR] [--port 8080] [--host 127.0.0.1]`: serves a
 * store of runs as a local web page until interrupted. This module owns the
 * process lifetime and what only trying can tell about the flags (is the
 * store a directory, can the port be listened on), said in the flags
 * table's one form with exit code 4; the flags are read by src/cli/flags.ts
 * and the server itself is src/serve.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startServer } from '../serve/index.js';
import { OptionError } from '../harness/options.js';
import { EXIT_USAGE, sentence, type CliIO, type Command } from './command.js';
import { badValue, flagsHelp, parseCommandLine, refusePositionals } from './flags.js';

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
  flagsHelp('serve'),
].join('\n');

export type ParsedFlags = { ok: true; flags: ServeFlags; help: boolean } | { ok: false; error: string };

/** Parses `eddy serve` flags (`--flag value` or `--flag=value`) with the one flags table. */
export function parseServeFlags(argv: readonly string[]): ParsedFlags {
  try {
    const line = parseCommandLine('serve', argv);
    if (line.help) return { ok: true, flags: { ...DEFAULT_FLAGS }, help: true };
    refusePositionals('serve', line, '');
    const v = line.values;
    return {
      ok: true,
      flags: {
        store: (v.get('store') as string | undefined) ?? DEFAULT_FLAGS.store,
        port: (v.get('port') as number | undefined) ?? DEFAULT_FLAGS.port,
        host: (v.get('host') as string | undefined) ?? DEFAULT_FLAGS.host,
      },
      help: false,
    };
  } catch (e) {
    if (e instanceof OptionError) return { ok: false, error: sentence(e.message).trimEnd() };
    throw e;
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
    io.stderr.write(sentence(`${badValue('store', 'the directory of a store of runs', store)}, which is not a directory (run eddy test first)`));
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
  if (code === 'EADDRINUSE') return `${badValue('port', `a port free on ${host}`, String(port))}, which is already in use; pick another port (or 0 for any free one).`;
  if (code === 'EACCES') return `${badValue('port', 'a port this user may listen on', String(port))}; pick a port above 1023.`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `${badValue('host', 'an address of this machine such as 127.0.0.1 or 0.0.0.0', host)}.`;
  }
  return `Could not listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}.`;
}

/** `eddy serve` in the shape src/cli/main.ts registers subcommands. */
export const serveCli: Command = {
  summary: 'Serve a store of runs as a local web page (list, run, compare).',
  run: (argv, io) => serveCommand(argv, { io }),
};
