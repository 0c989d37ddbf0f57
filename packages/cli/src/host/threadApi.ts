import type { IncomingMessage, ServerResponse } from 'node:http';
import { StoreUnavailableError } from '@callperm/adapters';
import { ContentionError, permissionMachine, StoreClosedError, type CallPermissions, type PermissionStore, type Thread } from '@callperm/core';
import { historyReplay } from '../chart/historyReplay.js';
import { toHtml } from '../chart/toHtml.js';
import { sendApiError, sendJson } from './apiError.js';
import { bearerMatches } from './bearerMatches.js';
import { hostAllowed } from './hostAllowed.js';
import { PageRateLimiter, type PageRateLimitOptions } from './PageRateLimiter.js';
import { parseCallPath, type CallAction } from './parseCallPath.js';
import { parseThreadPath, type ThreadAction } from './parseThreadPath.js';
import { readJsonBody } from './readJsonBody.js';

/** Options of {@link threadApi}. */
export interface ThreadApiOptions {
  /** The bearer token callers must send (`CALLPERM_API_TOKEN`). Absent or empty: the API is off (404 `api_disabled`). */
  readonly token?: string | undefined;
  /** Host names (`name` or `name:port`) accepted besides loopback and the listener's own address, e.g. a reverse proxy's. */
  readonly allowedHosts?: readonly string[];
  /** `request` and `refresh` per Page: a limiter, or options for one (default 10 at once, 1 a second). */
  readonly rateLimit?: PageRateLimiter | PageRateLimitOptions;
  /** Told a failed route's error code (never its message). */
  readonly onError?: (code: string) => void;
  /** Serves `GET /metrics` (Prometheus text) behind the same token, Host and Origin checks as `/threads/`. */
  readonly metrics?: (req: IncomingMessage, res: ServerResponse) => void;
  /** The service's store: serves `GET /readyz`, which reads from it (see {@link threadApi}). Absent: `/readyz` is not served. */
  readonly store?: Pick<PermissionStore, 'get'>;
}

/** Why `GET /readyz` answers 503. */
export type NotReadyReason =
  | 'store_unavailable' // the store's server is unreachable or dropped the connection (StoreUnavailableError)
  | 'store_closed' // the store is closed: the process is shutting down
  | 'store_error'; // the store failed otherwise (logged by its code)

/** The thread `/readyz` reads: no Page and no person has id 0, so the store answers "no such thread" (a cheap read that still reaches its server). */
const PROBE_THREAD: Thread = { pageId: '0', psid: '0' };

const notReadyReason = (e: unknown): NotReadyReason =>
  (e instanceof StoreUnavailableError ? 'store_unavailable' : e instanceof StoreClosedError ? 'store_closed' : 'store_error');

/** HTTP status of a refused or failed request: 409 for a domain refusal, 502 when Meta failed. */
const requestStatus = (reason: string): number => (reason === 'send_failed' || reason === 'send_ambiguous' ? 502 : 409);

const METHOD: Readonly<Record<ThreadAction, string>> = { status: 'GET', chart: 'GET', request: 'POST', refresh: 'POST', call: 'POST' };

/** The largest JSON body a route reads (an SDP offer is a few kB; core refuses one over 64 KiB). */
const MAX_BODY_BYTES = 80 * 1024;

/** HTTP status of a refused or failed call: 400 a bad offer, 502 Meta failed or may have placed it, 409 refused (by the decision, or by Meta's word about this thread). */
const callStatus = (reason: string): number =>
  (reason === 'invalid_offer' ? 400 : reason === 'connect_ambiguous' ? 502 : 409);

/** HTTP status of a failed call action: 400 bad input, 409 the call is over or unknown, else 502 (Meta failed). */
const controlStatus = (e: { readonly reason: string; readonly failure?: { readonly kind: string } }): number =>
  (e.reason === 'invalid_input' ? 400 : e.failure?.kind === 'call_gone' ? 409 : 502);

/** The SDP of a body `{"sdp": "..."}`, or null. */
const sdpOf = (body: unknown): string | null => {
  const sdp = (body as { sdp?: unknown } | null)?.sdp;
  return typeof sdp === 'string' ? sdp : null;
};

/** The error's code for logs: its `code` when it is a short word, else its class name. */
const codeOf = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code;
  return e instanceof Error && /^[A-Za-z0-9_]{1,60}$/.test(e.name) ? e.name : 'error';
};

const isJson = (contentType: string | undefined): boolean => contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';

