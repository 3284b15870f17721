/**
 * Pictures of a run, drawn from its recorded files only (the journal and
 * history are the source of truth, never live state): `messages.svg`,
 * `latency-raw.svg`, `latency-quantiles.svg`, `rate.svg`, for broadcast
 * `stable-latency.svg`, and `timeline.html`, written into the run directory.
 *
 * Hand-written SVG/HTML rather than a plotting library: no dependency, no
 * native code, nothing fetched at view time, and string building draws the
 * 10,000-event diagram in well under a second. Rendering never throws: an
 * aborted or running run gets pictures of what exists.
 */
import { realpath, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HISTORY_ORIGIN_KEY, type JournalEvent, type Op } from '../harness/types.js';
import { renderMessagesSvg } from './lamport.js';
import { faultIntervals, kindOf, type PartitionInterval } from './nemesis.js';
import { pairOps, renderLatencyQuantiles, renderLatencyRaw, renderRate } from './perf.js';
import { asRecord, readHistory, readJournalWindow, readJsonFile } from './run-files.js';
import { renderTimelineHtml } from './timeline.js';
import { findWorkload, guessWorkload } from '../harness/workloads/registry.js';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';

export { elementOutcomes } from './stable.js';

/** How many journal events `messages.svg` draws (as Maelstrom). */
export const JOURNAL_EVENT_LIMIT = 10_000;
/** How many further events are read to tell dropped messages from ones still in flight. */
const LOOK_AHEAD_EVENTS = 50_000;

/** Every file renderRun may write, in the order a run page shows them. */
export const PICTURE_FILES = [
  'messages.svg',
  'stable-latency.svg',
  'latency-raw.svg',
  'latency-quantiles.svg',
  'rate.svg',
  'timeline.html',
] as const;

export interface RenderOptions {
  /**
   * The first journal events, if the caller already holds them (the runner
   * does): saves re-reading them from `journal.jsonl`.
   * @default read from journal.jsonl
   */
  firstEvents?: JournalEvent[];
  /**
   * The run's whole history, if the caller already holds it (the runner
   * does): saves parsing `history.jsonl` again.
   * @default read from history.jsonl
   */
  history?: readonly Op[];
}

/**
 * Draws the pictures of the run in `dir` and returns the paths written.
 * Never throws: missing or damaged inputs give emptier pictures, and a
 * picture that cannot be written is left out of the list.
 */
export async function renderRun(dir: string, opts: RenderOptions = {}): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) return [];
  } catch {
    return [];
  }
  const [history, testRecord, resultsRecord, window] = await Promise.all([
    opts.history ?? readHistory(dir),
    readJsonFile(join(dir, 'test.json')),
    readJsonFile(join(dir, 'results.json')),
    readJournalWindow(dir, JOURNAL_EVENT_LIMIT, LOOK_AHEAD_EVENTS, opts.firstEvents),
  ]);
  const test = asRecord(testRecord) ?? {};
  const workload = typeof test.workload === 'string' ? test.workload : (guessWorkload(new Set(history.map((op) => op.f)))?.name ?? null);
  // Named after the real directory: `STORE/latest` is a symlink, and "latest" says nothing once newer runs exist.
  const runName = `${workload ?? 'run'} ${basename(await realpath(dir).catch(() => dir))}`;
  const partitions = faultIntervals(history);
  const pairs = pairOps(history);

  const pictures: [string, () => string][] = [
    ['messages.svg', () => renderMessagesSvg(window, onJournalClock(partitions, test), `Messages — ${runName}`)],
    ['latency-raw.svg', () => renderLatencyRaw(history, pairs, partitions)],
    ['latency-quantiles.svg', () => renderLatencyQuantiles(history, pairs, partitions)],
    ['rate.svg', () => renderRate(history, pairs, partitions)],
    ['timeline.html', () => renderTimelineHtml(history, `Timeline — ${runName}`)],
  ];
  const def = workload === null ? undefined : findWorkload(workload);
  if (def?.pictures !== undefined) {
    try {
      const own = def.pictures({
        history,
        results: asRecord(resultsRecord) ?? {},
        test,
        faults: partitions.map((p) => ({ ...p, kind: kindOf(p) })),
      });
      for (const p of own) pictures.push([p.file, () => p.text]);
    } catch {
      // A workload's picture that cannot be drawn is left out; the run's verdict stands.
    }
  }
  const written: string[] = [];
  for (const [name, draw] of pictures) {
    const path = join(dir, name);
    try {
      if (name.includes('/')) await mkdir(dirname(path), { recursive: true });
      // Write then rename, so `eddy serve` never shows a half-written picture.
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, draw());
      await rename(tmp, path);
      written.push(path);
    } catch {
      // A read-only or vanished directory: leave this picture out.
    }
  }
  return written;
}

/**
 * Partition intervals moved from history time to journal time, where the
 * message diagram draws them: the history starts counting once every node
 * has answered init, the journal at the harness's start (test.json says how
 * far apart the two are; runs written before eddy recorded it used one clock).
 */
function onJournalClock(partitions: PartitionInterval[], test: Record<string, unknown>): PartitionInterval[] {
  const originNs = test[HISTORY_ORIGIN_KEY];
  if (typeof originNs !== 'number' || !Number.isFinite(originNs) || originNs === 0) return partitions;
  const shiftMs = originNs / 1e6;
  return partitions.map((p) => ({ ...p, startMs: p.startMs + shiftMs, endMs: p.endMs + shiftMs }));
}
