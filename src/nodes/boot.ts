/**
 * A stamp that differs in every life of a node (`--nemesis kill` restarts a
 * node with its in-memory counters back at 0), for ids that must never be
 * reused: with a disk, an epoch read from the file `epoch`, incremented,
 * written and synced (`e1`, `e2`, ...); without one, 48 random bits.
 */
import type { Disk } from '../node/index.js';

export function bootStamp(disk: Disk | undefined, random: () => number): string {
  if (disk === undefined) return `r${Math.floor(random() * 2 ** 48).toString(36)}`;
  const last = Number(disk.read('epoch') ?? '0');
  const epoch = (Number.isSafeInteger(last) && last >= 0 ? last : 0) + 1;
  disk.write('epoch', String(epoch));
  disk.sync('epoch');
  return `e${epoch.toString(36)}`;
}
