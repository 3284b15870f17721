/**
 * Throughput of a node process on the library's hot path (read a line,
 * parse it, dispatch, stringify the reply, write it): spawns an echo node,
 * sends `init` and then a burst of echo requests as fast as its stdin takes
 * them, and counts `echo_ok` replies on its stdout. Each node is run a few
 * times and the best run is reported, since other work on the machine
 * only ever makes a run slower.
 *
 *   npm run bench:node                       # bin/eddy-echo, 200,000 requests, 3 runs
 *   node dist/bench/node.js --bin other-echo --count 50000 --runs 1
 *
 * Alongside bin/eddy-echo it runs Maelstrom's own JavaScript demo echo node
 * when it finds one (`--demo PATH`, default $MAELSTROM_JS_ECHO or
 * /tmp/mdemo/echo.js; extract it from a Maelstrom checkout with
 * `git show HEAD:demo/js/echo.js` and `HEAD:demo/js/node.js`), with fewer
 * requests because it is about fifteen times slower.
 *
 * `--bin` may be any Maelstrom echo node: an executable, or a .js file run
 * with this Node.js. Its stderr goes to /dev/null, so nodes that log every
 * message are not slowed down by a slow log reader.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface BenchOptions {
  /** The echo node to run. @default bin/eddy-echo of this checkout */
  bin: string;
  /** Echo requests to send after init. @default 200000 */
  count: number;
  /** Runs of each node; the best is reported. @default 3 */
  runs: number;
  /** Maelstrom's JS demo echo node, or undefined to skip it. @default $MAELSTROM_JS_ECHO or /tmp/mdemo/echo.js if present */
  demo: string | undefined;
  /** Echo requests for the demo node, which is much slower. @default 20000 */
  demoCount: number;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Expected ${flag} to be an integer >= 1, got ${JSON.stringify(value)}`);
  return n;
}

function parseArgs(argv: string[]): BenchOptions {
  const demoDefault = process.env['MAELSTROM_JS_ECHO'] ?? '/tmp/mdemo/echo.js';
  const options: BenchOptions = {
    bin: fileURLToPath(new URL('../../bin/eddy-echo', import.meta.url)),
    count: 200_000,
    runs: 3,
    demo: existsSync(demoDefault) ? demoDefault : undefined,
    demoCount: 20_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`Expected a value after ${JSON.stringify(flag)}`);
    i++;
    if (flag === '--bin') options.bin = value;
    else if (flag === '--count') options.count = positiveInt(flag, value);
    else if (flag === '--runs') options.runs = positiveInt(flag, value);
    else if (flag === '--demo') options.demo = value === 'none' ? undefined : value;
    else if (flag === '--demo-count') options.demoCount = positiveInt(flag, value);
    else throw new Error(`Unknown argument ${JSON.stringify(flag)}; expected --bin PATH, --count N, --runs N, --demo PATH|none or --demo-count N`);
  }
  if (options.demo !== undefined && !existsSync(options.demo)) throw new Error(`Expected --demo to name an existing file, got ${JSON.stringify(options.demo)}`);
  return options;
}

const INIT_LINE = '{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}\n';

/** The echo requests, pre-encoded in chunks of about 64 KB so that writing them costs nothing measurable. */
function buildInput(count: number): Buffer[] {
  const chunks: Buffer[] = [];
  let text = '';
  for (let i = 1; i <= count; i++) {
    text += `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":${i + 1},"echo":"Please echo ${i}"}}\n`;
    if (text.length >= 65_536) {
      chunks.push(Buffer.from(text));
      text = '';
    }
  }
  if (text.length > 0) chunks.push(Buffer.from(text));
  return chunks;
}

interface RunResult {
  wallS: number;
  /** The node's user and system CPU seconds for the echoes, if /proc could tell. */
  userS: number | undefined;
  systemS: number | undefined;
  exitCode: number | null;
}

