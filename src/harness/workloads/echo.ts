/**
 * Maelstrom's echo workload (workload/echo.clj), for smoke tests: clients
 * send `echo` with "Please echo N" and expect the same payload back in an
 * `echo_ok`. No setup, no final operations, so no recovery wait.
 */
import { checkEcho, type NetResult } from '../checker/index.js';
import type { Client } from '../client.js';
import { echoMix } from '../generator.js';
import type { Op } from '../types.js';
import { failureCompletion, malformedReply, type Completion, type OpSpec, type Workload } from './workload.js';

export class EchoWorkload implements Workload {
  readonly name = 'echo';
  readonly finalOp = null;

  async setup(): Promise<void> {}

  /** Echo's generator is wrapped in each-thread: a random free worker gets each operation. */
  readonly workerChoice = 'uniform';
  readonly nextOp = echoMix();

  async invoke(client: Client, node: string, op: OpSpec, timeoutMs: number): Promise<Completion> {
    const r = await client.rpc(node, { type: 'echo', echo: op.value }, timeoutMs);
    const failed = failureCompletion(r, op, false);
    if (failed !== null) return failed;
    // Maelstrom records the whole reply body as the completion's value; the checker compares its echo.
    if (r.kind === 'reply' && r.body.type === 'echo_ok' && 'echo' in r.body) return { type: 'ok', value: r.body };
    return malformedReply(op, 'an echo_ok with an echo field', r.kind === 'reply' ? r.body : { type: '?' });
  }

  check(history: readonly Op[], net: unknown, extra: { availability: number | 'total' | null }): Record<string, unknown> {
    return checkEcho(history, net as NetResult, extra) as unknown as Record<string, unknown>;
  }
}
