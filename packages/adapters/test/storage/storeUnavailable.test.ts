import { emptyRecord, type PermissionStore, type Thread } from '@callperm/core';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StoreUnavailableError } from '@callperm/adapters';
import { postgresStore } from '@callperm/adapters/storage/postgres';
import { redisStore } from '@callperm/adapters/storage/redis';
import { isPostgresConnectionFault } from '../../src/storage/postgres/isPostgresConnectionFault.js';
import { isRedisConnectionFault } from '../../src/storage/redis/isRedisConnectionFault.js';
import {
  privateServerAvailable, removeStalePrivateServers, startPrivatePostgres, startPrivateRedis, type PrivateServer, type StopMode,
} from './privateServers.js';

/**
 * A store whose server goes away rejects with the typed StoreUnavailableError
 * (so hosts answer 503 and Meta retries), quickly, and serves again on its own
 * once the server is back, with what it had written. The servers are private:
 * the shared ones are never stopped.
 */
const thread: Thread = { pageId: '4100', psid: '4200' };
/** A call while the server is down fails within this (the webhook receiver answers within Meta's 5 s). */
const FAILS_WITHIN_MS = 3_000;
const RECONNECT_TRIES = 100;

const cases = [
  { name: 'postgres', start: startPrivatePostgres, open: (url: string) => postgresStore({ connectionString: url }, { schema: 'cpunavail' }) },
  { name: 'redis', start: startPrivateRedis, open: (url: string) => redisStore({ url }, { keyPrefix: 'cpunavail' }) },
] as const;

removeStalePrivateServers();

describe.each(cases)('$name: a server outage', ({ name, start, open }) => {
  const available = privateServerAvailable(name);
  let server: PrivateServer;
  let store: PermissionStore;

  beforeAll(async () => {
    if (!available) return;
    server = await start();
    store = await open(server.url);
    expect(await store.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.remove();
  });

  test.skipIf(!available).each<StopMode>(['kill', 'fast'])('(%s) rejects with StoreUnavailableError, then serves again without a new store', async (mode) => {
    await server.stop(mode);
    const startedAt = performance.now();
    const failure: unknown = await store.get(thread).then(() => 'answered', (e: unknown) => e);
    expect(performance.now() - startedAt).toBeLessThan(FAILS_WITHIN_MS);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ code: 'store_unavailable', driver: name });
    await server.start();
    let tries = 0;
    let loaded: Awaited<ReturnType<PermissionStore['get']>> | undefined;
    while (loaded === undefined && tries < RECONNECT_TRIES) {
      tries += 1;
      loaded = await store.get(thread).catch(async (e: unknown) => {
        expect(e).toBeInstanceOf(StoreUnavailableError);
        await delay(50);
        return undefined;
      });
    }
    expect(loaded?.version).toBe(1); // the acknowledged write survived the restart
  }, 60_000);
});

describe('redis: a server that hangs with its connection open', () => {
  const available = privateServerAvailable('redis');
  let server: PrivateServer;
  let store: PermissionStore;
  beforeAll(async () => {
    if (!available) return;
    server = await startPrivateRedis();
    store = await redisStore({ url: server.url }, { keyPrefix: 'cphang', commandTimeoutMs: 200 });
    expect(await store.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.remove();
  });

  test.skipIf(!available)('fails a command with StoreUnavailableError after commandTimeoutMs, then answers once the server runs again', async () => {
    server.freeze();
    const failure: unknown = await store.get(thread).then(() => 'answered', (e: unknown) => e);
    server.thaw();
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ code: 'store_unavailable', driver: 'redis' });
    expect((await store.get(thread))?.version).toBe(1); // the same connection: no reconnect was needed
  }, 60_000);
});

describe('connection faults are told from other errors', () => {
  const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });

  test('PostgreSQL: server gone, shutting down or starting up; not a bad statement', () => {
    expect(isPostgresConnectionFault(coded('connect ECONNREFUSED 127.0.0.1:5', 'ECONNREFUSED'))).toBe(true);
    expect(isPostgresConnectionFault(new AggregateError([coded('connect ECONNREFUSED ::1:5', 'ECONNREFUSED')]))).toBe(true);
    expect(isPostgresConnectionFault(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresConnectionFault(coded('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isPostgresConnectionFault(coded('the database system is starting up', '57P03'))).toBe(true);
    expect(isPostgresConnectionFault(coded('syntax error at or near "SELEC"', '42601'))).toBe(false);
    expect(isPostgresConnectionFault(coded('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isPostgresConnectionFault('ECONNREFUSED')).toBe(false);
  });

  test('Redis: closed, gave up reconnecting, loading or failing over; not a wrong command', () => {
    expect(isRedisConnectionFault(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisConnectionFault(new Error('Command timed out'))).toBe(true);
    expect(isRedisConnectionFault(Object.assign(new Error('Reached the max retries per request limit (which is 0).'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isRedisConnectionFault(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRedisConnectionFault(new Error('CLUSTERDOWN The cluster is down'))).toBe(true);
    expect(isRedisConnectionFault(coded('connect ECONNREFUSED 127.0.0.1:6', 'ECONNREFUSED'))).toBe(true);
    expect(isRedisConnectionFault(new Error("ERR wrong number of arguments for 'evalsha' command"))).toBe(false);
    expect(isRedisConnectionFault(new Error('OOM command not allowed when used memory > maxmemory'))).toBe(false);
    expect(isRedisConnectionFault(new Error('NOSCRIPT No matching script'))).toBe(false);
  });
});
