/**
 * `npm run bench [-- NAME ... [-- flags]]`: runs the named benchmarks (node,
 * harness, broadcast, sim) one after another, or all of them when none is
 * named. Each is its own script (`npm run bench:NAME` runs one directly);
 * this only sequences them, each in a fresh process so one's warm JIT or
 * heap does not colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const BENCHES = ['node', 'harness', 'broadcast', 'sim'] as const;
const here = dirname(fileURLToPath(import.meta.url));

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const names = split === -1 ? argv : argv.slice(0, split);
const flags = split === -1 ? [] : argv.slice(split + 1);

for (const name of names) {
  if (!(BENCHES as readonly string[]).includes(name)) {
    console.error(`Unknown benchmark ${JSON.stringify(name)}; expected one or more of ${BENCHES.join(', ')}.`);
    process.exit(4);
  }
}

let worst = 0;
for (const name of names.length > 0 ? names : BENCHES) {
  console.log(`\n=== bench:${name} ===`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`), ...flags], { stdio: 'inherit' });
  const code = r.status ?? 1;
  if (code !== 0) console.error(`bench:${name} exited with ${r.status ?? r.signal}`);
  worst = Math.max(worst, code);
}
process.exit(worst);
