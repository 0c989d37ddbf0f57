import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Instant } from '@callperm/core';

/** The Graph calls the worst-day checks read: a permission check, an opt-in send, or anything else. */
export type WireEndpoint = 'check' | 'send' | 'other';

/** How one exchange ended, as the wire saw it. */
export type WireOutcome =
  /** Meta answered: the status, its JSON body (undefined when it was not JSON) and the usage header. */
  | { readonly kind: 'answered'; readonly status: number; readonly json: unknown; readonly usage: string | undefined }
  /** Meta cut the connection without an answer. */
  | { readonly kind: 'reset' }
  /** The client gave up first (its timeout): whatever Meta did, the client never heard. */
  | { readonly kind: 'client_gone' };

/** One request from the Graph client to Meta and what became of it. */
export interface WireExchange {
  /** Arrival order (shared with `closedOrder`: one counter orders arrivals and endings). */
  readonly order: number;
  /** Virtual instant of arrival. */
  readonly at: Instant;
  readonly endpoint: WireEndpoint;
  readonly pageId: string | undefined;
  /** The person: `?psid=` of a check, `recipient.id` of a send. */
  readonly psid: string | undefined;
  /** When it ended, on the same counter as `order` (null while open). */
  closedOrder: number | null;
  outcome: WireOutcome | null;
}

const route = (method: string, url: URL, body: string): Pick<WireExchange, 'endpoint' | 'pageId' | 'psid'> => {
  const [, , pageId, edge] = url.pathname.split('/');
  if (method === 'GET' && edge === 'messenger_call_permissions') return { endpoint: 'check', pageId, psid: url.searchParams.get('psid') ?? undefined };
  if (method === 'POST' && edge === 'messages') {
    let psid: string | undefined;
    try {
      psid = (JSON.parse(body) as { recipient?: { id?: string } }).recipient?.id;
    } catch {
      psid = new URLSearchParams(body).get('recipient') ?? undefined;
    }
    return { endpoint: 'send', pageId, psid };
  }
  return { endpoint: 'other', pageId, psid: undefined };
};

const readAll = (stream: IncomingMessage): Promise<string> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  stream.on('error', reject);
  stream.on('aborted', () => reject(new Error('aborted')));
});

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const PASSED_ON = (headers: IncomingHttpHeaders): Record<string, string> => Object.fromEntries(
  Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(e[0])),
);

/**
 * Meta's side of the wire: a loopback proxy the Graph client talks to in front of
 * the fake Meta, passing every request and answer through unchanged (a reset stays
 * a reset, a hang stays a hang until the client gives up) and recording each
 * exchange with its virtual instant and how it ended. The worst-day checks read
 * this log: which sends the client could not know the fate of, which checks Meta
 * answered, which throttles it announced, and what the client sent after.
 *
 * @example
 * const wire = await MetaWire.start(fake.url, clock);
 * const graph = graphApi({ accessToken, baseUrl: wire.url, clock });
 * wire.log.filter((x) => x.endpoint === 'send');
 */
export class MetaWire {
  readonly log: WireExchange[] = [];
  #counter = 0;
  #url = '';
  readonly #server: Server;

  private constructor(private readonly target: string, private readonly clock: Clock) {
    this.#server = createServer((req, res) => {
      void readAll(req).then((body) => this.#pass(req, res, body), () => res.socket?.destroy());
    });
  }

  static async start(target: string, clock: Clock): Promise<MetaWire> {
    const wire = new MetaWire(target, clock);
    await new Promise<void>((resolve) => wire.#server.listen(0, '127.0.0.1', resolve));
    wire.#url = `http://127.0.0.1:${(wire.#server.address() as AddressInfo).port}`;
    return wire;
  }

  /** The base URL to give the Graph client. */
  get url(): string {
    return this.#url;
  }

  #next(): number {
    this.#counter += 1;
    return this.#counter;
  }

  /** Records the exchange, passes it to Meta and Meta's answer (or its silence, or its reset) back. */
  #pass(req: IncomingMessage, res: ServerResponse, body: string): void {
    const upstream = new URL(this.target);
    const url = new URL(req.url ?? '/', this.target);
    const x: WireExchange = { order: this.#next(), at: this.clock.now(), ...route(req.method ?? 'GET', url, body), closedOrder: null, outcome: null };
    this.log.push(x);
    const end = (outcome: WireOutcome): void => {
      if (x.outcome !== null) return;
      x.outcome = outcome;
      x.closedOrder = this.#next();
    };
    const up = request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, agent: false,
      headers: { ...PASSED_ON(req.headers), 'content-length': String(Buffer.byteLength(body)) },
    }, (answer) => {
      readAll(answer).then((text) => {
        if (res.destroyed) return end({ kind: 'client_gone' });
        const usage = answer.headers['x-business-use-case-usage'];
        end({ kind: 'answered', status: answer.statusCode ?? 0, json: parsed(text), usage: typeof usage === 'string' ? usage : undefined });
        res.writeHead(answer.statusCode ?? 502, PASSED_ON(answer.headers)).end(text);
      }, () => {
        end({ kind: 'reset' });
        res.socket?.destroy();
      });
    });
    up.on('error', () => {
      end(res.destroyed ? { kind: 'client_gone' } : { kind: 'reset' });
      res.socket?.destroy();
    });
    // The client hung up (its timeout): Meta's side of the call is dropped too.
    res.on('close', () => {
      if (res.writableFinished) return;
      end({ kind: 'client_gone' });
      up.destroy();
    });
    up.end(body);
  }

  /** Exchanges still open (a hang the client has not given up on yet). */
  get open(): number {
    return this.log.filter((x) => x.outcome === null).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
