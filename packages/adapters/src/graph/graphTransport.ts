import { Agent as HttpAgent, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { type Delays, type Got, type RequestError, type RetryObject } from 'got';
import { err, ok, parseGraphError, type Clock, type Result } from '@callperm/core';
import { appSecretProof } from './appSecretProof.js';
import type { GraphOperation } from './classifyMetaError.js';
import type { GraphError } from './GraphError.js';
import { toGraphError, type GraphErrorSource } from './toGraphError.js';
import type { GraphLogger } from './GraphLogEntry.js';
import { retryDecision, type RetryPolicy } from './retryDecision.js';
import type { ThrottleGate } from './throttleGate.js';
import { GraphTelemetry } from '../telemetry/graphTelemetry.js';

/** Everything the transport needs, already defaulted by `graphApi`. */
export interface GraphTransportConfig {
  readonly accessToken: string | ((pageId: string) => string | Promise<string>);
  readonly appSecret: string | undefined;
  readonly apiVersion: string;
  readonly baseUrl: string;
  readonly timeouts: Delays;
  readonly retry: RetryPolicy;
  readonly agent: { readonly http: HttpAgent; readonly https: HttpsAgent } | undefined;
  readonly gate: ThrottleGate;
  readonly clock: Clock;
  readonly log: GraphLogger;
  readonly random: () => number;
  /** Bodies longer than this are cut off and fail with `ERR_RESPONSE_TOO_LARGE`. */
  readonly maxResponseBytes: number;
}

/** One Graph call: the Page it is for (token, throttling), which call it is, and what to send. */
export interface GraphCall {
  readonly pageId: string;
  /** Which call this is: Meta's error codes are read per call (613 on the opt-in is the thread's limit). */
  readonly operation: GraphOperation;
  readonly method: 'GET' | 'POST';
  /** Whether repeating the call changes anything at Meta; default: GET reads, POST writes. */
  readonly effect?: 'read' | 'write';
  /** Relative to the version root, no leading slash (`'123/messages'`, `''` for batch). */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  /**
   * Texts of the request that are no secret but must not be quoted back in errors
   * (an SDP offer, or its lines, should Meta echo them): scrubbed like the secrets.
   */
  readonly conceal?: readonly string[];
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
  readonly operation: GraphOperation;
  readonly effect: 'read' | 'write';
  readonly secrets: readonly string[];
}

/**
 * A failure judged once: the scrubbed error, and for throttling the wait Meta gave
 * (only that may be slept on within a call; the scope's backoff never is).
 */
interface Judged {
  readonly error: GraphError;
  readonly metaWaitMs: number | undefined;
}

/** What `failureOf` reads of a non-2xx answer (got's response object, also the key it is judged under). */
interface FailedResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
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
 * headers and throttled answers fed to the scope gate (a blocked scope sends
 * nothing), and retries decided by `retryDecision`.
 *
 * @example
 * const t = createGraphTransport(config);
 * const r = await t.request({ pageId: '1', operation: 'check', method: 'GET', path: '1/messenger_call_permissions', searchParams: { psid: '2' } });
 */
export const createGraphTransport = (config: GraphTransportConfig): GraphTransport => {
  const ownAgents = config.agent === undefined;
  const agent = config.agent ?? { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const { gate, log } = config;
  // Spans and the duration histogram once `@opentelemetry/api` finds a provider; until then `tel.on` is false.
  const tel = new GraphTelemetry();

  /** Turns a source into its error; a throttled one also closes its scope's gate and carries the Page's wait. */
  const judge = (pageId: string, source: GraphErrorSource, secrets: readonly string[]): Judged => {
    const error = toGraphError(source, secrets);
    if (error.kind !== 'throttled' || source.from === 'throttle') return { error, metaWaitMs: undefined };
    const verdict = gate.throttled(pageId, { code: error.code, retryAfterMs: error.retryAfterMs });
    const waited = source.from === 'meta' || source.from === 'response' ? { ...source, retryAfterMs: verdict.waitMs } : source;
    return { error: toGraphError(waited, secrets), metaWaitMs: verdict.givenByMeta ? verdict.waitMs : undefined };
  };

  /** got hands the same failed response to `calculateDelay` and then back to `request`: judge it once. */
  const judged = new WeakMap<object, Judged>();

  /** Meta's error body (or what came instead) as a judged error. */
  const failureOf = (ctx: Pick<CallContext, 'pageId' | 'operation' | 'secrets'>, response: FailedResponse): Judged => {
    const seen = judged.get(response);
    if (seen !== undefined) return seen;
    const status = response.statusCode;
    const retryAfter = retryAfterOf(response.headers, config.clock.now());
    const parsed = parseJson(String(response.body));
    const meta = parsed.ok ? parseGraphError(parsed.value) : undefined;
    const source: GraphErrorSource = meta?.ok === true
      ? { from: 'meta', error: meta.value, operation: ctx.operation, httpStatus: status, retryAfterMs: retryAfter }
      : { from: 'response', httpStatus: status, problem: parsed.ok ? 'unexpected_shape' : 'malformed_json', retryAfterMs: retryAfter };
    const result = judge(ctx.pageId, source, ctx.secrets);
    judged.set(response, result);
    return result;
  };

  const calculateDelay = ({ attemptCount, error, computedValue }: RetryObject): number => {
    // got's own rules (limit, methods, codes) said no: never override them.
    if (computedValue === 0) return 0;
    const ctx = error.options.context as Partial<CallContext>;
    const pageId = ctx.pageId ?? '';
    const method = error.options.method;
    const effect = ctx.effect ?? (method === 'GET' ? 'read' : 'write');
    const response = error.response;
    const { error: failure, metaWaitMs } = response === undefined
      ? { error: toGraphError({ from: 'transport', error }), metaWaitMs: undefined }
      : failureOf({ pageId, operation: ctx.operation ?? 'check', secrets: ctx.secrets ?? [] }, response);
    // Throttling is retried only on Meta's own wait, never on the client's backoff.
    const asSeen = { kind: failure.kind, processed: failure.processed, retryAfterMs: metaWaitMs };
    const decision = retryDecision({ effect, attempt: attemptCount, failure: asSeen, policy: config.retry, random: config.random });
    if (!decision.retry) return 0;
    // A scope blocked (by this answer or another call's) is not called again before its wait is over.
    const blocked = gate.retryAfterMs(pageId);
    if (blocked !== undefined && blocked > decision.delayMs) return 0;
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
        // A 2xx means none of the Page's scopes was throttling: their backoff starts over.
        if (response.statusCode >= 200 && response.statusCode < 300) gate.observeSuccess(pageId);
        gate.observeHeaders(pageId, response.headers);
        log({ event: 'response', method: response.request.options.method, path: response.requestUrl.pathname, pageId, status: response.statusCode, attempt: response.retryCount + 1 });
        return response;
      }],
    },
  });

  const request = async (call: GraphCall): Promise<Result<GraphReply, GraphError>> => {
    const path = `/${config.apiVersion}/${call.path}`;
    const blocked = gate.retryAfterMs(call.pageId);
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
    const secrets = [token, ...(config.appSecret === undefined ? [] : [config.appSecret]), ...(call.conceal ?? [])];
    const failed = (e: GraphError): Result<never, GraphError> => {
      log({ event: 'failure', method: call.method, path, pageId: call.pageId, kind: e.kind, code: e.code, subcode: e.subcode, processed: e.processed, message: e.message });
      return err(e);
    };
    if (token === '') return failed(toGraphError({ from: 'token' }));
    const searchParams = { ...call.searchParams, ...(config.appSecret === undefined ? {} : { appsecret_proof: appSecretProof(token, config.appSecret) }) };
    const context: CallContext = { pageId: call.pageId, operation: call.operation, effect: call.effect ?? (call.method === 'GET' ? 'read' : 'write'), secrets };
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
    if (status < 200 || status >= 300) return failed(failureOf(context, response).error);
    const parsed = parseJson(body);
    if (!parsed.ok) return failed(toGraphError({ from: 'response', httpStatus: status, problem: 'malformed_json' }, secrets));
    const trace = response.headers['x-fb-trace-id'];
    return ok({ status, json: parsed.value, traceId: typeof trace === 'string' && trace !== '' ? trace : null, fail: (source) => judge(call.pageId, source, secrets).error });
  };

  return {
    request: (call) => (tel.on ? tel.observe(call, request) : request(call)),
    close: () => {
      if (!ownAgents) return;
      agent.http.destroy();
      agent.https.destroy();
    },
  };
};
