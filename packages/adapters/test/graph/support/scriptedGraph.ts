import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stub saw it. */
export interface StubRequest {
  readonly method: string;
  /** The path without the query, e.g. `/v26.0/1001/messages`. */
  readonly path: string;
  /** The Page id: the first path segment after the version. */
  readonly pageId: string;
  /**
   * The Graph edge: `messenger_call_permissions`, `messages`, `business_messaging_feature_status`,
   * `messenger_call_settings`, `calls`, or `''` (batch).
   */
  readonly edge: string;
  readonly body: string;
  readonly authorization: string | undefined;
  readonly query: Readonly<Record<string, string>>;
}

/**
 * The stub's answer: a status, a body (an object is sent as JSON, a string as is) and
 * headers; or, with `fault`, no answer: `reset` drops the connection once the request
 * is read, `hang` never answers (the client's own timeout ends the wait).
 */
export interface StubAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fault?: 'reset' | 'hang';
}

/** The SDP answer the stub's calls edge gives. */
export const STUB_SDP_ANSWER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/** Meta's happy answer to `POST /{page}/calls`, per `action` (facts §5). */
const callsAnswer = (body: string): StubAnswer => {
  const action = ((): unknown => {
    try {
      return (JSON.parse(body) as { action?: unknown }).action;
    } catch {
      return undefined;
    }
  })();
  switch (action) {
    case 'connect':
      return { status: 200, body: { success: true, id: 'c_stub', session: { sdp_response: { sdp_type: 'answer', sdp: STUB_SDP_ANSWER } } } };
    case 'accept':
      return { status: 200, body: { success: true, session: { sdp_response: { sdp_type: 'answer', sdp: STUB_SDP_ANSWER } } } };
    case 'terminate':
    case 'reject':
      return { status: 200, body: { success: true } };
    default:
      return { status: 400, body: { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 } } };
  }
};

/** Meta's happy answers, per edge. */
export const happyAnswer = (req: StubRequest): StubAnswer => {
  switch (req.edge) {
    case 'messenger_call_permissions':
      return { status: 200, body: { permission: { status: 'no_permission' }, actions: [] } };
    case 'messages':
      return { status: 200, body: { recipient: { id: '2002' }, message_id: 'm_stub' } };
    case 'business_messaging_feature_status':
      return { status: 200, body: { data: [{ feature: 'messenger_api_calling', status: 'enabled' }] } };
    case 'messenger_call_settings':
      return { status: 200, body: { data: [{ audio_enabled: true, video_enabled: false, icon_enabled: true, call_routing: { ring_target: 'PARTNERS' } }] } };
    case 'calls':
      return callsAnswer(req.body);
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
      if (answer.fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (answer.fault === 'hang') return;
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