/**
 * The small JSON API `callperm serve` offers next to the webhook, for the operator only:
 * - `GET /threads/:page/:psid`: the decision now (`status`), from the store;
 * - `POST /threads/:page/:psid/request`: send an opt-in if allowed (200, 409 refused, 502 Meta failed);
 * - `POST /threads/:page/:psid/refresh`: a remote check (200, 502 Meta failed);
 * - `POST /threads/:page/:psid/call` with `{"sdp": offer}`: place a call if the decision allows it
 *   (`startCall`): 200 with `callId` and `sdpAnswer`, 409 refused (by the decision or by Meta), 400 a bad offer, 502 Meta failed;
 * - `POST /calls/:page/:callId/terminate`, `/accept` (with `{"sdp": offer}`), `/reject`: end, pick up or decline a call;
 * - `GET /threads/:page/:psid/chart`: the HTML chart replaying the thread's consent history (`permissions.history`, newest 1000 steps);
 * - `GET /metrics`: the Prometheus text of callperm's metrics, when `metrics` is given;
 * - `GET /healthz`, always open: liveness, always 200;
 * - `GET /readyz`, always open, when `store` is given: readiness, from a read of a thread
 *   that cannot exist (`store.get`): 200 `{"ready":true}` when the store answers, else 503 with
 *   `Retry-After: 1` and `{"ready":false,"reason":...}` (see {@link NotReadyReason}; never the
 *   error's message). Concurrent probes share one read.
 *
 * Every `/threads/` and `/metrics` request needs `Authorization: Bearer <token>` (compared in constant
 * time), a `Host` naming this listener (loopback, its own address or `allowedHosts`) and
 * no `Origin` (no web page may call it); POSTs need `Content-Type: application/json`;
 * `request`, `refresh`, `call` and the call actions are rate-limited per Page (429 with `Retry-After`). Ids are
 * Meta's (digits), read from the raw path (400 `bad_thread` otherwise). Refusals and
 * failures are typed: `{"error": code}` (see {@link ApiErrorCode}). Returns false for
 * any other path, so the server answers 404.
 *
 * @example
 * startHost({ permissions, appSecret, verifyToken, routes: threadApi(permissions, { token: env.CALLPERM_API_TOKEN }) });
 */
