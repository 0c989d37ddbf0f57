import type { IncomingMessage, ServerResponse } from 'node:http';
import { ContentionError, permissionMachine, StoreClosedError, type CallPermissions, type Thread } from '@callperm/core';
import { historyReplay } from '../chart/historyReplay.js';
import { toHtml } from '../chart/toHtml.js';
import { sendApiError, sendJson } from './apiError.js';
import { bearerMatches } from './bearerMatches.js';
import { hostAllowed } from './hostAllowed.js';
import { PageRateLimiter, type PageRateLimitOptions } from './PageRateLimiter.js';
import { parseThreadPath, type ThreadAction } from './parseThreadPath.js';

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
}

/** HTTP status of a refused or failed request: 409 for a domain refusal, 502 when Meta failed. */
const requestStatus = (reason: string): number => (reason === 'send_failed' || reason === 'send_ambiguous' ? 502 : 409);

const METHOD: Readonly<Record<ThreadAction, string>> = { status: 'GET', chart: 'GET', request: 'POST', refresh: 'POST' };

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
 * - `GET /threads/:page/:psid/chart`: the HTML chart replaying the thread's consent history (`permissions.history`, newest 1000 steps);
 * - `GET /metrics`: the Prometheus text of callperm's metrics, when `metrics` is given;
 * - `GET /healthz`, always open.
 *
 * Every `/threads/` and `/metrics` request needs `Authorization: Bearer <token>` (compared in constant
 * time), a `Host` naming this listener (loopback, its own address or `allowedHosts`) and
 * no `Origin` (no web page may call it); POSTs need `Content-Type: application/json`;
 * `request` and `refresh` are rate-limited per Page (429 with `Retry-After`). Ids are
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

  const answer = async (res: ServerResponse, thread: Thread, action: ThreadAction): Promise<void> => {
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

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/healthz') {
      req.resume();
      sendJson(res, 200, { ok: true });
      return true;
    }
    const isMetrics = path === '/metrics' && options.metrics !== undefined;
    if (!isMetrics && path !== '/threads' && !path.startsWith('/threads/')) return false;
    req.resume(); // bodies are never read: the path says it all
    if (token === undefined) return (sendApiError(res, 404, 'api_disabled'), true);
    if (!hostAllowed(req.headers.host, { listenHost: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0, extra: allowedHosts })) {
      return (sendApiError(res, 403, 'host_not_allowed'), true);
    }
    if (req.headers.origin !== undefined) return (sendApiError(res, 403, 'origin_not_allowed'), true);
    if (!bearerMatches(req.headers.authorization, token)) return (sendApiError(res, 401, 'unauthorized', { 'www-authenticate': 'Bearer' }), true);
    if (isMetrics) {
      if (req.method !== 'GET') return (sendApiError(res, 405, 'method_not_allowed', { allow: 'GET' }), true);
      options.metrics?.(req, res);
      return true;
    }
    const route = parseThreadPath(path);
    if (!route.ok) return (sendApiError(res, route.error === 'bad_thread' ? 400 : 404, route.error), true);
    const want = METHOD[route.action];
    if (req.method !== want) return (sendApiError(res, 405, 'method_not_allowed', { allow: want }), true);
    if (want === 'POST' && !isJson(req.headers['content-type'])) return (sendApiError(res, 415, 'unsupported_media_type'), true);
    if (want === 'POST') {
      const wait = limiter.take(route.thread.pageId);
      if (wait > 0) return (sendApiError(res, 429, 'rate_limited', { 'retry-after': String(wait) }), true);
    }
    void answer(res, route.thread, route.action).catch((e: unknown) => {
      const transient = e instanceof ContentionError || e instanceof StoreClosedError;
      options.onError?.(codeOf(e));
      if (res.headersSent) res.destroy();
      else sendApiError(res, transient ? 503 : 500, transient ? 'unavailable' : 'internal');
    });
    return true;
  };
};
