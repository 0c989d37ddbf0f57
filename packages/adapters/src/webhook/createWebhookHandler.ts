import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWebhookCore, type WebhookCore } from './createWebhookCore.js';
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
  /**
   * The framework-neutral core, for other runtimes and for tests. The Express and
   * Fastify faces take it: `expressFace(webhook.core)` from
   * `@callperm/adapters/webhook/express`, `fastifyFace(webhook.core)` from
   * `@callperm/adapters/webhook/fastify`.
   */
  readonly core: WebhookCore;
  /** Resolves when deliveries acknowledged before they were applied have been applied (call it before closing the store). */
  drain(): Promise<void>;
}

/**
 * Creates Meta's webhook receiver for a callperm service: the GET verification
 * handshake, and POSTs checked (method, content type, size, `X-Hub-Signature-256`
 * over the raw bytes with every app secret given), decoded in every documented
 * shape, deduplicated and applied, answered 200 inside `budgetMs` (slower
 * deliveries are recorded in the store's inbox first, then applied). The Express
 * and Fastify faces live on their own subpaths (`@callperm/adapters/webhook/express`,
 * `/webhook/fastify`), so this one's types import neither framework.
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
    drain: () => core.drain(),
  };
};
