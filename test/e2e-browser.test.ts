/**
 * End to end in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) opens `eddy serve`'s run list, clicks into a
 * run, and sees the Lamport diagram with its arrows; then compares two runs. Screenshots of both
 * pages go to the system temp directory for a human to look at.
 *
 * Skips, saying why, when chromium or playwright-core is not installed
 * (`.ci/run` installs both).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/serve/index.js';
import { writeFixtureStore } from './viz-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
/** Chromium with nothing that talks to the network or needs a GPU or sandbox (containers). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function loadPlaywright(): Promise<{ chromium: any } | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install chromium)`;
  // A computed name: playwright-core is a dev dependency that may be absent, and tsc must not require it.
  const name = 'playwright-core';
  try {
    return (await import(name)) as { chromium: any };
  } catch {
    return 'playwright-core is not installed (npm install --save-dev playwright-core)';
  }
}

const playwright = await loadPlaywright();

test(
  'in Chromium: the run list opens, clicking a run shows its verdict and the message diagram, two ticked runs compare',
  { skip: typeof playwright === 'string' ? playwright : false, timeout: 120_000 },
  async () => {
    const { chromium } = playwright as { chromium: any };
    const scratch = mkdtempSync(join(tmpdir(), 'eddy-e2e-'));
    const store = join(scratch, 'store');
    const runs = writeFixtureStore(store);
    const server = await startServer({ store, port: 0 });
    const context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(server.url);
      const rows = page.locator('#runs tbody tr');
      assert.equal(await rows.count(), runs.length);
      assert.equal(await rows.first().getAttribute('data-run'), runs[runs.length - 1], 'newest first');
      await page.screenshot({ path: join(tmpdir(), 'eddy-e2e-list.png') });

      const target = runs[1] as string; // the invalid one
      await page.click(`a[href="/run/${target}/"]`);
      await page.waitForURL(`**/run/${target}/`);
      assert.match(await page.locator('#verdict').innerText(), /Invalid/);
      const diagram = page.locator('object[data-picture="messages.svg"]');
      await diagram.waitFor({ state: 'visible' });
      const box = await diagram.boundingBox();
      assert.ok(box !== null && box.width > 300 && box.height > 300, `diagram is drawn at a readable size: ${JSON.stringify(box)}`);
      // The SVG inside the <object> is loaded and has its arrows and node lines.
      const counts = await page.waitForFunction(
        () => {
          // Runs in the page; the DOM types are not in this project's lib.
          const doc = (globalThis as any).document.querySelector('object[data-picture="messages.svg"]')?.contentDocument;
          const arrows = doc?.querySelectorAll('line.msg').length ?? 0;
          return arrows > 0 ? { arrows, nodes: doc?.querySelectorAll('line.node').length ?? 0 } : null;
        },
        undefined,
        { timeout: 30_000 },
      );
      const { arrows, nodes } = (await counts.jsonValue()) as { arrows: number; nodes: number };
      assert.ok(arrows > 20, `${arrows} arrows`);
      assert.ok(nodes >= 4, `${nodes} node lines`);
      await page.screenshot({ path: join(tmpdir(), 'eddy-e2e-run.png') });

      // Back on the list, tick two runs and compare them.
      await page.goto(server.url);
      await page.check(`input[value="${runs[0]}"]`);
      await page.check(`input[value="${runs[1]}"]`);
      await page.click('button[type="submit"]');
      await page.waitForURL('**/compare?**');
      const compare = await page.locator('#compare').innerText();
      assert.match(compare, /lost\s+0\s+2\s+\+2/i, 'A is the older run');
      assert.equal(await page.locator('object[data-picture="messages.svg"]').count(), 2);
    } finally {
      await context.close();
      await server.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);
