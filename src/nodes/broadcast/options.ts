/**
 * The broadcast node's knobs: three named profiles (`fast`, `balanced`,
 * `frugal`) and the explicit flags that override them, parsed from the
 * arguments given after `--` (e.g. `eddy test ... --bin bin/eddy-broadcast
 * -- --profile frugal --hub-batch-ms 800`). Every flag maps onto one field
 * of `BroadcastOptions`; a bad flag is rejected with a message that names
 * it, the value given and what was expected.
 */

export type Profile = 'fast' | 'balanced' | 'frugal';
export const PROFILES: readonly Profile[] = ['fast', 'balanced', 'frugal'];

/**
 * - `direct`: the origin sends each new message straight to every other
 *   node (one hop); a hub only repairs what went missing.
 * - `star`: leaves send their messages to a hub, which relays them to every
 *   leaf in batches (two hops).
 */
export type Overlay = 'direct' | 'star';
export const OVERLAYS: readonly Overlay[] = ['direct', 'star'];

export interface BroadcastOptions {
  /** The profile the other fields default from. @default 'balanced' */
  profile: Profile;
  /** Dissemination shape. @default 'direct' for fast, 'star' otherwise */
  overlay: Overlay;
  /**
   * How many nodes (the first ones in id order) serve as hubs: the first
   * is the primary (star: relay; direct: repair); the others are fall-backs
   * that relay for leaves cut off from the primary (tried in turn when one
   * stays silent). @default 3
   */
  hubCount: number;
  /** Star: the hub sends what each leaf lacks every this many ms. @default 320 balanced, 800 frugal */
  hubBatchMs: number;
  /** Star: a leaf sends its new messages to the hub every this many ms (0 = at once). @default 0 balanced, 600 frugal */
  leafBatchMs: number;
  /**
   * A node that was sent data needing acknowledgement, and has sent nothing
   * back since, acknowledges on its own after this long. Acknowledgements
   * otherwise ride on traffic that flows anyway. @default 2000
   */
  ackDelayMs: number;
  /** Unacknowledged data is sent again after this long without progress... @default 3000 */
  retryMs: number;
  /** ...doubling on each retry up to this. @default 4000 */
  retryMaxMs: number;
  /** Star: a leaf whose messages the primary hub has not acknowledged for this long also sends them to a fall-back hub. @default 2 * hubBatchMs + 500 */
  failoverMs: number;
  /** Direct: the repair hub sends a node what it still lacks once the hub has held it this long. @default 2500 */
  repairDelayMs: number;
  /** Most messages carried in one inter-node message (bounds message size). @default 1000 */
  maxEntriesPerMessage: number;
  /** Housekeeping period (retries, delayed acks, repair, fail-over checks). @default 100 */
  tickMs: number;
}

/** Reliability knobs every profile shares; the profiles differ only in shape and batching. */
const SHARED_DEFAULTS = {
  hubCount: 3,
  ackDelayMs: 2000,
  retryMs: 3000,
  retryMaxMs: 4000,
  repairDelayMs: 2500,
  maxEntriesPerMessage: 1000,
  tickMs: 100,
} as const;

const PROFILE_DEFAULTS: Record<Profile, Omit<BroadcastOptions, 'failoverMs'>> = {
  fast: { ...SHARED_DEFAULTS, profile: 'fast', overlay: 'direct', hubBatchMs: 250, leafBatchMs: 0 },
  balanced: { ...SHARED_DEFAULTS, profile: 'balanced', overlay: 'star', hubBatchMs: 320, leafBatchMs: 0 },
  frugal: { ...SHARED_DEFAULTS, profile: 'frugal', overlay: 'star', hubBatchMs: 800, leafBatchMs: 600 },
};

/** The options of a profile, with nothing overridden. */
export function profileOptions(profile: Profile): BroadcastOptions {
  const base = PROFILE_DEFAULTS[profile];
  return { ...base, failoverMs: 2 * base.hubBatchMs + 500 };
}

/** A command-line argument the node cannot accept; the message names the flag. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

interface IntFlag {
  field: keyof BroadcastOptions;
  min: number;
}

const INT_FLAGS: Record<string, IntFlag> = {
  '--hubs': { field: 'hubCount', min: 1 },
  '--hub-batch-ms': { field: 'hubBatchMs', min: 1 },
  '--leaf-batch-ms': { field: 'leafBatchMs', min: 0 },
  '--ack-delay-ms': { field: 'ackDelayMs', min: 0 },
  '--retry-ms': { field: 'retryMs', min: 1 },
  '--retry-max-ms': { field: 'retryMaxMs', min: 1 },
  '--failover-ms': { field: 'failoverMs', min: 1 },
  '--repair-delay-ms': { field: 'repairDelayMs', min: 0 },
  '--max-entries': { field: 'maxEntriesPerMessage', min: 1 },
  '--tick-ms': { field: 'tickMs', min: 1 },
};

export const USAGE = `eddy-broadcast [--profile fast|balanced|frugal] [--overlay direct|star]
  [--hubs N] [--hub-batch-ms MS] [--leaf-batch-ms MS] [--ack-delay-ms MS]
  [--retry-ms MS] [--retry-max-ms MS] [--failover-ms MS] [--repair-delay-ms MS]
  [--max-entries N] [--tick-ms MS]`;

/**
 * Parses `--flag value` / `--flag=value` arguments. The profile is applied
 * first wherever it appears, then explicit flags override it.
 */
export function parseOptions(args: readonly string[]): BroadcastOptions {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // A bare `--` is how runners separate their flags from the node's; skip it.
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new OptionsError(`Unexpected argument ${JSON.stringify(arg)}; usage: ${USAGE}`);
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      pairs.push([arg.slice(0, eq), arg.slice(eq + 1)]);
    } else {
      const value = args[i + 1];
      if (value === undefined) throw new OptionsError(`Expected a value after ${arg}`);
      pairs.push([arg, value]);
      i++;
    }
  }

  let profile: Profile = 'balanced';
  for (const [flag, value] of pairs) {
    if (flag !== '--profile') continue;
    if (!(PROFILES as readonly string[]).includes(value)) {
      throw new OptionsError(`Expected --profile to be one of ${PROFILES.join(', ')}, got ${JSON.stringify(value)}`);
    }
    profile = value as Profile;
  }
  const opts = profileOptions(profile);
  let failoverGiven = false;
  for (const [flag, value] of pairs) {
    if (flag === '--profile') continue;
    if (flag === '--overlay') {
      if (!(OVERLAYS as readonly string[]).includes(value)) {
        throw new OptionsError(`Expected --overlay to be one of ${OVERLAYS.join(', ')}, got ${JSON.stringify(value)}`);
      }
      opts.overlay = value as Overlay;
      continue;
    }
    const spec = INT_FLAGS[flag];
    if (spec === undefined) throw new OptionsError(`Unknown flag ${flag}; usage: ${USAGE}`);
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < spec.min) {
      throw new OptionsError(`Expected ${flag} to be an integer from ${spec.min} and up, got ${JSON.stringify(value)}`);
    }
    (opts as unknown as Record<string, number>)[spec.field] = n;
    if (spec.field === 'failoverMs') failoverGiven = true;
  }
  if (!failoverGiven) opts.failoverMs = 2 * opts.hubBatchMs + 500;
  if (opts.retryMaxMs < opts.retryMs) {
    throw new OptionsError(`Expected --retry-max-ms (${opts.retryMaxMs}) to be at least --retry-ms (${opts.retryMs})`);
  }
  return opts;
}
