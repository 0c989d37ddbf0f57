import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerHeaders, forward } from './forward.js';
import { readBody } from './readBody.js';

/**
 * Where a kill lands on an opt-in send: `unsent` as the request reaches Meta's
 * door (Meta never sees it), `unanswered` once Meta has processed it and before
 * its answer reaches the host (Meta sent the opt-in; the host never hears so).
 */
export type SendKill = 'unsent' | 'unanswered';

/** An opt-in send: `POST /{version}/{page-id}/messages`. */
const isSend = (method: string | undefined, url: string | undefined): boolean =>
  method === 'POST' && /^\/[^/]+\/[^/?]+\/messages(\?|$)/.test(url ?? '');

/**
 * A loopback proxy in front of the fake Meta that serve processes use as
 * `GRAPH_BASE_URL`: it passes every request on unchanged (held while virtual time
 * moves, see `hold`), and when armed, kills the host at the next opt-in send,
 * before Meta gets it or after Meta answered (the answer is then never delivered:
 * the connection is cut).
 *
 * @example
 * const gate = await GraphGate.start(fake.url);
 * gate.armSendKill('unanswered', () => host.kill());
 */
export class GraphGate {
  #armed: { mode: SendKill; kill: () => void } | null = null;
  #held: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;
  readonly #server: Server;

  private constructor(target: string) {
    this.#server = createServer((req, res) => {
      void this.#pass(target, req, res).catch(() => res.socket?.destroy());
    });
  }

  static async start(target: string): Promise<GraphGate> {
    const gate = new GraphGate(target);
    await new Promise<void>((resolve) => gate.#server.listen(0, '127.0.0.1', resolve));
    return gate;
  }

  /** `http://127.0.0.1:PORT`: give it to serve as `GRAPH_BASE_URL`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #pass(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    await this.#held;
    const armed = isSend(req.method, req.url) ? this.#take() : null;
    if (armed?.mode === 'unsent') {
      armed.kill();
      return void res.socket?.destroy();
    }
    const answer = await forward(target, { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
    if (armed?.mode === 'unanswered') {
      armed.kill();
      return void res.socket?.destroy();
    }
    res.writeHead(answer.status, answerHeaders(answer.headers)).end(answer.body);
  }

  /**
   * Holds every request until `release`: while virtual time moves, the hosts'
   * clocks are set before Meta's world has caught up (people's taps due by then),
   * and a host asking Meta in between would see the past at a later instant.
   */
  hold(): void {
    if (this.#release !== null) return;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release?.();
    this.#release = null;
    this.#held = Promise.resolve();
  }

  /** Kills (`kill`) at the next opt-in send, as `mode` says; replaces an earlier arming. */
  armSendKill(mode: SendKill, kill: () => void): void {
    this.#armed = { mode, kill };
  }

  disarm(): void {
    this.#armed = null;
  }

  #take(): { mode: SendKill; kill: () => void } | null {
    const armed = this.#armed;
    this.#armed = null;
    return armed;
  }

  async close(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
