import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { WebhookCore } from './createWebhookCore.js';
import { readNodeBody } from './readNodeBody.js';

/** Options of the Fastify plugin. */
export interface FastifyWebhookOptions {
  /** The route path (default: the handler's `path`, else `/webhook`). Fastify's `prefix` applies as usual. */
  readonly path?: string;
}

const EMPTY = new Uint8Array();

/**
 * The Fastify face (5), from `@callperm/adapters/webhook/fastify`: a plugin over
 * the handler's core that registers GET and POST on its path (the plugin's `path`
 * option, else `defaultPath`, else `/webhook`). Inside
 * its own encapsulated context it replaces the body parsers with one that hands
 * the body stream on unread, so the receiver reads it itself (raw bytes for the
 * signature check, up to `maxBodyBytes`, within `bodyTimeoutMs`, counted against
 * `maxPendingBodies`); your other routes keep Fastify's JSON parser.
 *
 * @example
 * import { fastifyFace } from '@callperm/adapters/webhook/fastify';
 * await app.register(fastifyFace(webhook.core), { path: '/webhook' });
 */
export const fastifyFace = (core: WebhookCore, defaultPath?: string): FastifyPluginAsync<FastifyWebhookOptions> =>
  (instance, opts) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, done) => {
      done(null, payload);
    });
    instance.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: opts.path ?? defaultPath ?? '/webhook',
      handler: async (request, reply) => {
        const payload = request.body as Readable | undefined;
        const answer = await core.handle({
          method: request.method,
          url: request.url,
          header: (name) => {
            const v = request.headers[name];
            return Array.isArray(v) ? v[0] : v;
          },
          readBody: (limit, timer) => (payload === undefined ? Promise.resolve(EMPTY) : readNodeBody(payload, limit, timer)),
        }, { routed: true });
        if (answer.reason === 'client_aborted' || reply.raw.destroyed) {
          reply.hijack(); // nobody to answer: write nothing on the dead socket
          reply.raw.destroy();
          return reply;
        }
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
    return Promise.resolve();
  };
