// "Nothing in a simulated path reads the real clock or Math.random" (#5), as
// a check on the source: every place in the harness, the viz, the nodes and
// the node library that reaches for wall time or ambient randomness is
// listed here with why it is harmless to a simulated run. A new one fails
// this test until it is either routed through the run's Clock and Rng or
// added here with its reason.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCANNED = ['src/harness', 'src/viz', 'src/nodes', 'src/node'];
const AMBIENT = /\bMath\.random\b|\bDate\.now\b|\bperformance\.now\b|\bnew Date\(\s*\)|\bprocess\.hrtime\b|\brandom(?:Int|Bytes|UUID)\b|\bsetTimeout\b|\bsetInterval\b/g;

/** file -> the ambient reads it may make (in order of appearance), and why each is harmless. */
const ALLOWED: Record<string, { uses: string[]; why: string }> = {
  'src/harness/ambient.ts': {
    uses: ['performance.now', 'Date.now', 'Math.random', 'Date.now', 'Math.random', 'Date.now', 'performance.now', 'Math.random', 'Date.now'],
    why: 'captures wall time for speed figures and directory names, and installs and removes the simulation stand-ins',
  },
  'src/harness/runner.ts': {
    uses: ['randomInt', 'randomInt', 'new Date()'],
    why: 'a random seed and a wall-clock directory name only when none is given (simulate always gives both)',
  },
  'src/harness/run/figures.ts': { uses: ['setTimeout', 'setTimeout'], why: 'the timer probe measures wall-time lateness for harness.json' },
  'src/harness/sim/supervisor.ts': { uses: ['setInterval'], why: 'the watchdog on the supervising thread, which only ends a worker that stopped making progress' },
  'src/harness/journal.ts': { uses: ['setTimeout'], why: 'when buffered journal bytes reach the disk, never what they say' },
  'src/harness/hosts/process.ts': { uses: ['setTimeout', 'setTimeout', 'setTimeout'], why: 'child processes exist only under eddy test' },
  'src/node/clock.ts': {
    uses: ['performance.now', 'performance.now', 'setTimeout', 'setTimeout', 'setTimeout'],
    why: 'RealClock, the wall clock that the simulator replaces with VirtualClock',
  },
  'src/node/node.ts': { uses: ['Math.random'], why: 'the default random of a Node outside a simulation; eddy sim passes env.random' },
};

function files(dir: string): string[] {
  return fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** The code without comments and string contents, so that prose mentioning Date.now does not count. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/`(?:\\.|[^`\\])*`|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, '""');
}

test('no simulated path reads the real clock or ambient randomness, except the places listed with their reasons', () => {
  const found: Record<string, string[]> = {};
  for (const file of SCANNED.flatMap(files)) {
    const uses = [...code(fs.readFileSync(path.join(repo, file), 'utf8')).matchAll(AMBIENT)].map((m) => m[0].replace(/\(\s*\)$/, '()'));
    if (uses.length > 0) found[file] = uses;
  }
  const expected = Object.fromEntries(Object.entries(ALLOWED).map(([f, a]) => [f, a.uses]));
  assert.deepEqual(found, expected);
});
