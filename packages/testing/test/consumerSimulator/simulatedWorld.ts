import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import {
  createConsumerSimulator, createFakeGraphApi, signWebhook, VirtualClock,
  type ConsumerSimulator, type ConsumerSimulatorOptions, type FakeGraphApi, type FakeGraphApiOptions,
} from '@callperm/testing';

export const SECRET = 'sim-calls-secret';

/** One POST the host received: the parsed body and whether Meta's signature matched. */
export interface Received {
  readonly body: { object: string; entry: { id: string; time?: number; calls?: Record<string, unknown>[] }[] };
  readonly signed: boolean;
}

/** A fake Meta with its simulated people, and a host that only records what reaches it. */
export interface World {
  readonly fake: FakeGraphApi;
  readonly sim: ConsumerSimulator;
  readonly received: readonly Received[];
  /** Every `calls` item received, in arrival order. */
  calls(): Record<string, unknown>[];
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
};

/**
 * Starts worlds on a virtual clock (2026-06-01) and closes each after the test.
 *
 * @example
 * const world = worldPerTest();
 * const w = await world({ callBehaviour: callees.declines() });
 */
export const worldPerTest = (): ((sim?: Omit<ConsumerSimulatorOptions, 'fake' | 'hostUrl' | 'appSecret'>, fake?: FakeGraphApiOptions) => Promise<World>) => {
  const open: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });
  return async (simOptions = {}, fakeOptions = {}) => {
    const fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 5, 1)), ...fakeOptions });
    const received: Received[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ body: JSON.parse(raw) as Received['body'], signed: req.headers['x-hub-signature-256'] === signWebhook(SECRET, raw) });
        res.writeHead(200).end('EVENT_RECEIVED');
      });
    });
    const hostUrl = await listen(server);
    const sim = createConsumerSimulator({ fake, hostUrl, appSecret: SECRET, ...simOptions });
    open.push(async () => {
      sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    });
    return { fake, sim, received, calls: () => received.flatMap((r) => r.body.entry.flatMap((e) => e.calls ?? [])) };
  };
};
