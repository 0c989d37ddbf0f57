import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { WebhookHandler } from '@callperm/adapters/webhook';

/** Which face serves the webhook. */
export type Face = 'node' | 'fetch' | 'express' | 'fastify';
export const faces: readonly Face[] = ['node', 'fetch', 'express', 'fastify'];

/** A running host: the webhook URL and how to stop it. */
export interface RunningHost {
  readonly url: string;
  close(): Promise<void>;
}

const listen = async (server: Server): Promise<RunningHost> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A minimal Fetch server: node:http in, `Request` to the handler, its `Response` back out. */
const fetchBridge = (handle: (r: Request) => Promise<Response>) => (req: IncomingMessage, res: ServerResponse): void => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Readable.toWeb(req), duplex: 'half' } : {}),
  });
  void handle(request).then(async (response) => {
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
};

/**
 * Serves `handler` at `/webhook` on loopback port 0 through one face: node:http,
 * the Fetch API (through a small bridge), Express 5 or Fastify 5.
 */
export const startHost = async (face: Face, handler: WebhookHandler): Promise<RunningHost> => {
  switch (face) {
    case 'node':
      return listen(createServer(handler.node));
    case 'fetch':
      return listen(createServer(fetchBridge(handler.fetch)));
    case 'express': {
      const { default: express } = await import('express');
      const app = express();
      const { expressFace } = await import('@callperm/adapters/webhook/express');
      app.all('/webhook', expressFace(handler.core));
      app.use(express.json()); // other routes may parse JSON: the webhook route is mounted before
      return listen(createServer(app));
    }
    case 'fastify': {
      const { default: Fastify } = await import('fastify');
      const app = Fastify();
      const { fastifyFace } = await import('@callperm/adapters/webhook/fastify');
      await app.register(fastifyFace(handler.core), { path: '/webhook' });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      return { url: `http://127.0.0.1:${port}/webhook`, close: () => app.close() };
    }
  }
};
