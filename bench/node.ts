/**
 * Throughput of a node process on the library's hot path (read a line,
 * parse it, dispatch, stringify the reply, write it): spawns an echo node,
 * sends `init` and then a burst of echo requests as fast as its stdin takes
 * them, and counts `echo_ok` replies on its stdout.
 *
 *   npm run bench:node                       # bin/eddy-echo, 200,000 requests
 *   node dist/bench/node.js --bin /tmp/mdemo/echo.js --count 50000
 *
 * `--bin` may be any Maelstrom echo node: an executable, or a .js file run
 * with this Node.js. Its stderr goes to /dev/null, so nodes that log every
 * message are not slowed down by a slow log reader.
 */

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface BenchOptions {
  /** The echo node to run. @default bin/eddy-echo of this checkout */
  bin: string;
  /** Echo requests to send after init. @default 200000 */
  count: number;
}

function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    bin: fileURLToPath(new URL('../../bin/eddy-echo', import.meta.url)),
    count: 200_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--bin' && value !== undefined) {
      options.bin = value;
      i++;
    } else if (flag === '--count' && value !== undefined) {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 1) throw new Error(`Expected --count to be an integer >= 1, got ${JSON.stringify(value)}`);
      options.count = count;
      i++;
    } else {
      throw new Error(`Unknown argument ${JSON.stringify(flag)}; expected --bin PATH or --count N`);
    }
  }
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

async function main(): Promise<void> {
  const { bin, count } = parseArgs(process.argv.slice(2));
  const input = buildInput(count);
  const inputBytes = input.reduce((n, c) => n + c.length, 0);
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
  const cpuAtStartS = processCpuSeconds(child.pid);
  const startAt = performance.now();
  for (const chunk of input) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  const writtenAt = performance.now();
  await finished;
  // Read before stdin closes, while the process still exists.
  const cpuAtEndS = processCpuSeconds(child.pid);
  child.stdin.end();
  const exitCode = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

  const wallS = (doneAt - startAt) / 1000;
  const rate = Math.round(count / wallS);
  console.log(`bench:node  ${bin}`);
  console.log(`  ${count.toLocaleString('en-US')} echo requests after init (${(inputBytes / 1e6).toFixed(1)} MB in), all answered`);
  console.log(`  input written in ${((writtenAt - startAt) / 1000).toFixed(3)} s, last reply after ${wallS.toFixed(3)} s, exit code ${exitCode}`);
  console.log(`  ${rate.toLocaleString('en-US')} requests/s (wall clock)`);
  if (cpuAtStartS !== undefined && cpuAtEndS !== undefined) {
    // Wall time depends on whatever else the machine runs; the node's own
    // CPU time says what it would do on a free core.
    const cpuS = cpuAtEndS - cpuAtStartS;
    const cpuRate = Math.round(count / cpuS);
    console.log(`  node used ${cpuS.toFixed(2)} s of CPU for them: ${cpuRate.toLocaleString('en-US')} requests per CPU-second`);
  }
}

/** User + system CPU seconds of a live process, from /proc (Linux); undefined elsewhere. */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_S : undefined;
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
