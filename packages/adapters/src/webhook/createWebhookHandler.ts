import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express';
import type { FastifyPluginAsync } from 'fastify';
import { createWebhookCore, type WebhookCore } from './createWebhookCore.js';
import { expressFace } from './expressFace.js';
import { fastifyFace, type FastifyWebhookOptions } from './fastifyFace.js';
import { fetchFace } from './fetchFace.js';
import { nodeFace } from './nodeFace.js';
import type { WebhookHandlerOptions } from './WebhookHandlerOptions.js';

/**
 * The webhook receiver with one face per runtime; all share one core (and its background work).
 *
 * @example
 * createServer(webhook.node).listen(3000);
 * process.on('SIGTERM', () => void webhook.drain().then(() => store.close()));
 */
export interface WebhookHandler {
  /** `node:http` request listener: `createServer(webhook.node)`. */
  readonly node: (req: IncomingMessage, res: ServerResponse) => void;
  /** Fetch API: `Request` -> `Promise<Response>`. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Express middleware: `app.post('/webhook', webhook.express)`, before body parsers. */
  readonly express: (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => void;
  /** Fastify plugin: `app.register(webhook.fastify, { path: '/webhook' })`. */
  readonly fastify: FastifyPluginAsync<FastifyWebhookOptions>;
  /** The framework-neutral core, for other runtimes and for tests. */
  readonly core: WebhookCore;
  /** Resolves when deliveries acknowledged before they were applied have been applied (call it before closing the store). */
  drain(): Promise<void>;
}

/**
 * Creates Meta's webhook receiver for a callperm service: the GET verification
 * handshake, and POSTs checked (method, content type, size, `X-Hub-Signature-256`
 * over the raw bytes with every app secret given), decoded in every documented
 * shape, deduplicated and applied, answered 200 inside `budgetMs` (slower
 * deliveries are recorded in the store's inbox first, then applied). Express and
 * Fastify are optional peers: nothing loads them, the faces only take their objects.
 *
 * @example
 * import { createServer } from 'node:http';
 * const webhook = createWebhookHandler({ appSecret: process.env.META_APP_SECRET!, verifyToken: process.env.META_VERIFY_TOKEN!, permissions });
 * createServer(webhook.node).listen(3000);
 */
export const createWebhookHandler = (options: WebhookHandlerOptions): WebhookHandler => {
  const core = createWebhookCore(options);
  return {
    core,
    node: nodeFace(core),
    fetch: fetchFace(core),
    express: expressFace(core),
    fastify: fastifyFace(core, options.path),
    drain: () => core.drain(),
  };
};
