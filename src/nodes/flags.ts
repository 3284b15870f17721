/**
 * The reference nodes' command-line flags: whole-number flags from 1 up and
 * one-of-a-list flags, each bad value or unknown flag one sentence naming it.
 */

/** What each flag sets: a key of the options, and for a choice flag its allowed values. */
export type FlagSpec<O> = Record<string, { key: keyof O; choices?: readonly string[] }>;

function listed(choices: readonly string[]): string {
  return choices.length === 1 ? choices[0]! : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]!}`;
}

/** Parses `args` by `spec`; throws with one sentence naming the flag (and the usage line for an unknown one). */
export function parseNodeFlags<O extends object>(args: readonly string[], spec: FlagSpec<O>, usage: string): Partial<O> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = args[i + 1];
    const s = spec[flag];
    if (s === undefined) throw new Error(`Unknown flag ${JSON.stringify(flag)}; usage: ${usage}`);
    if (s.choices !== undefined) {
      if (value === undefined || !s.choices.includes(value)) throw new Error(`Expected ${flag} to be ${listed(s.choices)}, got ${JSON.stringify(value)}`);
      o[s.key as string] = value;
    } else {
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < 1) throw new Error(`Expected ${flag} to be a whole number from 1 up, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      o[s.key as string] = n;
    }
    i++;
  }
  return o as Partial<O>;
}
