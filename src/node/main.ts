/**
 * Running a node module as a process: the few lines every `bin/` wrapper
 * would otherwise repeat. `runMain(createNode)` builds the stdio
 * environment, runs the node until stdin closes and output is flushed, and
 * exits 0; a node that cannot even be created exits 1 with the reason on
 * stderr.
 */

import { RealClock } from './clock.js';
import { FileDisk } from './disk.js';
import type { Node, NodeEnv } from './node.js';
import { StdioTransport, type StdioTransportOptions } from './stdio.js';

/** A node module's factory, as exported by e.g. `src/nodes/echo.ts`. */
export type CreateNode = (env: NodeEnv) => Node<any>;

/**
 * @param transportOptions limits for the stdio transport (`lineBytesMax`,
 *   `logBacklogBytesMax`); the streams default to the process's own.
 */
export async function runMain(createNode: CreateNode, transportOptions: StdioTransportOptions = {}): Promise<void> {
  const transport = new StdioTransport(transportOptions);
  // An rpc whose rejection nobody awaits must not take a production node
  // down: it is a bug worth a log line, not a crash of the whole cluster.
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    transport.log(`unhandled rejection: ${text}`);
  });
  let node: Node<any>;
  try {
    const dir = process.env['EDDY_NODE_DIR'];
    const disk = dir !== undefined && dir !== '' ? { disk: new FileDisk(dir) } : {};
    node = createNode({ transport, clock: new RealClock(), args: process.argv.slice(2), ...disk });
  } catch (err) {
    process.stderr.write(`could not start node: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    return;
  }
  await node.run();
  process.exit(0);
}
