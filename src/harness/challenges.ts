/**
 * The Gossip Glomers challenges (fly.io/dist-sys) as data: each one's
 * workload flags exactly as its page publishes them (without `--bin`), the
 * targets the page sets, and the eddy reference node that solves it. `eddy
 * challenge NAME` and `eddy sim --challenge NAME` run these flags; the
 * runner adds the judgement (`judgeChallenge`) to results.json.
 *
 * The judgement reads the figures the checkers already wrote (the
 * workloads' own `Figure` readers: servers' msgs-per-op from the net
 * checker, set-full's stable-latency quantiles, the availability
 * checker's ok fraction); it computes nothing of its own.
 *
 * Page quirks kept out of the presets: 6c's page writes `–-nemesis` with an
 * en dash (which Maelstrom takes as a stray argument, so partitions are
 * silently off); the preset has `--nemesis partition`. 6b's page gives two
 * commands; the second, with `--availability total --nemesis partition`,
 * is the one the challenge asks to pass. 3d and 3e run without partitions,
 * as their pages' commands do.
 */
import { availabilityFigure, netFigure, stableMaxFigure, stableMedianFigure } from './workloads/figures.js';
import type { Figure } from './workloads/workload.js';

/** What a challenge's page asks of a run. */
export type Target =
  /** Maelstrom's verdict must be valid (it folds in `--availability` when the flags give it). */
  | { readonly kind: 'valid' }
  /** The availability checker must pass: every operation ok for `total`. Only where the flags ask for it. */
  | { readonly kind: 'availability' }
  /** Servers' msgs-per-op strictly below `below`. */
  | { readonly kind: 'msgs-per-op'; readonly below: number }
  /** Median stable latency strictly below `belowMs`. */
  | { readonly kind: 'stable-latency-median'; readonly belowMs: number }
  /** Maximum stable latency strictly below `belowMs`. */
  | { readonly kind: 'stable-latency-max'; readonly belowMs: number };

export interface Challenge {
  /** As the pages number them: "1", "2", "3a" ... "6c". */
  readonly name: string;
  readonly title: string;
  readonly page: string;
  /** The registry workload the flags name (`-w`). */
  readonly workload: string;
  /** The page's `maelstrom test` flags, `-w` first, without `--bin` (6c with a plain `--nemesis`). */
  readonly flags: readonly string[];
  readonly targets: readonly Target[];
  /** eddy's reference node that passes it (`bin/<node>`; `eddy sim --challenge` builds the same node in-process). */
  readonly node: string;
  /** What the page asks beyond the targets, when it sets no bound for it. */
  readonly note?: string;
}

const VALID: Target = { kind: 'valid' };
const AVAILABLE: Target = { kind: 'availability' };

const BROADCAST = ['-w', 'broadcast'];
const KAFKA_2 = ['-w', 'kafka', '--node-count', '2', '--concurrency', '2n', '--time-limit', '20', '--rate', '1000'];
const TXN = ['-w', 'txn-rw-register'];

