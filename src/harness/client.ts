/**
 * Harness clients: the endpoints through which the test talks to server
 * nodes, as Maelstrom's client.clj. A client is an endpoint on the Net with
 * id c0, c1, ... (a fresh id for every client opened, in opening order; a
 * reopened client is a new client). It does one RPC at a time: it numbers
 * its requests with msg_id 1, 2, ..., waits for the reply whose
 * `in_reply_to` matches, and gives up after a timeout. A message nobody is
 * waiting for (a late reply to a request that timed out, say) is reported
 * to `onStray` and otherwise ignored, as Maelstrom does.
 */
import type { Clock, Timer } from '../node/clock.js';
import type { Body, Envelope } from './types.js';

/** The part of Net a client needs (Net satisfies it). */
export interface ClientNet {
  addEndpoint(id: string, deliver: (msg: Envelope, line: string) => void | Promise<void>): void;
  removeEndpoint(id: string): void;
  send(msg: { src: string; dest: string; body: Body }): Envelope;
}

export type RpcResult = { kind: 'reply'; body: Body } | { kind: 'timeout' };

export class Client {
  readonly id: string;
  readonly #net: ClientNet;
  readonly #clock: Clock;
  readonly #onStray: (client: Client, msg: Envelope) => void;
  #nextMsgId = 0;
  #waiting: { msgId: number; resolve: (r: RpcResult) => void; timer: Timer } | null = null;
  #closed = false;

  constructor(net: ClientNet, clock: Clock, id: string, onStray: (client: Client, msg: Envelope) => void) {
    this.id = id;
    this.#net = net;
    this.#clock = clock;
    this.#onStray = onStray;
    net.addEndpoint(id, (msg) => this.#deliver(msg));
  }

  /**
   * Sends `body` (msg_id filled in) to `dest` and waits up to `timeoutMs`
   * for the matching reply. Throws if the client is closed or already busy:
   * both are harness bugs.
   */
  rpc(dest: string, body: Omit<Body, 'msg_id'>, timeoutMs: number): Promise<RpcResult> {
    if (this.#closed) throw new Error(`client ${this.id} is closed`);
    if (this.#waiting !== null) throw new Error(`client ${this.id} can only do one RPC at a time`);
    const msgId = ++this.#nextMsgId;
    return new Promise<RpcResult>((resolve) => {
      const timer = this.#clock.setTimer(timeoutMs, () => {
        if (this.#waiting?.msgId === msgId) {
          this.#waiting = null;
          resolve({ kind: 'timeout' });
        }
      });
      this.#waiting = { msgId, resolve, timer };
      this.#net.send({ src: this.id, dest, body: { ...body, msg_id: msgId } as Body });
    });
  }

  /** Leaves the network; later messages to this id are not delivered. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#waiting;
    this.#waiting = null;
    if (w !== null) {
      w.timer.cancel();
      w.resolve({ kind: 'timeout' });
    }
    this.#net.removeEndpoint(this.id);
  }

  #deliver(msg: Envelope): void {
    const w = this.#waiting;
    if (w !== null && msg.body.in_reply_to === w.msgId) {
      this.#waiting = null;
      w.timer.cancel();
      w.resolve({ kind: 'reply', body: msg.body });
      return;
    }
    this.#onStray(this, msg);
  }
}

/** Hands out clients with ids c0, c1, ... in opening order. */
export class ClientFactory {
  readonly #net: ClientNet;
  readonly #clock: Clock;
  readonly #onStray: (client: Client, msg: Envelope) => void;
  readonly #open = new Set<Client>();
  #next = 0;

  constructor(net: ClientNet, clock: Clock, onStray: (client: Client, msg: Envelope) => void) {
    this.#net = net;
    this.#clock = clock;
    this.#onStray = onStray;
  }

  open(): Client {
    const client = new Client(this.#net, this.#clock, `c${this.#next++}`, this.#onStray);
    this.#open.add(client);
    return client;
  }

  /** Closes every client still open (the end of a run, or an abort), ending their waits. */
  closeAll(): void {
    for (const c of this.#open) c.close();
    this.#open.clear();
  }
}
