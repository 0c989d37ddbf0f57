import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stub saw it. */
export interface StubRequest {
  readonly method: string;
  /** The path without the query, e.g. `/v26.0/1001/messages`. */
  readonly path: string;
  /** The Page id: the first path segment after the version. */
  readonly pageId: string;
  /** The Graph edge: `messenger_call_permissions`, `messages`, `business_messaging_feature_status`, or `''` (batch). */
  readonly edge: string;
  readonly body: string;
  readonly authorization: string | undefined;
  readonly query: Readonly<Record<string, string>>;
}

/** The stub's answer: a status, a body (an object is sent as JSON, a string as is) and headers. */
export interface StubAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Meta's happy answers, per edge. */
export const happyAnswer = (req: StubRequest): StubAnswer => {
  switch (req.edge) {
    case 'messenger_call_permissions':
      return { status: 200, body: { permission: { status: 'no_permission' }, actions: [] } };
    case 'messages':
      return { status: 200, body: { recipient: { id: '2002' }, message_id: 'm_stub' } };
    case 'business_messaging_feature_status':
      return { status: 200, body: { data: [{ feature: 'messenger_api_calling', status: 'enabled' }] } };
    default:
      return { status: 404, body: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } } };
  }
};

const readBody = (req: IncomingMessage): Promise<string> => new Promise((resolve) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
});

/**
 * A tiny Graph API on loopback for the client's tests: every request is recorded,
 * and answered by the script (a function of the request; `happyAnswer` by default).
 * No time of its own: the client's virtual clock decides throttling.
 */
export const scriptedGraph = async () => {
  const requests: StubRequest[] = [];
  let script: (req: StubRequest) => StubAnswer = happyAnswer;
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const [, , pageId = '', edge = ''] = url.pathname.split('/');
      const seen: StubRequest = {
        method: req.method ?? '', path: url.pathname, pageId: decodeURIComponent(pageId), edge, body,
        authorization: req.headers.authorization, query: Object.fromEntries(url.searchParams),
      };
      requests.push(seen);
      const answer = script(seen);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Answers from now on with `next` (falling back to `happyAnswer` where it returns undefined). */
    answer(next: (req: StubRequest) => StubAnswer | undefined): void {
      script = (req) => next(req) ?? happyAnswer(req);
    },
    /** Forgets the recorded requests and goes back to happy answers. */
    reset(): void {
      requests.length = 0;
      script = happyAnswer;
    },
    close: (): Promise<void> => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
};

export type ScriptedGraph = Awaited<ReturnType<typeof scriptedGraph>>;
