// Flow control in the process host: the runner can pause a node's output
// (its lines stop arriving, the node waits on its full pipe) and resume it
// (nothing was lost). That timers stay on time under a flood is shown by
// test/harden-storm.test.ts, where the load is big enough to matter.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ProcessHost } from '../src/harness/hosts/process.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-host-flow-'));
const counter = path.join(dir, 'counter.mjs');
// Writes numbered lines as fast as the pipe takes them, forever.
fs.writeFileSync(counter, `#!/usr/bin/env node
let i = 0;
const pump = () => { while (process.stdout.write(String(i++).padStart(60, '0') + '\\n')); };
process.stdout.on('drain', pump);
pump();
`, { mode: 0o755 });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('pauseOutput stops the lines, resumeOutput brings them back with none lost or reordered', async () => {
  const lines: number[] = [];
  const node = new ProcessHost(counter).start('n0', { onLine: (l) => lines.push(Number(l)), onStderr() {}, onExit() {} });
  try {
    await sleep(300);
    node.pauseOutput!();
    await sleep(100); // what was already read is still being worked off
    const paused = lines.length;
    await sleep(300);
    assert.ok(lines.length - paused < 2000, `lines kept arriving while paused: ${lines.length - paused}`);
    node.resumeOutput!();
    await sleep(300);
    assert.ok(lines.length > paused + 2000, 'lines arrive again after resume');
    lines.forEach((n, i) => assert.equal(n, i, 'every line, in order'));
  } finally {
    await node.stop(100);
  }
});