export const threadApi = (permissions: CallPermissions, options: ThreadApiOptions = {}) => {
  const token = options.token === '' ? undefined : options.token;
  const limiter = options.rateLimit instanceof PageRateLimiter ? options.rateLimit : new PageRateLimiter(options.rateLimit);
  const allowedHosts = options.allowedHosts ?? [];

  /** One read for `/readyz`: null when the store answered, else why not. */
  const readOnce = async (store: Pick<PermissionStore, 'get'>): Promise<NotReadyReason | null> => {
    try {
      await store.get(PROBE_THREAD);
      return null;
    } catch (e) {
      const reason = notReadyReason(e);
      if (reason === 'store_error') options.onError?.(codeOf(e));
      return reason;
    }
  };
  /** The read in flight for `/readyz`, shared by the probes that arrive meanwhile (a flood of them costs one read at a time). */
  let probing: Promise<NotReadyReason | null> | null = null;
  const probe = (store: Pick<PermissionStore, 'get'>): Promise<NotReadyReason | null> => {
    if (probing !== null) return probing;
    const current = readOnce(store);
    probing = current;
    void current.then(() => {
      if (probing === current) probing = null;
    });
    return current;
  };
  const answerReadiness = async (res: ServerResponse, store: Pick<PermissionStore, 'get'>): Promise<void> => {
    const reason = await probe(store);
    const headers = { 'cache-control': 'no-store' };
    if (reason === null) sendJson(res, 200, { ready: true }, headers);
    else sendJson(res, 503, { ready: false, reason }, { ...headers, 'retry-after': '1' });
  };

  const answer = async (res: ServerResponse, thread: Thread, action: Exclude<ThreadAction, 'call'>): Promise<void> => {
    switch (action) {
      case 'status':
        return sendJson(res, 200, await permissions.status(thread));
      case 'request': {
        const r = await permissions.request(thread);
        return r.ok ? sendJson(res, 200, { ok: true, thread, ...r.value }) : sendJson(res, requestStatus(r.error.reason), { ok: false, thread, ...r.error });
      }
      case 'refresh': {
        const r = await permissions.refresh(thread);
        return r.ok ? sendJson(res, 200, { ok: true, thread, decision: r.value }) : sendJson(res, 502, { ok: false, thread, ...r.error });
      }
      case 'chart': {
        const replay = await historyReplay(permissions, thread, async () => (await permissions.status(thread)).state);
        const html = await toHtml(permissionMachine, { replay });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
        return;
      }
    }
  };

  /** Reads the body's SDP offer; answers 400/413 itself and resolves null when there is none. */
  const offerOf = async (req: IncomingMessage, res: ServerResponse): Promise<{ readonly sdp: string } | null> => {
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    if (!body.ok) return (sendApiError(res, body.error === 'body_too_large' ? 413 : 400, body.error), null);
    const sdp = sdpOf(body.value);
    return sdp === null ? (sendApiError(res, 400, 'bad_body'), null) : { sdp };
  };

  const placeCall = async (req: IncomingMessage, res: ServerResponse, thread: Thread): Promise<void> => {
    const offer = await offerOf(req, res);
    if (offer === null) return;
    const r = await permissions.startCall(thread, offer);
    return r.ok ? sendJson(res, 200, { ok: true, thread, ...r.value }) : sendJson(res, callStatus(r.error.reason), { ok: false, thread, ...r.error });
  };

  const controlCall = async (req: IncomingMessage, res: ServerResponse, pageId: string, callId: string, action: CallAction): Promise<void> => {
    let r;
    if (action === 'accept') {
      const offer = await offerOf(req, res);
      if (offer === null) return;
      r = await permissions.acceptCall(pageId, callId, offer);
    } else {
      req.resume();
      r = action === 'terminate' ? await permissions.endCall(pageId, callId) : await permissions.rejectCall(pageId, callId);
    }
    return r.ok ? sendJson(res, 200, { ok: true, pageId, callId, action, ...(r.value === null ? {} : r.value) }) : sendJson(res, controlStatus(r.error), { ok: false, pageId, callId, action, ...r.error });
  };

  /** Runs a route's work; a failure it did not answer becomes 503 (the store is busy, closed or down: retry) or 500. */
  const run = (res: ServerResponse, work: Promise<void>): void => {
    void work.catch((e: unknown) => {
      const transient = e instanceof ContentionError || e instanceof StoreClosedError || e instanceof StoreUnavailableError;
      options.onError?.(codeOf(e));
      if (res.headersSent) res.destroy();
      else if (transient) sendApiError(res, 503, 'unavailable', { 'retry-after': '1' });
      else sendApiError(res, 500, 'internal');
    });
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/healthz') {
      req.resume();
      sendJson(res, 200, { ok: true });
      return true;
    }
    if (path === '/readyz' && options.store !== undefined) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') sendApiError(res, 405, 'method_not_allowed', { allow: 'GET, HEAD' });
      else void answerReadiness(res, options.store);
      return true;
    }
    const isMetrics = path === '/metrics' && options.metrics !== undefined;
    const isCall = path.startsWith('/calls/');
    if (!isMetrics && !isCall && path !== '/threads' && !path.startsWith('/threads/')) return false;
    // Only `call` and `accept` read a body, once the request is let in; every other body is drained, never kept.
    const refuse = (status: number, code: Parameters<typeof sendApiError>[2], headers?: Readonly<Record<string, string>>): true => {
      req.resume();
      sendApiError(res, status, code, headers);
      return true;
    };
    if (token === undefined) return refuse(404, 'api_disabled');
    if (!hostAllowed(req.headers.host, { listenHost: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0, extra: allowedHosts })) {
      return refuse(403, 'host_not_allowed');
    }
    if (req.headers.origin !== undefined) return refuse(403, 'origin_not_allowed');
    if (!bearerMatches(req.headers.authorization, token)) return refuse(401, 'unauthorized', { 'www-authenticate': 'Bearer' });
    if (isMetrics) {
      if (req.method !== 'GET') return refuse(405, 'method_not_allowed', { allow: 'GET' });
      req.resume();
      options.metrics?.(req, res);
      return true;
    }
    if (isCall) {
      const call = parseCallPath(path);
      if (!call.ok) return refuse(call.error === 'bad_call' ? 400 : 404, call.error);
      if (req.method !== 'POST') return refuse(405, 'method_not_allowed', { allow: 'POST' });
      if (!isJson(req.headers['content-type'])) return refuse(415, 'unsupported_media_type');
      const wait = limiter.take(call.pageId);
      if (wait > 0) return refuse(429, 'rate_limited', { 'retry-after': String(wait) });
      run(res, controlCall(req, res, call.pageId, call.callId, call.action));
      return true;
    }
    const route = parseThreadPath(path);
    if (!route.ok) return refuse(route.error === 'bad_thread' ? 400 : 404, route.error);
    const want = METHOD[route.action];
    if (req.method !== want) return refuse(405, 'method_not_allowed', { allow: want });
    if (want === 'POST' && !isJson(req.headers['content-type'])) return refuse(415, 'unsupported_media_type');
    if (want === 'POST') {
      const wait = limiter.take(route.thread.pageId);
      if (wait > 0) return refuse(429, 'rate_limited', { 'retry-after': String(wait) });
    }
    if (route.action === 'call') {
      run(res, placeCall(req, res, route.thread));
      return true;
    }
    req.resume(); // no other thread route reads a body: the path says it all
    run(res, answer(res, route.thread, route.action));
    return true;
  };
};
