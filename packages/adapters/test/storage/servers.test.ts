import { emptyRecord } from '@callperm/core';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { redisStore } from '@callperm/adapters/storage/redis';
import {
  DATABASE_URL, namespaceCreatedAt, REDIS_CLUSTER_NODES, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable,
  STALE_NAMESPACE_MS,
} from './servers.js';
import { deleteRedisKeys } from '../../src/storage/redis/deleteRedisKeys.js';

/**
 * The namespace hygiene every suite relies on: a killed run's schemas and keys
 * carry their creation time in their name, and the next run of the same suite
 * removes those older than an hour at its start, and nothing else.
 */
const PREFIX = 'cpnstest';
const [postgresUp, redisUp, clusterUp] = await Promise.all([serverReachable('postgres'), serverReachable('redis'), serverReachable('cluster')]);
const HOUR = 3_600_000;
const thread = { pageId: '1', psid: '2' };

/** One namespace of each kind the helpers must tell apart. */
const namespaces = (now: number) => ({
  old: `${PREFIX}_${runTag(now - 2 * HOUR)}`,
  oldWithSuffix: `${PREFIX}_${runTag(now - HOUR - 60_000)}_3`,
  fresh: `${PREFIX}_${runTag(now)}`,
  justUnderAnHour: `${PREFIX}_${runTag(now - HOUR + 60_000)}`,
  otherPrefix: `cpnsother_${runTag(now - 2 * HOUR)}`,
  lookalike: `${PREFIX}x_${runTag(now - 2 * HOUR)}`,
  untagged: `${PREFIX}_legacy${runTag(now).slice(-8)}`,
});

describe('namespace names', () => {
  test('carry their creation time to the second, read back for their own prefix only', () => {
    const at = Date.UTC(2026, 4, 1, 12, 30, 15, 999);
    const tag = runTag(at);
    expect(tag).toMatch(/^[0-9a-z]{6}_[0-9a-f]{8}$/);
    expect(namespaceCreatedAt('cptest', `cptest_${tag}`)).toBe(Date.UTC(2026, 4, 1, 12, 30, 15));
    expect(namespaceCreatedAt('cptest', `cptest-${tag}-4`)).toBe(Date.UTC(2026, 4, 1, 12, 30, 15));
    expect(namespaceCreatedAt('cptest', `cptest:${tag}:1001:2002}:h`)).toBe(Date.UTC(2026, 4, 1, 12, 30, 15));
    expect(namespaceCreatedAt('cptest', `cptestx_${tag}`)).toBeNull();
    expect(namespaceCreatedAt('cptest', `cptest_${tag}x`)).toBeNull();
    expect(namespaceCreatedAt('cptest', 'cptest_9f3a01c2')).toBeNull();
    expect(namespaceCreatedAt('cp', `cp_model_${tag}`)).toBeNull();
    expect(runTag(at)).not.toBe(tag);
  });
});

describe.skipIf(!postgresUp)('removeStalePostgresSchemas', () => {
  test('drops the schemas of its prefix older than an hour, with their tables; keeps younger ones and other prefixes', async () => {
    const now = Date.now();
    const ns = namespaces(now);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const exists = async (): Promise<Record<keyof typeof ns, boolean>> => {
      const { rows } = await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY($1)', [Object.values(ns)]);
      const found = new Set(rows.map((r) => r.name));
      return Object.fromEntries(Object.entries(ns).map(([k, name]) => [k, found.has(name)])) as Record<keyof typeof ns, boolean>;
    };
    try {
      for (const name of Object.values(ns)) {
        await client.query(`CREATE SCHEMA "${name}"`);
        await client.query(`CREATE TABLE "${name}".threads (id int PRIMARY KEY)`);
      }
      expect(Object.values(await exists()).every(Boolean)).toBe(true);
      const dropped = await removeStalePostgresSchemas(PREFIX, { now });
      expect(await exists()).toEqual({
        old: false, oldWithSuffix: false, fresh: true, justUnderAnHour: true, otherPrefix: true, lookalike: true, untagged: true,
      });
      expect(dropped).not.toContain(ns.fresh);
      // A shorter age takes the younger one too.
      await removeStalePostgresSchemas(PREFIX, { now, olderThanMs: 30 * 60_000 });
      expect((await exists()).justUnderAnHour).toBe(false);
      expect((await exists()).fresh).toBe(true);
    } finally {
      for (const name of Object.values(ns)) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await client.end();
    }
  });

  test('refuses a prefix it could not match safely', async () => {
    await expect(removeStalePostgresSchemas('cp%')).rejects.toBeInstanceOf(RangeError);
    await expect(removeStalePostgresSchemas('')).rejects.toBeInstanceOf(RangeError);
  });
});

