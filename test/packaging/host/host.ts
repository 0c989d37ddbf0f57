// A TypeScript host, type-checked (not run) under `module: NodeNext` and under `moduleResolution: bundler`,
// both with `strict` and `skipLibCheck: false`. Installed peers: better-sqlite3 (+ @types/better-sqlite3)
// only: no express, fastify, pg, ioredis or their types.
import { createServer } from 'node:http';
import { createCallPermissions, memoryStore, parseWebhook, type CallPermissions, type Thread } from '@callperm/core';
import type { StoreDriver } from '@callperm/core/store';
import { graphApi, type GraphApiClient } from '@callperm/adapters/graph';
import { memoryStore as adaptersMemoryStore } from '@callperm/adapters/storage/memory';
import { sqliteStore, type SqliteStore } from '@callperm/adapters/storage/sqlite';
import { createWebhookHandler, type WebhookHandler } from '@callperm/adapters/webhook';
import { MissingPeerError } from '@callperm/adapters';
import { VirtualClock, createFakeGraphApi, postWebhook, runStoreConformance } from '@callperm/testing';
import { runCli } from '@callperm/cli';

export const main = async (): Promise<void> => {
  const clock = new VirtualClock();
  const fake = await createFakeGraphApi({ clock });
  const store: SqliteStore = await sqliteStore({ filename: ':memory:' });
  const graph: GraphApiClient = graphApi({ accessToken: 't', baseUrl: fake.url });
  const permissions: CallPermissions = createCallPermissions({ graph, store, clock });
  const webhook: WebhookHandler = createWebhookHandler({ appSecret: 's', verifyToken: 'v', permissions });
  createServer(webhook.node).close();
  const thread: Thread = { pageId: '1', psid: '2' };
  const decision = await permissions.canStartCall(thread);
  const allowed: boolean = decision.allowed;
  const parsed = parseWebhook({ object: 'page', entry: [] });
  const outcome = await postWebhook('http://127.0.0.1:1/webhook', 's', {});
  const driver: StoreDriver | undefined = undefined;
  const code: number = await runCli(['--help'], { out: () => undefined, err: () => undefined, env: {}, cwd: '/', isTTY: false });
  void [allowed, parsed, outcome, driver, code, memoryStore, adaptersMemoryStore, MissingPeerError, runStoreConformance];
};
