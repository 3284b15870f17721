/**
 * Ambient time and randomness: the globals a node's code can reach without
 * asking its `Clock` (`Date.now()`, `performance.now()`, `Math.random()`).
 *
 * eddy's own code never reads them on a simulated path: the harness reads
 * wall time only through `wallNow`, captured here before anything can
 * replace it, for speed figures and run-directory names. A user's node may
 * not be so careful, and under `eddy sim` real time races ahead of nothing
 * (30 virtual seconds pass in half a real one) while `Math.random` differs
 * on every replay. So while a simulation runs, `simulationStandIns` answers
 * those three globals from the run itself: `Math.random` from a stream of
 * the run's seed, `Date.now` and `performance.now` from the virtual clock.
 * `new Date()` and Node's own timers stay real: nodes use `node.after` /
 * `node.every` (the node's clock) for time that passes.
 */
import type { Clock } from '../node/clock.js';

/** Wall time in ms (`performance.now` as it was when eddy loaded), for speed figures only. */
export const wallNow: () => number = performance.now.bind(performance);
/** Wall time as a Unix epoch in ms (`Date.now` as it was when eddy loaded), for naming run directories. */
export const wallDateNow: () => number = Date.now;

/** What `Date.now()` answers at virtual time 0 under `eddy sim`: 2000-01-01T00:00:00.000Z. */
export const SIM_EPOCH_MS = Date.UTC(2000, 0, 1);

let installedBy: string | null = null;

/**
 * Makes `Math.random`, `Date.now` and `performance.now` answer from `random`
 * and `clock` until the returned function is called. One simulation per
 * thread at a time: a second one while the first runs would share (and
 * spoil) its stand-ins, so it throws, naming the run that holds them.
 */
export function simulationStandIns(run: string, clock: Clock, random: () => number): () => void {
  if (installedBy !== null) {
    throw new Error(
      `cannot simulate ${run} while ${installedBy} is being simulated in the same thread: simulations replace Math.random and Date.now, so run them one after another or on worker threads`,
    );
  }
  installedBy = run;
  const saved = { random: Math.random, dateNow: Date.now };
  Math.random = random;
  Date.now = () => SIM_EPOCH_MS + Math.floor(clock.now());
  performance.now = () => clock.now();
  return () => {
    Math.random = saved.random;
    Date.now = saved.dateNow;
    // performance.now lives on Performance.prototype; removing the own property shows it again.
    delete (performance as { now?: unknown }).now;
    installedBy = null;
  };
}