const CHALLENGES: readonly Challenge[] = [
  {
    name: '1',
    title: 'Echo',
    page: 'https://fly.io/dist-sys/1/',
    workload: 'echo',
    flags: ['-w', 'echo', '--node-count', '1', '--time-limit', '10'],
    targets: [VALID],
    node: 'eddy-echo',
  },
  {
    name: '2',
    title: 'Unique ID Generation',
    page: 'https://fly.io/dist-sys/2/',
    workload: 'unique-ids',
    flags: ['-w', 'unique-ids', '--time-limit', '30', '--rate', '1000', '--node-count', '3', '--availability', 'total', '--nemesis', 'partition'],
    targets: [VALID, AVAILABLE],
    node: 'eddy-unique-ids',
  },
  {
    name: '3a',
    title: 'Single-Node Broadcast',
    page: 'https://fly.io/dist-sys/3a/',
    workload: 'broadcast',
    flags: [...BROADCAST, '--node-count', '1', '--time-limit', '20', '--rate', '10'],
    targets: [VALID],
    node: 'eddy-broadcast',
  },
  {
    name: '3b',
    title: 'Multi-Node Broadcast',
    page: 'https://fly.io/dist-sys/3b/',
    workload: 'broadcast',
    flags: [...BROADCAST, '--node-count', '5', '--time-limit', '20', '--rate', '10'],
    targets: [VALID],
    node: 'eddy-broadcast',
  },
  {
    name: '3c',
    title: 'Fault-Tolerant Broadcast',
    page: 'https://fly.io/dist-sys/3c/',
    workload: 'broadcast',
    flags: [...BROADCAST, '--node-count', '5', '--time-limit', '20', '--rate', '10', '--nemesis', 'partition'],
    targets: [VALID],
    node: 'eddy-broadcast',
  },
  {
    name: '3d',
    title: 'Efficient Broadcast, Part I',
    page: 'https://fly.io/dist-sys/3d/',
    workload: 'broadcast',
    flags: [...BROADCAST, '--node-count', '25', '--time-limit', '20', '--rate', '100', '--latency', '100'],
    targets: [VALID, { kind: 'msgs-per-op', below: 30 }, { kind: 'stable-latency-median', belowMs: 400 }, { kind: 'stable-latency-max', belowMs: 600 }],
    node: 'eddy-broadcast',
    note: 'The page also asks for correctness with --nemesis partition; there the latency targets are not expected to hold, so read the valid? line.',
  },
  {
    name: '3e',
    title: 'Efficient Broadcast, Part II',
    page: 'https://fly.io/dist-sys/3e/',
    workload: 'broadcast',
    flags: [...BROADCAST, '--node-count', '25', '--time-limit', '20', '--rate', '100', '--latency', '100'],
    targets: [VALID, { kind: 'msgs-per-op', below: 20 }, { kind: 'stable-latency-median', belowMs: 1000 }, { kind: 'stable-latency-max', belowMs: 2000 }],
    node: 'eddy-broadcast',
  },
  {
    name: '4',
    title: 'Grow-Only Counter',
    page: 'https://fly.io/dist-sys/4/',
    workload: 'g-counter',
    flags: ['-w', 'g-counter', '--node-count', '3', '--rate', '100', '--time-limit', '20', '--nemesis', 'partition'],
    targets: [VALID],
    node: 'eddy-g-counter',
  },
  {
    name: '5a',
    title: 'Single-Node Kafka-Style Log',
    page: 'https://fly.io/dist-sys/5a/',
    workload: 'kafka',
    flags: ['-w', 'kafka', '--node-count', '1', '--concurrency', '2n', '--time-limit', '20', '--rate', '1000'],
    targets: [VALID],
    node: 'eddy-kafka',
  },
  {
    name: '5b',
    title: 'Multi-Node Kafka-Style Log',
    page: 'https://fly.io/dist-sys/5b/',
    workload: 'kafka',
    flags: KAFKA_2,
    targets: [VALID],
    node: 'eddy-kafka',
  },
  {
    name: '5c',
    title: 'Efficient Kafka-Style Log',
    page: 'https://fly.io/dist-sys/5c/',
    workload: 'kafka',
    flags: KAFKA_2,
    targets: [VALID],
    node: 'eddy-kafka',
    note: 'The page sets no bound: fewer msgs-per-op than your 5b, better latency and availability.',
  },
  {
    name: '6a',
    title: 'Single-Node, Totally-Available Transactions',
    page: 'https://fly.io/dist-sys/6a/',
    workload: 'txn-rw-register',
    flags: [...TXN, '--node-count', '1', '--time-limit', '20', '--rate', '1000', '--concurrency', '2n', '--consistency-models', 'read-uncommitted', '--availability', 'total'],
    targets: [VALID, AVAILABLE],
    node: 'eddy-txn-rw-register',
  },
  {
    name: '6b',
    title: 'Totally-Available, Read Uncommitted Transactions',
    page: 'https://fly.io/dist-sys/6b/',
    workload: 'txn-rw-register',
    flags: [
      ...TXN,
      '--node-count', '2', '--concurrency', '2n', '--time-limit', '20', '--rate', '1000',
      '--consistency-models', 'read-uncommitted', '--availability', 'total', '--nemesis', 'partition',
    ],
    targets: [VALID, AVAILABLE],
    node: 'eddy-txn-rw-register',
  },
  {
    name: '6c',
    title: 'Totally-Available, Read Committed Transactions',
    page: 'https://fly.io/dist-sys/6c/',
    workload: 'txn-rw-register',
    flags: [
      ...TXN,
      '--node-count', '2', '--concurrency', '2n', '--time-limit', '20', '--rate', '1000',
      '--consistency-models', 'read-committed', '--availability', 'total', '--nemesis', 'partition',
    ],
    targets: [VALID, AVAILABLE],
    node: 'eddy-txn-rw-register',
  },
];

