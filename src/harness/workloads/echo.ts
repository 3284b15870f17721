/**
 * Maelstrom's echo workload (workload/echo.clj), for smoke tests: clients
 * send `echo` with "Please echo N" and expect the same payload back in an
 * `echo_ok`. No setup, no final operations, so no recovery wait.
 */
import { checkEchoPairs } from '../checker/index.js';
import { echoMix } from '../generator.js';
import { netFigure, workloadNumber } from './figures.js';
import { failureCompletion, malformedReply, plainGenerator, type Completion, type Conn, type OpSpec, type Workload, type WorkloadDef } from './workload.js';

class EchoWorkload implements Workload {
  readonly final = null;
  /** Echo's generator is wrapped in each-thread: a random free worker gets each operation. */
  readonly workerChoice = 'uniform' as const;
  readonly generator = plainGenerator(echoMix());
  readonly reusableClient = false;
  readonly rpcTimeoutMs = null;

  async setup(): Promise<void> {}

  async invoke(conn: Conn, op: OpSpec): Promise<Completion> {
    const r = await conn.client.rpc(conn.node, { type: 'echo', echo: op.value }, conn.timeoutMs);
    const failed = failureCompletion(r, op, false);
    if (failed !== null) return failed;
    // Maelstrom records the whole reply body as the completion's value; the checker compares its echo.
    if (r.kind === 'reply' && r.body.type === 'echo_ok' && 'echo' in r.body) return { type: 'ok', value: r.body };
    return malformedReply(op, 'an echo_ok with an echo field', r.kind === 'reply' ? r.body : { type: '?' });
  }
}

export const echo: WorkloadDef = {
  name: 'echo',
  summary: 'Smoke test: every echo request must come back with the same payload.',
  challenge: '1',
  ops: ['echo'],
  flags: [],
  create: () => new EchoWorkload(),
  check: ({ history }) => ({ workload: checkEchoPairs(history), strict: null }),
  defaultNode: { module: 'echo.js', bin: 'eddy-echo' },
  figures: [{ label: 'errors', better: 'lower', value: (r) => {
    const errors = (r['workload'] as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(errors) ? errors.length : null;
  } }, netFigure],
};
