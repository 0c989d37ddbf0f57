import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCallPermissions, type CallPermissions, type PermissionStore } from '@callperm/core';
import { graphApi, type GraphApiClient } from '@callperm/adapters/graph';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { createWebhookHandler, type WebhookHandler } from '@callperm/adapters/webhook';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import type { SeededRandom } from '../../../src/simulate/seededRandom.js';
import { ChaoticWebhooks } from './chaoticWebhooks.js';
import { MetaWire } from './metaWire.js';

export const APP_SECRET = 'worst-day-app-secret';
const TOKEN = 'worst-day-page-token';

/** The Pages, two per business object (a business-scope throttle holds both). */
export const PAGES = ['7001', '7002', '7003', '7004'] as const;
const BUSINESS_OF: Readonly<Record<string, string>> = { 7001: 'biz_a', 7002: 'biz_a', 7003: 'biz_b', 7004: 'biz_b' };
/** The business object a Page's usage headers name. */
export const businessOf = (pageId: string): string => BUSINESS_OF[pageId] ?? pageId;

/** The Graph client's longest throttle backoff here (its default is an hour; 368 still waits an hour). */
export const THROTTLE_MAX_MS = 10 * 60_000;

/** Everything a worst-day run is made of, on one virtual clock. */
export interface WorstDayRig {
  readonly clock: VirtualClock;
  readonly fake: FakeGraphApi;
  /** Meta's side of the Graph wire: every request and how it ended. */
  readonly wire: MetaWire;
  readonly graph: GraphApiClient;
  readonly permissions: CallPermissions;
  /** The SQLite store under the service (to read a thread's record when a check fails). */
  readonly store: PermissionStore;
  readonly webhook: WebhookHandler;
  readonly webhooks: ChaoticWebhooks;
  /** What the receiver reported (codes only) and what the service logged, by event. */
  readonly webhookErrors: string[];
  readonly logged: Record<string, number>;
  close(): Promise<void>;
}

/**
 * The real service on SQLite with the real Graph client over HTTP (short timeouts
 * and waits, so wall time stays small) to the fake Meta through {@link MetaWire},
 * the real webhook receiver on loopback, and Meta's webhooks through
 * {@link ChaoticWebhooks}.
 *
 * @example
 * const rig = await startWorstDayRig(Date.UTC(2026, 2, 2), rng);
 * await rig.permissions.request({ pageId: '7001', psid: '1' });
 * await rig.close();
 */
export const startWorstDayRig = async (start: number, rng: SeededRandom): Promise<WorstDayRig> => {
  const clock = new VirtualClock(start);
  const fake = await createFakeGraphApi({ clock, appSecret: APP_SECRET, accessTokens: TOKEN, businessIds: BUSINESS_OF });
  const wire = await MetaWire.start(fake.url, clock);
  const jitter = rng.fork();
  const graph = graphApi({
    accessToken: TOKEN, appSecret: APP_SECRET, baseUrl: wire.url, clock, random: () => jitter.next(),
    // Real client timeouts, kept short: a hang costs ~0.3 s of wall time. Retries wait milliseconds; a throttle
    // with Meta's wait (minutes of virtual time) is handed back rather than slept through.
    timeouts: { connect: 1_000, response: 300, request: 2_000 },
    retry: { limit: 2, baseDelayMs: 2, maxDelayMs: 20 },
    throttleMaxMs: THROTTLE_MAX_MS,
  });
  const dir = mkdtempSync(join(tmpdir(), 'callperm-worstday-'));
  const store = await sqliteStore({ filename: join(dir, 'worst-day.sqlite') });
  const logged: Record<string, number> = {};
  const count = (fields: Record<string, unknown>): void => {
    const event = typeof fields.event === 'string' ? fields.event : 'other';
    logged[event] = (logged[event] ?? 0) + 1;
  };
  const logger = { debug: count, info: count, warn: count, error: count };
  const permissions = createCallPermissions({ graph, store, clock, logger });
  const webhookErrors: string[] = [];
  const webhook = createWebhookHandler({ appSecret: APP_SECRET, verifyToken: 'worst-day', permissions, logger, onError: (e) => webhookErrors.push(e.code) });
  const server = createServer(webhook.node);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const webhooks = new ChaoticWebhooks(clock, hostUrl, APP_SECRET, rng.fork());
  return {
    clock, fake, wire, graph, permissions, store, webhook, webhooks, webhookErrors, logged,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webhook.drain();
      graph.close();
      await wire.close();
      await fake.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
