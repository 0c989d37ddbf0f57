import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallPermissions, memoryStore, type TransitionNotice } from '@callperm/core';
import { graphApi } from '@callperm/adapters/graph';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import { VirtualClock, createConsumerSimulator, createFakeGraphApi, type ConsumerSimulatorOptions } from '@callperm/testing';

export const SECRET = 'sim-app-secret';

/**
 * Fake Meta (Graph API + consumers) and a host (node:http face + service + memory
 * store) on loopback, sharing one virtual clock. `down` makes the host answer 503.
 */
export const simHost = async (sim: Omit<ConsumerSimulatorOptions, 'fake' | 'hostUrl' | 'appSecret'> = {}) => {
  const clock = new VirtualClock(Date.UTC(2026, 1, 2, 10));
  const fake = await createFakeGraphApi({ clock });
  const graph = graphApi({ accessToken: 'token', baseUrl: fake.url, clock });
  const store = memoryStore();
  const notices: TransitionNotice[] = [];
  const permissions = createCallPermissions({ graph, store, clock, onTransition: (n) => notices.push(n) });
  const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: 'v', permissions });
  const control = { down: false, received: 0 };
  const server = createServer((req, res) => {
    control.received += 1;
    if (!control.down) return webhook.node(req, res);
    req.resume();
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const consumers = createConsumerSimulator({ fake, hostUrl, appSecret: SECRET, ...sim });
  return {
    clock, fake, permissions, notices, consumers, control, store,
    close: async () => {
      consumers.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webhook.drain();
      graph.close();
      await fake.close();
    },
  };
};