const byName = new Map(CHALLENGES.map((c) => [c.name, c]));

/** Every challenge, in the pages' order. */
export function challenges(): readonly Challenge[] {
  return CHALLENGES;
}

/** The challenge named `name` ("3d", also "#3d"), or undefined. */
export function findChallenge(name: string): Challenge | undefined {
  return byName.get(name.replace(/^#/, '').toLowerCase());
}

/** One sentence for a name that is no challenge. */
export function unknownChallengeSentence(name: string): string {
  return `There is no Gossip Glomers challenge "${name}"; the challenges are ${CHALLENGES.map((c) => c.name).join(', ')} (eddy challenge --list shows them).`;
}

// ---- judging ----------------------------------------------------------------------

/** One target judged against one run. */
export interface TargetJudgement {
  /** What is measured, e.g. "msgs-per-op (servers)". */
  readonly target: string;
  /** The measured value as the results map has it (null when the run has none). */
  readonly value: number | boolean | string | null;
  /** The value as printed, e.g. "11.88", "76 ms", "none". */
  readonly measured: string;
  /** The bound as printed, e.g. "< 30", "< 400 ms", "true". */
  readonly bound: string;
  readonly pass: boolean;
}

/** What results.json's "challenge" holds. */
export interface ChallengeJudgement {
  readonly name: string;
  readonly title: string;
  readonly page: string;
  readonly passed: boolean;
  readonly targets: readonly TargetJudgement[];
  /** Flags given on top of the preset that change the test, as typed (e.g. "--rate 50"); empty when the run used the page's flags. */
  readonly overrides: readonly string[];
}

function numeric(target: string, figure: Figure, results: Record<string, unknown>, below: number, unit: string, digits: number): TargetJudgement {
  const v = figure.value(results);
  const u = unit === '' ? '' : ` ${unit}`;
  return {
    target,
    value: v,
    measured: v === null ? 'none' : `${v.toFixed(digits)}${u}`,
    bound: `< ${below}${u}`,
    pass: v !== null && v < below,
  };
}

/**
 * Judges one target from a run's results map (results.json as the checkers
 * wrote it); `availability` is the run's `--availability` (for the bound's
 * wording only: whether it was met is the availability checker's say).
 */
export function judgeTarget(t: Target, results: Record<string, unknown>, availability: number | 'total' | null = 'total'): TargetJudgement {
  switch (t.kind) {
    case 'valid': {
      const v = results['valid?'];
      const value = v === true || v === false || typeof v === 'string' ? v : null;
      return { target: 'valid?', value, measured: value === null ? 'none' : String(value), bound: 'true', pass: v === true };
    }
    case 'availability': {
      const a = results['availability'];
      const ok = typeof a === 'object' && a !== null && (a as Record<string, unknown>)['valid?'] === true;
      const j = numeric('availability (ok fraction)', availabilityFigure, results, Infinity, '', 4);
      const bound = availability === 'total' ? '= 1 (total)' : availability === null ? 'none asked' : `>= ${availability}`;
      return { ...j, bound, pass: ok && j.value !== null && availability !== null };
    }
    case 'msgs-per-op':
      return numeric('msgs-per-op (servers)', netFigure, results, t.below, '', 2);
    case 'stable-latency-median':
      return numeric('stable latency, median', stableMedianFigure, results, t.belowMs, 'ms', 0);
    case 'stable-latency-max':
      return numeric('stable latency, max', stableMaxFigure, results, t.belowMs, 'ms', 0);
  }
}

/** The challenge's judgement of a run; `overrides` are the flags given beyond the page's. */
export function judgeChallenge(
  c: Challenge,
  results: Record<string, unknown>,
  run: { readonly availability?: number | 'total' | null; readonly overrides?: readonly string[] } = {},
): ChallengeJudgement {
  const availability = run.availability === undefined ? 'total' : run.availability;
  const overrides = run.overrides ?? [];
  const targets = c.targets.map((t) => judgeTarget(t, results, availability));
  return { name: c.name, title: c.title, page: c.page, passed: targets.every((t) => t.pass), targets, overrides: [...overrides] };
}

/** The bound a target sets, as `--list` and the README show it. */
export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'valid':
      return 'valid';
    case 'availability':
      return 'availability total';
    case 'msgs-per-op':
      return `msgs-per-op < ${t.below}`;
    case 'stable-latency-median':
      return `median stable latency < ${t.belowMs} ms`;
    case 'stable-latency-max':
      return `max stable latency < ${t.belowMs} ms`;
  }
}