/** One run: spawn, init, send every request, wait for every reply, close stdin. */
async function runOnce(bin: string, input: Buffer[], count: number): Promise<RunResult> {
  const [command, args] = /\.[cm]?js$/.test(bin) ? [process.execPath, [bin]] : [bin, []];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });

  let initialised!: () => void;
  const initOk = new Promise<void>((resolve) => (initialised = resolve));
  let seenInitOk = false;
  let replies = 0;
  let doneAt = 0;
  // Counted on raw bytes: decoding 20 MB of replies would cost this process
  // CPU that the node under test (on the same cores) should get.
  const needle = Buffer.from('"echo_ok"');
  let tail = Buffer.alloc(0);
  const finished = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (!seenInitOk && chunk.includes('init_ok')) {
        seenInitOk = true;
        initialised();
      }
      // A match split across two chunks lies within the last and first needle.length - 1 bytes.
      const seam = Buffer.concat([tail, chunk.subarray(0, needle.length - 1)]);
      if (seam.indexOf(needle) !== -1) replies++;
      for (let at = chunk.indexOf(needle); at !== -1; at = chunk.indexOf(needle, at + needle.length)) replies++;
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (needle.length - 1))));
      if (replies === count && doneAt === 0) {
        doneAt = performance.now();
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (doneAt === 0) reject(new Error(`${bin} exited (code ${code}, signal ${signal}) after ${replies} of ${count} replies`));
    });
  });
  finished.catch(() => undefined); // reported below, once awaited

  // Start-up (loading the program, init) is not what this measures.
  child.stdin.write(INIT_LINE);
  await Promise.race([initOk, finished]);
  const cpuAtStart = processCpuSeconds(child.pid);
  const startAt = performance.now();
  for (const chunk of input) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  await finished;
  // Read before stdin closes, while the process still exists.
  const cpuAtEnd = processCpuSeconds(child.pid);
  child.stdin.end();
  const exitCode = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const cpu = cpuAtStart !== undefined && cpuAtEnd !== undefined;
  return {
    wallS: (doneAt - startAt) / 1000,
    userS: cpu ? cpuAtEnd.userS - cpuAtStart.userS : undefined,
    systemS: cpu ? cpuAtEnd.systemS - cpuAtStart.systemS : undefined,
    exitCode,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

interface Summary {
  bestWallRate: number;
  bestCpuRate: number | undefined;
}

/** Runs `bin` `runs` times and prints each run and the best. */
async function measure(label: string, bin: string, count: number, runs: number): Promise<Summary> {
  const input = buildInput(count);
  const inputBytes = input.reduce((n, c) => n + c.length, 0);
  console.log(`${label}  ${bin}`);
  console.log(`  ${fmt(count)} echo requests after init (${(inputBytes / 1e6).toFixed(1)} MB in), ${runs} run${runs === 1 ? '' : 's'}`);
  let bestWallRate = 0;
  let bestCpuRate: number | undefined = undefined;
  for (let run = 1; run <= runs; run++) {
    const r = await runOnce(bin, input, count);
    const wallRate = count / r.wallS;
    bestWallRate = Math.max(bestWallRate, wallRate);
    let cpuText = '';
    if (r.userS !== undefined && r.systemS !== undefined) {
      // Wall time depends on whatever else the machine runs; the node's own
      // CPU time says what it would do on a free core.
      const cpuS = r.userS + r.systemS;
      const cpuRate = count / cpuS;
      bestCpuRate = Math.max(bestCpuRate ?? 0, cpuRate);
      cpuText = `; CPU ${cpuS.toFixed(2)} s (user ${r.userS.toFixed(2)}, system ${r.systemS.toFixed(2)}) = ${fmt(cpuRate)} requests per CPU-second`;
    }
    console.log(`  run ${run}: all answered in ${r.wallS.toFixed(3)} s = ${fmt(wallRate)} requests/s (wall clock)${cpuText}; exit code ${r.exitCode}`);
  }
  console.log(`  best: ${fmt(bestWallRate)} requests/s (wall clock)${bestCpuRate === undefined ? '' : `, ${fmt(bestCpuRate)} requests per CPU-second`}`);
  return { bestWallRate, bestCpuRate };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const ours = await measure('bench:node', options.bin, options.count, options.runs);
  if (options.demo === undefined) return;
  const demo = await measure("Maelstrom's JS demo echo node", options.demo, options.demoCount, 1);
  const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(1)}x` : 'n/a');
  console.log('side by side (best runs):');
  console.log(`  wall clock:     ${fmt(ours.bestWallRate)} vs ${fmt(demo.bestWallRate)} requests/s (${ratio(ours.bestWallRate, demo.bestWallRate)})`);
  if (ours.bestCpuRate !== undefined && demo.bestCpuRate !== undefined) {
    console.log(`  per CPU-second: ${fmt(ours.bestCpuRate)} vs ${fmt(demo.bestCpuRate)} requests (${ratio(ours.bestCpuRate, demo.bestCpuRate)})`);
  }
}

/** User and system CPU seconds of a live process, from /proc (Linux); undefined elsewhere. */
function processCpuSeconds(pid: number | undefined): { userS: number; systemS: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userS = Number(fields[11]) / CLOCK_TICKS_PER_S;
    const systemS = Number(fields[12]) / CLOCK_TICKS_PER_S;
    return Number.isFinite(userS) && Number.isFinite(systemS) ? { userS, systemS } : undefined;
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ, which /proc/<pid>/stat counts in (100 on every mainstream build). */
const CLOCK_TICKS_PER_S = 100;

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
