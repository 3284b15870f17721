/**
 * eddy-txn-rw-register's knobs, parsed from the arguments after `--`:
 * profiles trade messages between servers for how soon other nodes see a
 * commit; explicit flags override the profile. A bad flag stops the node
 * with a sentence naming it.
 */

export type Profile = 'fast' | 'balanced' | 'frugal';
export const PROFILES: readonly Profile[] = ['fast', 'balanced', 'frugal'];

export interface RwRegisterOptions {
  /** @default 'balanced' */
  profile: Profile;
  /** Commits are sent to peers every this many ms; 0 sends each commit at once. @default 0 fast, 50 balanced, 500 frugal */
  gossipMs: number;
  /** Commits a peer has not acknowledged are sent again after this long. @default 1000 */
  retryMs: number;
  /** Most commits in one gossip message (bounds message size). @default 500 */
  maxCommitsPerMessage: number;
}

const BASE = { retryMs: 1000, maxCommitsPerMessage: 500 } as const;
const PROFILE_DEFAULTS: Record<Profile, RwRegisterOptions> = {
  fast: { ...BASE, profile: 'fast', gossipMs: 0 },
  balanced: { ...BASE, profile: 'balanced', gossipMs: 50 },
  frugal: { ...BASE, profile: 'frugal', gossipMs: 500 },
};

export const USAGE = 'eddy-txn-rw-register [--profile fast|balanced|frugal] [--gossip-ms MS] [--retry-ms MS] [--max-commits N]';

export class OptionsError extends Error {
  override name = 'OptionsError';
}

const INT_FLAGS: Record<string, { field: 'gossipMs' | 'retryMs' | 'maxCommitsPerMessage'; min: number }> = {
  '--gossip-ms': { field: 'gossipMs', min: 0 },
  '--retry-ms': { field: 'retryMs', min: 1 },
  '--max-commits': { field: 'maxCommitsPerMessage', min: 1 },
};

export function profileOptions(profile: Profile): RwRegisterOptions {
  return { ...PROFILE_DEFAULTS[profile] };
}

/** Parses `--flag value` / `--flag=value`; the profile applies first wherever it appears. */
export function parseOptions(args: readonly string[]): RwRegisterOptions {
  const pairs = flagPairs(args, USAGE);
  const profile = pairs.find(([f]) => f === '--profile')?.[1] ?? 'balanced';
  if (!PROFILES.includes(profile as Profile)) throw new OptionsError(`--profile expects one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  const o = profileOptions(profile as Profile);
  for (const [flag, value] of pairs) {
    if (flag === '--profile') continue;
    const spec = INT_FLAGS[flag];
    if (spec === undefined) throw new OptionsError(`Unknown flag ${flag}; usage: ${USAGE}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < spec.min) throw new OptionsError(`${flag} expects a whole number from ${spec.min} up, got ${JSON.stringify(value)}`);
    o[spec.field] = n;
  }
  return o;
}

/** `--flag value` and `--flag=value` pairs; a bare `--` (a runner's separator) is skipped. */
export function flagPairs(args: readonly string[], usage: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new OptionsError(`Unexpected argument ${JSON.stringify(arg)}; usage: ${usage}`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      pairs.push([arg.slice(0, eq), arg.slice(eq + 1)]);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new OptionsError(`${arg} expects a value; usage: ${usage}`);
    pairs.push([arg, value]);
    i++;
  }
  return pairs;
}