describe.skipIf(!redisUp)('removeStaleRedisKeys', () => {
  test('unlinks the keys of its prefix older than an hour (a store\'s and plain ones); keeps younger ones and other prefixes', async () => {
    const now = Date.now();
    const ns = namespaces(now);
    const client = new Redis(REDIS_URL);
    const stores = await Promise.all(Object.values(ns).map((keyPrefix) => redisStore({ client }, { keyPrefix })));
    const keyCount = async (name: string): Promise<number> => {
      let n = 0;
      for await (const batch of client.scanStream({ match: `*${name}*`, count: 1000 }) as AsyncIterable<string[]>) n += batch.length;
      return n;
    };
    const counts = async (): Promise<Record<keyof typeof ns, number>> =>
      Object.fromEntries(await Promise.all(Object.entries(ns).map(async ([k, name]) => [k, await keyCount(name)]))) as Record<keyof typeof ns, number>;
    try {
      for (const [i, store] of stores.entries()) {
        // A record with a due time (thread hash, due index), a remembered event id and a plain key of the prefix.
        expect(await store.compareAndSet(thread, 0, { ...emptyRecord(), dueAt: now + HOUR })).toEqual({ ok: true, version: 1 });
        expect(await store.remember(`e${i}`, now, now + HOUR)).toBe(true);
        await client.set(`${Object.values(ns)[i]!}:plain`, 'x');
      }
      const before = await counts();
      expect(Object.values(before).every((n) => n >= 4)).toBe(true);
      const removed = await removeStaleRedisKeys(PREFIX, { now });
      const after = await counts();
      expect(after).toEqual({ ...before, old: 0, oldWithSuffix: 0 });
      expect(removed).toBeGreaterThanOrEqual(before.old + before.oldWithSuffix);
      // The same through a client the caller passes (how a suite on a cluster calls it), with a shorter age.
      await removeStaleRedisKeys(PREFIX, { now, olderThanMs: STALE_NAMESPACE_MS / 2, client });
      expect(await counts()).toEqual({ ...after, justUnderAnHour: 0 });
    } finally {
      for (const store of stores) await deleteRedisKeys(client, store.keys.pattern);
      for (const name of Object.values(ns)) await client.del(`${name}:plain`);
      await client.quit();
    }
  });
});

describe.skipIf(!clusterUp)('removeStaleRedisKeys on a Redis Cluster', () => {
  test('scans every master: the stale keys of its prefix go from each node, the rest stay', async () => {
    const now = Date.now();
    const ns = namespaces(now);
    const cluster = new Cluster([...REDIS_CLUSTER_NODES]);
    // Enough threads per store that their keys land on every master.
    const threads = Array.from({ length: 12 }, (_, i) => ({ pageId: '1', psid: String(i) }));
    const stores = await Promise.all(Object.values(ns).map((keyPrefix) => redisStore({ client: cluster }, { keyPrefix, cluster: true })));
    const keysOf = async (name: string): Promise<string[]> => {
      const out: string[] = [];
      for (const node of cluster.nodes('master')) {
        for await (const batch of node.scanStream({ match: `*${name}*`, count: 1000 }) as AsyncIterable<string[]>) out.push(...batch);
      }
      return out;
    };
    const perNode = async (name: string): Promise<number> => {
      let nodes = 0;
      for (const node of cluster.nodes('master')) {
        let n = 0;
        for await (const batch of node.scanStream({ match: `*${name}*`, count: 1000 }) as AsyncIterable<string[]>) n += batch.length;
        if (n > 0) nodes += 1;
      }
      return nodes;
    };
    try {
      for (const store of stores) for (const t of threads) await store.compareAndSet(t, 0, { ...emptyRecord(), dueAt: now + HOUR });
      expect(await perNode(ns.old)).toBe(cluster.nodes('master').length);
      const before = Object.fromEntries(await Promise.all(Object.entries(ns).map(async ([k, name]) => [k, (await keysOf(name)).length])));
      await removeStaleRedisKeys(PREFIX, { now, client: cluster });
      const after = Object.fromEntries(await Promise.all(Object.entries(ns).map(async ([k, name]) => [k, (await keysOf(name)).length])));
      expect(after).toEqual({ ...before, old: 0, oldWithSuffix: 0 });
      expect(before.fresh).toBeGreaterThan(threads.length);
    } finally {
      for (const name of Object.values(ns)) for (const key of await keysOf(name)) await cluster.unlink(key);
      await cluster.quit();
    }
  });
});
