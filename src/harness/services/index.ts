/**
 * The services on the network: each is an endpoint like a node, so its
 * requests and replies are delayed like any server message (both ways),
 * journalled, counted as server traffic and drawn in the Lamport diagram.
 * Partitions never touch them (grudges are built over the test's nodes
 * only). A request whose type a service does not know gets no reply, as in
 * Maelstrom, and the harness is told which node sent what.
 */
import { NetError, type Net } from '../net.js';
import type { Rng } from '../rng.js';
import { defaultServices, type Service } from './services.js';

export { defaultServices, LinKv, LinTso, LwwKv, SeqKv, SERVICE_NAMES, SEQ_KV_STATES, type Service } from './services.js';
export { applyKv, canonicalJson, edn, jsonEqual, KvStore, LIN_RULES, LWW_RULES } from './kv.js';

export interface AttachOptions {
  /** Called when a service got a request it does not answer. */
  onUnknown(service: string, src: string, type: string): void;
  /** Counts each request a service answered, for the harness figures. */
  onHandled?(service: string): void;
}

/** Adds Maelstrom's four services to `net` (fresh state, randomness derived from `rng`) and returns them. */
export function attachServices(net: Net, rng: Rng, opts: AttachOptions): Service[] {
  const services = defaultServices(rng);
  for (const svc of services) {
    net.addEndpoint(svc.name, (msg) => {
      const reply = svc.handle(msg.src, msg.body);
      if (reply === null) {
        opts.onUnknown(svc.name, msg.src, msg.body.type);
        return;
      }
      opts.onHandled?.(svc.name);
      const msgId = msg.body['msg_id'];
      try {
        net.send({ src: svc.name, dest: msg.src, body: { ...reply, in_reply_to: (msgId === undefined ? null : msgId) as number } });
      } catch (e) {
        // The requester left the network (a closed client) or the run is over: nobody waits for the reply.
        if (!(e instanceof NetError)) throw e;
      }
    });
  }
  return services;
}
