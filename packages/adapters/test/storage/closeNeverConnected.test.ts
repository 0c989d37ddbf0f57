import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { StoreUnavailableError } from '@callperm/adapters';
import { postgresDriver, postgresStore, postgresTables } from '@callperm/adapters/storage/postgres';
import { redisStore, type RedisStore } from '@callperm/adapters/storage/redis';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import type { ClosedReport } from './closeNeverConnected.child.js';
import { freePort } from './privateServers.js';

/**
 * `close()` of a store whose server was never there (nothing listens on its
 * port) settles at once, whatever the client was doing: connecting, or waiting
 * between reconnect attempts after a call failed. No server is needed.
 *
 * `HANG_GUARD_MS` is a failure guard, not a timing assertion: it only turns a
 * close() that never settles into a failure instead of a test timeout.
 */
const HANG_GUARD_MS = 10_000;
const thread = { pageId: '1', psid: '2' };
const child = fileURLToPath(new URL('./closeNeverConnected.child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/** What settles first: `close` (its outcome), the client's next connection attempt, or the guard. */
const firstOf = async (close: Promise<void>, client?: RedisStore['client']): Promise<string> => {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`close() still pending after ${HANG_GUARD_MS} ms`), HANG_GUARD_MS);
  });
  const reconnected = client === undefined ? [] : [once(client, 'connecting').then(() => 'the client tried to connect again')];
  try {
    return await Promise.race([close.then(() => 'closed', (e: unknown) => `close() rejected: ${String(e)}`), guard, ...reconnected]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * `slow`: the next reconnect waits a minute, so a loaded machine cannot reach it
 * before close() runs (the store's own URL client retries after 50 ms).
 */
const redisSingle = async (port: number, slow = false): Promise<RedisStore> => {
  if (!slow) return redisStore({ url: `redis://127.0.0.1:${port}` }, { keyPrefix: 'cpclose' });
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => 60_000 });
  client.on('error', () => undefined);
  return redisStore({ client, closeWithStore: true }, { keyPrefix: 'cpclose' });
};
const redisCluster = async (port: number, slow = false): Promise<RedisStore> => {
  const cluster = new Cluster([{ host: '127.0.0.1', port }], {
    enableAutoPipelining: true, ...(slow ? { clusterRetryStrategy: () => 60_000 } : {}),
  });
  cluster.on('error', () => undefined);
  return redisStore({ client: cluster, closeWithStore: true }, { keyPrefix: 'cpclose' });
};

describe.each([
  { mode: 'single node', open: redisSingle },
  { mode: 'cluster', open: redisCluster },
])('redis ($mode): a store that never connected', ({ open }) => {
  test('close() settles while the client is still connecting', async () => {
    const store = await open(await freePort());
    expect(store.client.status).toBe('connecting');
    expect(await firstOf(store.close())).toBe('closed');
  });

  test('close() settles between reconnect attempts, before the next one, and fails the call still waiting', async () => {
    const store = await open(await freePort(), true);
    await expect(store.get(thread)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.client.status).toBe('reconnecting');
    const waiting = store.get(thread).then(() => 'answered', (e: unknown) => e);
    expect(await firstOf(store.close(), store.client)).toBe('closed');
    expect(await waiting).toBeInstanceOf(StoreUnavailableError);
    await expect(store.get(thread)).rejects.toMatchObject({ code: 'store_closed' });
  });
});

describe('redis: a process whose store never connected', () => {
  test.each(['single', 'cluster'])('(%s) exits on its own after close(): no reconnect timer is left', async (mode) => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', child, mode, String(await freePort())], {
      cwd: repoRoot, timeout: 30_000, // a failure guard: a process kept alive by a reconnect timer is killed, and fails below
    });
    const { stdout } = await run.catch((e: { stdout?: string; code?: unknown; signal?: unknown }) => ({
      stdout: `${e.stdout ?? ''}(exited with code ${String(e.code)}, signal ${String(e.signal)})`,
    }));
    const report: ClosedReport = {
      failedWith: 'StoreUnavailableError', statusBeforeClose: 'reconnecting', waitingCallFailedWith: 'StoreUnavailableError', closed: true,
    };
    expect(stdout).toBe(`${JSON.stringify(report)}\n`);
  }, 60_000);
});

describe('postgres and sqlite: a store that never connected', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('postgres: opening fails (its migration cannot run) and ends the pool it opened', async () => {
    const failure: unknown = await postgresStore({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/test` }, { schema: 'cpclose' })
      .then(() => 'opened', (e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('postgres: close() of a driver on a pool that never connected settles after a failed call', async () => {
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/test` });
    pool.on('error', () => undefined);
    const driver = postgresDriver(pool, postgresTables('cpclose'), { closeWithDriver: true });
    await expect(driver.getThread(thread)).rejects.toBeInstanceOf(StoreUnavailableError);
    const waiting = Promise.resolve(driver.getThread(thread)).then(() => 'answered', (e: unknown) => e);
    expect(await firstOf(Promise.resolve(driver.close()))).toBe('closed');
    expect(await waiting).toBeInstanceOf(StoreUnavailableError);
    expect(pool.ended).toBe(true);
  });

  test('sqlite: close() of a store never used settles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callperm-close-'));
    dirs.push(dir);
    const store = await sqliteStore({ filename: join(dir, 'never.sqlite') });
    expect(await firstOf(store.close())).toBe('closed');
    expect(store.database.open).toBe(false);
  });
});
