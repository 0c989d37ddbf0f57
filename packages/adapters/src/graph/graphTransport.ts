import { Agent as HttpAgent, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { type Delays, type Got, type RequestError, type RetryObject } from 'got';
import { err, ok, parseGraphError, type Clock, type Result } from '@callperm/core';
import { appSecretProof } from './appSecretProof.js';
import type { BusinessUseCaseThrottle } from './BusinessUseCaseThrottle.js';
import type { GraphError } from './GraphError.js';
import { toGraphError, type GraphErrorSource } from './toGraphError.js';
import type { GraphLogger } from './GraphLogEntry.js';
import { retryDecision, type RetryPolicy } from './retryDecision.js';

/** Everything the transport needs, already defaulted by `graphApi`. */
export interface GraphTransportConfig {
  readonly accessToken: string | ((pageId: string) => string | Promise<string>);
  readonly appSecret: string | undefined;
  readonly apiVersion: string;
  readonly baseUrl: string;
  readonly timeouts: Delays;
  readonly retry: RetryPolicy;
  readonly agent: { readonly http: HttpAgent; readonly https: HttpsAgent } | undefined;
  readonly throttle: BusinessUseCaseThrottle;
  readonly clock: Clock;
  readonly log: GraphLogger;
  readonly random: () => number;
  /** Bodies longer than this are cut off and fail with `ERR_RESPONSE_TOO_LARGE`. */
  readonly maxResponseBytes: number;
}

/** One Graph call: the Page it is for (token, throttling) and what to send. */
export interface GraphCall {
  readonly pageId: string;
  readonly method: 'GET' | 'POST';
  /** Whether repeating the call changes anything at Meta; default: GET reads, POST writes. */
  readonly effect?: 'read' | 'write';
  /** Relative to the version root, no leading slash (`'123/messages'`, `''` for batch). */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
}

/** A 2xx answer with a JSON body, and a way to turn a later problem with it into a scrubbed error. */
export interface GraphReply {
  readonly status: number;
  readonly json: unknown;
  /** Meta's `x-fb-trace-id` response header, when present. */
  readonly traceId: string | null;
  readonly fail: (source: GraphErrorSource) => GraphError;
}

/** The HTTP side of the client: `request` never rejects, `close` frees the keep-alive sockets. */
export interface GraphTransport {
  request(call: GraphCall): Promise<Result<GraphReply, GraphError>>;
  close(): void;
}

interface CallContext extends Record<string, unknown> {
  readonly pageId: string;
  readonly effect: 'read' | 'write';
  readonly secrets: readonly string[];
}

/** `Retry-After` in ms (seconds or an HTTP date), when the answer has one. */
const retryAfterOf = (headers: Readonly<Record<string, string | string[] | undefined>>, now: number): number | undefined => {
  const raw = headers['retry-after'];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

/**
 * Builds the got instance behind `graphApi`: keep-alive agents, a timeout on every
 * request, the token in `Authorization`, `appsecret_proof` in the query, usage
 * headers fed to the throttle, and retries decided by `retryDecision`.
 *
 * @example
 * const t = createGraphTransport(config);
 * const r = await t.request({ pageId: '1', method: 'GET', path: '1/messenger_call_permissions', searchParams: { psid: '2' } });
 */
export const createGraphTransport = (config: GraphTransportConfig): GraphTransport => {
  const ownAgents = config.agent === undefined;
  const agent = config.agent ?? { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const { throttle, log } = config;

  /** Meta's error body (or what came instead) as a scrubbed error; BUC codes also block the Page. */
  const failureOf = (pageId: string, secrets: readonly string[], status: number, body: string, retryAfter?: number): GraphError => {
    const parsed = parseJson(body);
    const meta = parsed.ok ? parseGraphError(parsed.value) : undefined;
    const error = meta?.ok === true
      ? toGraphError({ from: 'meta', error: meta.value, httpStatus: status, retryAfterMs: throttle.retryAfterMs(pageId) ?? retryAfter }, secrets)
      : toGraphError({ from: 'response', httpStatus: status, problem: parsed.ok ? 'unexpected_shape' : 'malformed_json', retryAfterMs: retryAfter }, secrets);
    if (error.kind === 'throttled') throttle.observeFailure(pageId, error);
    return error;
  };

  const calculateDelay = ({ attemptCount, error, computedValue, retryAfter }: RetryObject): number => {
    // got's own rules (limit, methods, codes) said no: never override them.
    if (computedValue === 0) return 0;
    const ctx = error.options.context as Partial<CallContext>;
    const pageId = ctx.pageId ?? '';
    const method = error.options.method;
    const effect = ctx.effect ?? (method === 'GET' ? 'read' : 'write');
    const response = error.response;
    const failure = response === undefined
      ? toGraphError({ from: 'transport', error })
      : failureOf(pageId, ctx.secrets ?? [], response.statusCode, String(response.body), retryAfter);
    // A throttled Page is not called again until Meta's regain time has passed.
    if (throttle.retryAfterMs(pageId) !== undefined) return 0;
    const decision = retryDecision({ effect, attempt: attemptCount, failure, policy: config.retry, random: config.random });
    if (!decision.retry) return 0;
    const path = error.options.url instanceof URL ? error.options.url.pathname : '';
    log({ event: 'retry', method, path, pageId, attempt: attemptCount, delayMs: decision.delayMs, kind: failure.kind, code: failure.code });
    return decision.delayMs;
  };

  const client: Got = got.extend({
    prefixUrl: `${config.baseUrl.replace(/\/+$/, '')}/${config.apiVersion}/`,
    agent, timeout: config.timeouts, throwHttpErrors: false, responseType: 'text', followRedirect: false,
    // Bytes read are bytes received: a small compressed body cannot expand past the cap unseen.
    decompress: false,
    retry: {
      limit: config.retry.limit, methods: ['GET', 'POST'], statusCodes: [400, 403, 429, 500, 502, 503, 504],
      errorCodes: ['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN'],
      calculateDelay,
    },
    hooks: {
      afterResponse: [(response) => {
        const pageId = (response.request.options.context as Partial<CallContext>).pageId ?? '';
        throttle.observe(pageId, response.headers);
        log({ event: 'response', method: response.request.options.method, path: response.requestUrl.pathname, pageId, status: response.statusCode, attempt: response.retryCount + 1 });
        return response;
      }],
    },
  });

  const request = async (call: GraphCall): Promise<Result<GraphReply, GraphError>> => {
    const path = `/${config.apiVersion}/${call.path}`;
    const blocked = throttle.retryAfterMs(call.pageId);
    if (blocked !== undefined) {
      log({ event: 'throttled', method: call.method, path, pageId: call.pageId, retryAfterMs: blocked });
      return err(toGraphError({ from: 'throttle', retryAfterMs: blocked }));
    }
    let token: string;
    try {
      token = typeof config.accessToken === 'string' ? config.accessToken : await config.accessToken(call.pageId);
    } catch {
      token = '';
    }
    const secrets = config.appSecret === undefined ? [token] : [token, config.appSecret];
    const failed = (e: GraphError): Result<never, GraphError> => {
      log({ event: 'failure', method: call.method, path, pageId: call.pageId, kind: e.kind, code: e.code, subcode: e.subcode, processed: e.processed, message: e.message });
      return err(e);
    };
    if (token === '') return failed(toGraphError({ from: 'token' }));
    const searchParams = { ...call.searchParams, ...(config.appSecret === undefined ? {} : { appsecret_proof: appSecretProof(token, config.appSecret) }) };
    const context: CallContext = { pageId: call.pageId, effect: call.effect ?? (call.method === 'GET' ? 'read' : 'write'), secrets };
    let response;
    const pending = client(call.path, {
      method: call.method, searchParams, context, headers: { authorization: `Bearer ${token}` },
      ...(call.json === undefined ? {} : { json: call.json }), ...(call.form === undefined ? {} : { form: call.form }),
    });
    // The body is cut off as soon as its declared length or what has arrived passes the cap: at most one chunk more is held.
    let tooLarge: { httpStatus: number } | undefined;
    let seenStatus = 0;
    const cutOff = (): void => {
      if (tooLarge !== undefined) return;
      tooLarge = { httpStatus: seenStatus };
      pending.cancel();
    };
    // got emits its own 'response' only once the body is read: the status and declared length come from Node's.
    void pending.on('request', (req: ClientRequest) => req.prependListener('response', (r: IncomingMessage) => {
      seenStatus = r.statusCode ?? 0;
      if (Number(r.headers['content-length'] ?? 0) > config.maxResponseBytes) cutOff();
    }));
    void pending.on('downloadProgress', ({ transferred }: { transferred: number }) => {
      if (transferred > config.maxResponseBytes) cutOff();
    });
    try {
      response = await pending;
    } catch (e) {
      if (tooLarge !== undefined) return failed(toGraphError({ from: 'response', httpStatus: tooLarge.httpStatus, problem: 'too_large' }, secrets));
      return failed(toGraphError({ from: 'transport', error: e as RequestError }, secrets));
    }
    const { statusCode: status, body } = response;
    if (status < 200 || status >= 300) {
      return failed(failureOf(call.pageId, secrets, status, body, retryAfterOf(response.headers, config.clock.now())));
    }
    const parsed = parseJson(body);
    if (!parsed.ok) return failed(toGraphError({ from: 'response', httpStatus: status, problem: 'malformed_json' }, secrets));
    const trace = response.headers['x-fb-trace-id'];
    return ok({ status, json: parsed.value, traceId: typeof trace === 'string' && trace !== '' ? trace : null, fail: (source) => {
      const e = toGraphError(source, secrets);
      if (e.kind === 'throttled') throttle.observeFailure(call.pageId, e);
      return e;
    } });
  };

  return {
    request,
    close: () => {
      if (!ownAgents) return;
      agent.http.destroy();
      agent.https.destroy();
    },
  };
};
