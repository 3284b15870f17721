/**
 * `npm run bench elle`: the Elle list-append checker on seeded histories
 * with one large strongly connected component: 10,000 transactions (budget
 * 2 s) and 100,000 (budget 20 s), on one core, with peak heap and RSS.
 *
 * The generator plays a database that is not serializable in a realistic
 * way: each transaction reads the current state of its keys when it starts,
 * but its appends land only when it commits, 0-7 steps later, so concurrent
 * transactions miss each other's appends (rw edges both ways) and nearly
 * every transaction ends up in one component (with --long 0.9, 9,946 of
 * 10,000 and 99,950 of 100,000). Wall time on a shared machine swings with
 * its load; the cpu figure (user + system) is steadier. Keys roll over after 32
 * appends, as the Maelstrom generator's do after --max-writes-per-key.
 *
 *   npm run bench elle -- [--seed N] [--sizes 10000,100000] [--models strict-serializable] [--long 0.2]
 */
import { checkListAppend } from '../src/harness/checker/elle/index.js';
import { Rng } from '../src/harness/rng.js';
import type { Op } from '../src/harness/types.js';

export function listAppendHistory(txnCount: number, seed: number, longFraction = 0.2): Op[] {
  const rng = new Rng(seed);
  const keyCount = 10;
  const active: number[] = Array.from({ length: keyCount }, (_, i) => i);
  let nextKey = keyCount;
  const state = new Map<number, number[]>();
  const nextValue = new Map<number, number>();
  type Ev = { at: number; seq: number; op: Omit<Op, 'index'> };
  const events: Ev[] = [];
  const pending: { at: number; apply: () => void }[] = [];
  // A process never has two transactions open: lags are under 250 steps and process ids repeat every 1000.
  const processes = 1000;
  let seq = 0;
  for (let t = 0; t < txnCount; t++) {
    // Commit everything due by now.
    pending.sort((a, b) => a.at - b.at);
    while (pending.length > 0 && pending[0]!.at <= t) pending.shift()!.apply();
    const len = 1 + rng.int(4);
    const invoke: unknown[] = [];
    const done: unknown[] = [];
    const appends: [number, number][] = [];
    for (let m = 0; m < len; m++) {
      const slot = Math.min(keyCount - 1, Math.floor(-Math.log2(1 - rng.float()) ));
      const k = active[slot]!;
      if (rng.float() < 0.5 && !appends.some(([kk]) => kk === k)) {
        invoke.push(['r', k, null]);
        done.push(['r', k, [...(state.get(k) ?? [])]]);
      } else {
        const v = (nextValue.get(k) ?? 0) + 1;
        nextValue.set(k, v);
        if (v >= 32) active[slot] = nextKey++;
        invoke.push(['append', k, v]);
        done.push(['append', k, v]);
        appends.push([k, v]);
      }
    }
    // A fraction of the transactions (default one in five) stays open for 50-250 steps: its window links distant parts of the history into one component.
    const lag = rng.float() < longFraction ? 50 + rng.int(200) : rng.int(8);
    const process = t % processes;
    events.push({ at: t, seq: seq++, op: { time: t * 1000, process, type: 'invoke', f: 'txn', value: invoke } });
    events.push({ at: t + lag + 0.5, seq: seq++, op: { time: (t + lag) * 1000 + 500, process, type: 'ok', f: 'txn', value: done } });
    pending.push({ at: t + lag, apply: () => { for (const [k, v] of appends) state.set(k, [...(state.get(k) ?? []), v]); } });
  }
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return events.map((e, index) => ({ index, ...e.op }));
}

function main(): void {
  const args = process.argv.slice(2);
  const get = (f: string, d: string): string => { const i = args.indexOf(f); return i >= 0 ? args[i + 1]! : d; };
  const seed = Number(get('--seed', '1'));
  const sizes = get('--sizes', '10000,100000').split(',').map(Number);
  const models = get('--models', 'strict-serializable').split(',');
  const longFraction = Number(get('--long', '0.2'));
  for (const n of sizes) {
    const t0 = performance.now();
    const h = listAppendHistory(n, seed, longFraction);
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const r = checkListAppend(h, { consistencyModels: models, strict: true });
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const w = r.workload as unknown as Record<string, unknown>;
    const mem = process.memoryUsage();
    const budget = n <= 10_000 ? 2000 : 20_000;
    console.log(
      `list-append ${n} txns (seed ${seed}, long ${longFraction}, ${models.join(',')}): check ${(t2 - t1).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu (budget ${budget} ms${t2 - t1 <= budget ? ', ok' : ', OVER'}), ` +
        `generate ${(t1 - t0).toFixed(0)} ms; largest SCC ${w['largest-scc']}, valid? ${String(w['valid?'])}, types ${JSON.stringify(w['anomaly-types'] ?? [])}; ` +
        `heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB`,
    );
  }
}

main();
