/**
 * `npm run bench [-- NAME ... [-- flags]]` (or `npm run bench NAME -- --flag ...`): runs the named benchmarks one
 * after another, or all of them when none is named. Each is its own script
 * in this directory (`bench/NAME.ts`; `npm run bench:NAME` runs some
 * directly); this only sequences them, each in a fresh process so one's warm
 * JIT or heap does not colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** Every bench script beside this one, in a fixed order: the original four first, then the rest by name. */
const FIRST = ['node', 'harness', 'broadcast', 'sim'];
const found = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'main.js')
  .map((f) => f.slice(0, -3));
const BENCHES = [...FIRST.filter((n) => found.includes(n)), ...found.filter((n) => !FIRST.includes(n)).sort()];
/** Benches that need data from outside the repository (porcupine: `--dir` of Porcupine's Jepsen logs): run only when named. */
const NAMED_ONLY = new Set(['porcupine']);

const argv = process.argv.slice(2);
// Names end at `--` or at the first flag: npm drops the `--` of
// `npm run bench porcupine -- --dir DIR`, so this sees `porcupine --dir DIR`.
let split = argv.findIndex((a) => a === '--' || a.startsWith('-'));
const names = split === -1 ? argv : argv.slice(0, split);
if (split !== -1 && argv[split] === '--') split++;
const flags = split === -1 ? [] : argv.slice(split);

for (const name of names) {
  if (!BENCHES.includes(name)) {
    console.error(`Unknown benchmark ${JSON.stringify(name)}; expected one or more of ${BENCHES.join(', ')}.`);
    process.exit(4);
  }
}

let worst = 0;
for (const name of names.length > 0 ? names : BENCHES.filter((n) => !NAMED_ONLY.has(n))) {
  console.log(`\n=== bench:${name} ===`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`), ...flags], { stdio: 'inherit' });
  const code = r.status ?? 1;
  if (code !== 0) console.error(`bench:${name} exited with ${r.status ?? r.signal}`);
  worst = Math.max(worst, code);
}
process.exit(worst);
