import type { FastifyPluginAsync } from 'fastify';
import type { WebhookCore } from './createWebhookCore.js';
import { readNodeBody } from './readNodeBody.js';
import type { RawBody } from './WebhookRequest.js';

/** Options of the Fastify plugin. */
export interface FastifyWebhookOptions {
  /** The route path (default: the handler's `path`, else `/webhook`). Fastify's `prefix` applies as usual. */
  readonly path?: string;
}

/**
 * The Fastify face (5): a plugin that registers GET and POST on its path. Inside
 * its own encapsulated context it replaces the body parsers with one that keeps
 * the raw bytes (up to `maxBodyBytes`) for the signature check, so your other
 * routes keep Fastify's JSON parser.
 *
 * @example
 * await app.register(webhook.fastify, { path: '/webhook' });
 */
export const fastifyFace = (core: WebhookCore, defaultPath: string | undefined): FastifyPluginAsync<FastifyWebhookOptions> =>
  (instance, opts) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, done) => {
      readNodeBody(payload, core.maxBodyBytes).then((body) => done(null, body), (e: Error) => done(e, undefined));
    });
    instance.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: opts.path ?? defaultPath ?? '/webhook',
      handler: async (request, reply) => {
        const body = request.body as RawBody | undefined;
        const answer = await core.handle({
          method: request.method,
          url: request.url,
          header: (name) => {
            const v = request.headers[name];
            return Array.isArray(v) ? v[0] : v;
          },
          readBody: () => Promise.resolve(body ?? new Uint8Array()),
        }, { routed: true });
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
    return Promise.resolve();
  };
