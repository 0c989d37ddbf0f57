import type { IncomingMessage, ServerResponse } from 'node:http';
import { permissionMachine, type CallPermissions, type Thread } from '@callperm/core';
import { historyReplay } from '../chart/historyReplay.js';
import { toHtml } from '../chart/toHtml.js';

const ROUTE = /^\/threads\/([^/]+)\/([^/]+)(?:\/(request|refresh|chart))?\/?$/;
const ID = /^[A-Za-z0-9_.-]+$/;

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
};

/** HTTP status of a refused or failed request: 409 for a domain refusal, 502 when Meta failed. */
const requestStatus = (reason: string): number => (reason === 'send_failed' || reason === 'send_ambiguous' ? 502 : 409);

/**
 * The small JSON API `callperm serve` offers next to the webhook:
 * - `GET /threads/:page/:psid`: the decision now (`status`), from the store;
 * - `POST /threads/:page/:psid/request`: send an opt-in if allowed (200, 409 refused, 502 Meta failed);
 * - `POST /threads/:page/:psid/refresh`: a remote check (200, 502 Meta failed);
 * - `GET /threads/:page/:psid/chart`: the HTML chart replaying the thread's consent history (`permissions.history`, newest 1000 steps);
 * - `GET /healthz`.
 * Returns false for any other path, so the server answers 404.
 *
 * @example
 * startHost({ permissions, appSecret, verifyToken, routes: threadApi(permissions) });
 */
export const threadApi = (permissions: CallPermissions) => (req: IncomingMessage, res: ServerResponse): boolean => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/healthz') {
    send(res, 200, { ok: true });
    return true;
  }
  const m = ROUTE.exec(path);
  if (!m) return false;
  const [, rawPage = '', rawPsid = '', action] = m;
  const thread: Thread = { pageId: decodeURIComponent(rawPage), psid: decodeURIComponent(rawPsid) };
  if (!ID.test(thread.pageId) || !ID.test(thread.psid)) {
    send(res, 400, { error: 'bad_thread' });
    return true;
  }
  const want = action === 'request' || action === 'refresh' ? 'POST' : 'GET';
  if (req.method !== want) {
    res.setHeader('allow', want);
    send(res, 405, { error: 'method_not_allowed' });
    return true;
  }
  req.resume(); // bodies are not read: the path says it all
  const answer = async (): Promise<void> => {
    switch (action) {
      case undefined:
        return send(res, 200, await permissions.status(thread));
      case 'request': {
        const r = await permissions.request(thread);
        return r.ok ? send(res, 200, { ok: true, thread, ...r.value }) : send(res, requestStatus(r.error.reason), { ok: false, thread, ...r.error });
      }
      case 'refresh': {
        const r = await permissions.refresh(thread);
        return r.ok ? send(res, 200, { ok: true, thread, decision: r.value }) : send(res, 502, { ok: false, thread, ...r.error });
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
  void answer().catch(() => {
    if (!res.headersSent) send(res, 500, { error: 'internal' });
    else res.destroy();
  });
  return true;
};
