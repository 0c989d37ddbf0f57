import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookCore } from './createWebhookCore.js';
import type { WebhookRequest, WebhookResponse } from './WebhookRequest.js';
import { readNodeBody } from './readNodeBody.js';

/**
 * A `node:http` request as the core sees it; `url` is the path to check (Express passes `originalUrl`).
 *
 * @example
 * const answer = await core.handle(fromNodeRequest(req));
 */
export const fromNodeRequest = (req: IncomingMessage, url: string = req.url ?? '/'): WebhookRequest => ({
  method: req.method ?? 'GET',
  url,
  header: (name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  },
  readBody: (limit, timer) => readNodeBody(req, limit, timer),
});

/**
 * Writes the core's answer on a `node:http` response: nothing when headers
 * already went out or the client is gone (`client_aborted`, a destroyed socket).
 *
 * @example
 * writeNodeResponse(res, await core.handle(fromNodeRequest(req)));
 */
export const writeNodeResponse = (res: ServerResponse, answer: WebhookResponse): void => {
  if (res.headersSent || res.destroyed || answer.reason === 'client_aborted') return;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
};

/** A response that could not be written (a socket torn down mid-write) only loses that connection. */
const dropConnection = (res: ServerResponse) => (): void => {
  res.destroy();
};

/**
 * The `node:http` face: a request listener.
 *
 * @example
 * createServer(nodeFace(core)).listen(3000);
 */
export const nodeFace = (core: WebhookCore) => (req: IncomingMessage, res: ServerResponse): void => {
  core.handle(fromNodeRequest(req)).then((answer) => writeNodeResponse(res, answer)).catch(dropConnection(res));
};
