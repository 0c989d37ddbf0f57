import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Instant } from '@callperm/core';
import { answerHeaders, forward } from './forward.js';
import { readBody } from './readBody.js';

/** One serve process behind the balancer. */
export interface BalancedHost {
  readonly name: string;
  /** `http://127.0.0.1:PORT` (webhook and API on one listener). */
  readonly url: string;
  /** SIGKILL. */
  readonly kill: () => void;
}

/** One webhook POST that went through, and what the host answered (`status` a number only when an answer came back). */
export interface BalancedDelivery {
  readonly body: string;
  readonly host: string;
  /** The virtual instant it was posted at. */
  readonly at: Instant;
  readonly status: number | 'failed';
}

/**
 * A loopback load balancer in front of the serve processes: every request (Meta's
 * webhook POSTs, the business's API calls) goes to one live host picked by `pick`
 * (seeded, so a run replays), and back. With no live host, or when the host dies
 * mid-request, the caller gets 502 (Meta then retries the delivery). It records
 * every webhook delivery with the host's answer; when armed, it kills the host a
 * delivery went to as soon as the body has reached it (inside the apply), once
 * per delivery (its retries go through).
 *
 * @example
 * const lb = await HostBalancer.start((n) => rng.int(0, n - 1), () => clock.now());
 * lb.setHosts([{ name: 'a', url, kill }]);
 * createConsumerSimulator({ fake, hostUrl: `${lb.url}/webhook`, appSecret });
 */
export class HostBalancer {
  readonly deliveries: BalancedDelivery[] = [];
  #hosts: readonly BalancedHost[] = [];
  #killNextWebhook: ((host: BalancedHost) => void) | null = null;
  /** Bodies a kill already cut short once: their retries are left alone, so a kill never makes Meta give up on a delivery. */
  readonly #killedBodies = new Set<string>();

  readonly #server: Server;

  private constructor(private readonly pick: (hosts: number) => number, private readonly now: () => Instant) {
    this.#server = createServer((req, res) => {
      void this.#pass(req, res).catch(() => res.socket?.destroy());
    });
  }

  static async start(pick: (hosts: number) => number, now: () => Instant): Promise<HostBalancer> {
    const lb = new HostBalancer(pick, now);
    await new Promise<void>((resolve) => lb.#server.listen(0, '127.0.0.1', resolve));
    return lb;
  }

  /** `http://127.0.0.1:PORT`: Meta's callback is `${url}/webhook`; the business's API base is `url`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #pass(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const text = body.toString('utf8');
    const path = req.url ?? '/';
    const webhook = req.method === 'POST' && path.startsWith('/webhook');
    const at = this.now();
    const hosts = this.#hosts;
    const host = hosts.length === 0 ? undefined : hosts[this.pick(hosts.length)];
    if (host === undefined) return void res.writeHead(502).end();
    const record = (status: number | 'failed'): void => {
      if (webhook) this.deliveries.push({ body: text, host: host.name, at, status });
    };
    const kill = webhook && !this.#killedBodies.has(text) ? this.#killNextWebhook : null;
    /** Once the body reached the host (a dead host never takes it: the kill stays armed for the next delivery). */
    const sent = (): void => {
      if (kill === null || this.#killNextWebhook !== kill) return;
      this.#killNextWebhook = null;
      this.#killedBodies.add(text);
      kill(host);
    };
    try {
      const answer = await forward(host.url, { method: req.method ?? 'GET', path, headers: req.headers, body }, sent);
      record(answer.status);
      res.writeHead(answer.status, answerHeaders(answer.headers)).end(answer.body);
    } catch {
      record('failed');
      res.writeHead(502).end();
    }
  }

  /** The live hosts requests go to from now on. */
  setHosts(hosts: readonly BalancedHost[]): void {
    this.#hosts = hosts;
  }

  /** The next webhook POST: `kill` is called with its host once the body has reached it. */
  armWebhookKill(kill: (host: BalancedHost) => void): void {
    this.#killNextWebhook = kill;
  }

  /** Whether a kill waits for a webhook. */
  get armed(): boolean {
    return this.#killNextWebhook !== null;
  }

  disarm(): void {
    this.#killNextWebhook = null;
  }

  /** Deliveries a host answered 2xx: Meta counts them delivered and will not retry them. */
  get acknowledged(): BalancedDelivery[] {
    return this.deliveries.filter((d) => typeof d.status === 'number' && d.status >= 200 && d.status < 300);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
