import type { PermissionStore, Thread } from '@callperm/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { postgresStore, type PostgresStore } from '@callperm/adapters/storage/postgres';
import { redisStore } from '@callperm/adapters/storage/redis';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { StoreChild } from './childProcess.js';
import type { ChildConfig, FromChild } from './multiProcess.child.js';
import { DATABASE_URL, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable } from './servers.js';
import { deleteRedisKeys } from '../../src/storage/redis/deleteRedisKeys.js';

/**
 * Step 4 of the storage issue: 4 OS processes drive the real service against the
 * same 50 threads through one store, in lock-step phases of virtual time (5 h
 * apart, 45 h in all, so two 24 h windows). Every process asks twice per thread
 * per phase and answers each opt-in it sends with a reject, so demand is far
 * above Messenger's 2 per 24 h and only compare-and-set keeps the quota.
 */
const PROCESSES = 4;
const PHASES = 10;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASE = Date.UTC(2026, 0, 1);
const QUOTA = 2;
const threads: Thread[] = Array.from({ length: 50 }, (_, i) => ({ pageId: '9000', psid: String(i + 1) }));
const [redisUp, postgresUp] = await Promise.all([serverReachable('redis'), serverReachable('postgres')]);

type Report = Extract<FromChild, { type: 'report' }>;

const drive = async (config: Omit<ChildConfig, 'child' | 'threads'>): Promise<Report[]> => {
  const children = Array.from({ length: PROCESSES }, (_, child) => new StoreChild({ ...config, child, threads }));
  try {
    await Promise.all(children.map((c) => c.next('ready')));
    for (let phase = 0; phase < PHASES; phase += 1) {
      for (const c of children) c.tell({ type: 'phase', phase, at: BASE + phase * 5 * HOUR });
      await Promise.all(children.map((c) => c.next('done')));
    }
    for (const c of children) c.tell({ type: 'finish' });
    const reports = await Promise.all(children.map((c) => c.next('report')));
    await Promise.all(children.map((c) => c.exited));
    return reports;
  } finally {
    for (const c of children) c.kill();
  }
};

const check = async (reports: readonly Report[], store: PermissionStore): Promise<void> => {
  expect(reports.flatMap((r) => r.failures)).toEqual([]);

  // Dedupe across processes: each shared event id was new to exactly one process.
  const firsts = reports.flatMap((r) => r.firsts);
  expect(firsts.length).toBe(PHASES * threads.length);
  expect(new Set(firsts).size).toBe(firsts.length);

  for (const thread of threads) {
    const sends = reports.flatMap((r) => r.sends).filter((s) => s.psid === thread.psid).map((s) => s.at).sort((a, b) => a - b);
    expect(sends.length, `thread ${thread.psid} got opt-ins`).toBeGreaterThan(0);
    // The quota: no rolling 24 h window holds more than 2 opt-ins.
    for (const s of sends) {
      const inWindow = sends.filter((x) => x > s - DAY && x <= s).length;
      expect(inWindow, `thread ${thread.psid}, window ending ${new Date(s).toISOString()}`).toBeLessThanOrEqual(QUOTA);
    }
    // No update lost: every opt-in sent in the record's current window is in its request log, and nothing else is.
    const stored = await store.get(thread);
    expect(stored).not.toBeNull();
    const requests = [...(stored?.record.requests ?? [])].sort((a, b) => a - b);
    const horizon = Math.min((stored?.record.lastEventAt ?? 0) - DAY + 1, ...requests);
    expect(requests, `thread ${thread.psid}`).toEqual(sends.filter((s) => s >= horizon));
  }
};

describe('several processes share one store', () => {
  test('sqlite: 4 processes on one file keep the quota and lose no update', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callperm-mp-'));
    const filename = join(dir, 'shared.sqlite');
    try {
      const reports = await drive({ driver: 'sqlite', target: filename, namespace: '' }); // they create the file together
      const store = await sqliteStore({ filename });
      await check(reports, store).finally(() => store.close());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  test.skipIf(!redisUp)('redis: 4 processes keep the quota and lose no update', async () => {
    await removeStaleRedisKeys('cpmp');
    const keyPrefix = `cpmp-${runTag()}`;
    const store = await redisStore({ url: REDIS_URL }, { keyPrefix });
    try {
      await check(await drive({ driver: 'redis', target: REDIS_URL, namespace: keyPrefix }), store);
    } finally {
      await deleteRedisKeys(store.client, store.keys.pattern);
      await store.close();
    }
  }, 240_000);

  test.skipIf(!postgresUp)('postgres: 4 processes keep the quota and lose no update', async () => {
    await removeStalePostgresSchemas('cpmp');
    const schema = `cpmp_${runTag()}`;
    const open = (): Promise<PostgresStore> => postgresStore({ connectionString: DATABASE_URL, poolSize: 2 }, { schema });
    let store: PostgresStore | undefined;
    try {
      // The processes create and migrate the schema themselves, all at once.
      const reports = await drive({ driver: 'postgres', target: DATABASE_URL, namespace: schema });
      store = await open();
      await check(reports, store);
    } finally {
      store ??= await open();
      await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.close();
    }
  }, 240_000);
});
