import type { NextFunction, Request, Response } from 'express';
import type { WebhookCore } from './createWebhookCore.js';
import { fromNodeRequest, writeNodeResponse } from './nodeFace.js';
import { WebhookError } from './WebhookError.js';
import type { BodyTimer } from './WebhookRequest.js';

/**
 * The Express face (4 or 5), from `@callperm/adapters/webhook/express`: a
 * middleware over the handler's core. Mount it before any body parser, or
 * behind `express.raw({ type: 'application/json' })`: the signature is checked
 * over the raw bytes, so a body already parsed as JSON is refused with 500
 * `raw_body_unavailable` (and reported through `onError`). With the handler's
 * `path` option set, requests for other paths go on to `next()`.
 *
 * @example
 * import { expressFace } from '@callperm/adapters/webhook/express';
 * app.post('/webhook', expressFace(webhook.core));
 * app.use(express.json()); // after it, for your other routes
 */
export const expressFace = (core: WebhookCore) => (req: Request, res: Response, next: NextFunction): void => {
  const base = fromNodeRequest(req, req.originalUrl);
  const parsed: unknown = req.body;
  const readBody = parsed === undefined
    ? (limit: number, timer: BodyTimer) => base.readBody(limit, timer)
    : Buffer.isBuffer(parsed)
      ? (limit: number) => Promise.resolve(parsed.length > limit ? 'too_large' as const : new Uint8Array(parsed))
      : () => Promise.reject(new WebhookError('raw_body_unavailable'));
  core.handle({ ...base, readBody }).then((answer) => {
    if (answer.reason === 'not_found') next();
    else writeNodeResponse(res, answer);
  }).catch(() => res.destroy());
};
