/** The workloads `eddy test -w NAME` knows, by name. */
import type { TestOptions } from '../options.js';
import type { TopologyName } from '../topology.js';
import { BroadcastWorkload } from './broadcast.js';
import { EchoWorkload } from './echo.js';
import type { Workload } from './workload.js';

export type { Workload, OpSpec, Completion, SetupContext } from './workload.js';
export { SetupError } from './workload.js';

export function makeWorkload(options: TestOptions): Workload {
  switch (options.workload) {
    case 'broadcast':
      return new BroadcastWorkload(options.topology as TopologyName);
    case 'echo':
      return new EchoWorkload();
  }
}