/**
 * The judgement as printed at the end of a run: a heading, then one line
 * per target (what, measured, bound, pass/fail).
 */
export function formatJudgement(j: ChallengeJudgement): string[] {
  const width = Math.max(...j.targets.map((t) => t.target.length));
  const mWidth = Math.max(...j.targets.map((t) => t.measured.length));
  const bWidth = Math.max(...j.targets.map((t) => t.bound.length));
  const met = j.targets.filter((t) => t.pass).length;
  const flags = j.overrides.length > 0 ? ` with flags that are not the challenge's (${j.overrides.join(' ')})` : '';
  return [
    `Challenge ${j.name} (${j.title}) ${j.passed ? 'passed' : 'not passed'}${flags}: ${met} of ${j.targets.length} targets met.`,
    ...j.targets.map((t) => `  ${t.target.padEnd(width)}  ${t.measured.padStart(mWidth)}  ${t.bound.padEnd(bWidth)}  ${t.pass ? 'pass' : 'FAIL'}`),
  ];
}

/**
 * Exit code of a run that was carried out and valid but missed a target of
 * its challenge (eddy's others: 0 valid, 1 invalid, 2 unknown, 3 the run
 * could not be carried out, 4 bad command line).
 */
export const EXIT_CHALLENGE_NOT_MET = 5;

/** The judgement of a finished run whose options name a challenge (what the runner writes under "challenge"). */
export function judgeRun(
  options: { readonly challenge: { readonly name: string; readonly overrides: readonly string[] } | null; readonly availability: number | 'total' | null },
  results: Record<string, unknown>,
): ChallengeJudgement | null {
  if (options.challenge === null) return null;
  const c = findChallenge(options.challenge.name);
  if (c === undefined) throw new Error(`No challenge is named ${JSON.stringify(options.challenge.name)}`);
  return judgeChallenge(c, results, { availability: options.availability, overrides: options.challenge.overrides });
}

/** The judgement a results map carries under "challenge", or null. */
export function challengeOf(results: Record<string, unknown>): ChallengeJudgement | null {
  const j = results['challenge'];
  if (typeof j !== 'object' || j === null) return null;
  const r = j as Record<string, unknown>;
  if (typeof r['name'] !== 'string' || typeof r['passed'] !== 'boolean' || !Array.isArray(r['targets'])) return null;
  return j as ChallengeJudgement;
}

/**
 * A challenge run's exit code: the verdict's when it is not valid (1, 2,
 * 3), else 0 if every target was met and EXIT_CHALLENGE_NOT_MET if not.
 */
export function challengeExitCode(verdictExitCode: number, results: Record<string, unknown>): number {
  if (verdictExitCode !== 0) return verdictExitCode;
  const j = challengeOf(results);
  return j === null || j.passed ? 0 : EXIT_CHALLENGE_NOT_MET;
}
