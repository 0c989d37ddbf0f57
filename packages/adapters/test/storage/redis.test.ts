import { runStoreConformance } from '@callperm/testing';
import { emptyRecord } from '@callperm/core';
import type { DriverCommit } from '@callperm/core/store';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redisDriver, redisKeys, redisStore, type RedisClient, type RedisStore } from '@callperm/adapters/storage/redis';
import { REDIS_CLUSTER_NODES, REDIS_URL, removeStaleRedisKeys, runTag, serverReachable } from './servers.js';
import { deleteRedisKeys } from '../../src/storage/redis/deleteRedisKeys.js';
import { INDEX_SCRIPT, RETIRE_ROW_SCRIPT, UNINDEX_SCRIPT } from '../../src/storage/redis/luaScripts.js';
import { RedisScript } from '../../src/storage/redis/RedisScript.js';

const reachable = await serverReachable('redis');
/** The real Redis Cluster (3 masters, `.ci/redis-cluster.sh`): required under CI, else skipped with a line saying how to start it. */
const clusterReachable = await serverReachable('cluster');
const base = `cptest-${runTag()}`;
let client: Redis;
let cluster: Cluster;
let stores = 0;
/** The prefixes each suite used, for its cleanup. */
const used: Record<'single' | 'cluster', string[]> = { single: [], cluster: [] };
const freshPrefix = (on: 'single' | 'cluster' = 'single'): string => {
  const prefix = `${base}-${(stores += 1)}`;
  used[on].push(prefix);
  return prefix;
};
const thread = { pageId: '1001', psid: '2002' };
const NEVER = Number.MAX_SAFE_INTEGER;
/** A driver commit of `thread` writing record text '{}' (the driver never decodes it), no ids, no history. */
const commitOf = (over: Partial<DriverCommit<'text'>>): DriverCommit<'text'> => ({
  thread, expectedVersion: 0, record: '{}', dueAt: null, eventIds: [], now: 1000, until: 2000,
  history: [], historyBefore: Number.MIN_SAFE_INTEGER, historyUntil: NEVER, prune: null, ...over,
});
const corrupt = async (store: RedisStore, t: typeof thread, text: string): Promise<void> => {
  await store.client.hset(store.keys.thread(t), 'r', text);
};

/**
 * What each driver mode must do, on one node (every step in one script) and on a
 * real cluster (the driver's cluster mode, from the client's `isCluster`: the due
 * index by a second script, the ids after the record).
 */
const modeTests = (mode: 'single node' | 'cluster', clientOf: () => RedisClient, on: 'single' | 'cluster'): void => {
  const driverFor = () => redisDriver(clientOf(), redisKeys(freshPrefix(on)));

  test(`redis (${mode}): history reads newest first by at, then commit order, with before and limit`, async () => {
    const driver = driverFor();
    expect(await driver.commit(commitOf({ history: [{ at: 10, text: 'a' }, { at: 20, text: 'b' }] }))).toEqual([]);
    expect(await driver.commit(commitOf({ expectedVersion: 1, history: [{ at: 20, text: 'c' }, { at: 5, text: 'd' }] }))).toEqual([]);
    expect(await driver.commit(commitOf({ expectedVersion: 2, history: [{ at: 30, text: 'e' }, { at: 30, text: 'e' }] }))).toEqual([]);
    const all = await driver.readHistory(thread, NEVER, 10);
    expect(all).toEqual([
      { at: 30, text: 'e' }, { at: 30, text: 'e' }, { at: 20, text: 'c' }, { at: 20, text: 'b' }, { at: 10, text: 'a' }, { at: 5, text: 'd' },
    ]);
    expect(await driver.readHistory(thread, 20, 10)).toEqual([{ at: 10, text: 'a' }, { at: 5, text: 'd' }]);
    expect(await driver.readHistory(thread, NEVER, 3)).toEqual(all.slice(0, 3));
    expect(await driver.readHistory({ pageId: '1001', psid: 'other' }, NEVER, 10)).toEqual([]);
  });

  test(`redis (${mode}): a conflicting commit appends no history and remembers no id`, async () => {
    const driver = driverFor();
    expect(await driver.commit(commitOf({ history: [{ at: 10, text: 'a' }] }))).toEqual([]);
    expect(await driver.commit(commitOf({ eventIds: ['m1'], history: [{ at: 11, text: 'lost' }] }))).toBeNull();
    expect(await driver.readHistory(thread, NEVER, 10)).toEqual([{ at: 10, text: 'a' }]);
    expect(await driver.commit(commitOf({ record: null, thread: { pageId: '', psid: '' }, eventIds: ['m1'] }))).toEqual([true]);
    expect(await driver.getThread(thread)).toEqual({ version: '1', record: '{}' });
  });

  test(`redis (${mode}): a commit trims entries before historyBefore and sets the key's TTL to historyUntil - now`, async () => {
    const keys = redisKeys(freshPrefix(on));
    const driver = redisDriver(clientOf(), keys);
    await driver.commit(commitOf({ history: [{ at: 10, text: 'a' }, { at: 20, text: 'b' }] }));
    expect(await clientOf().pttl(keys.history(thread))).toBe(-1); // no retention: kept
    await driver.commit(commitOf({
      expectedVersion: 1, history: [{ at: 30, text: 'c' }], historyBefore: 20, historyUntil: 61_000, now: 1000,
    }));
    expect(await driver.readHistory(thread, NEVER, 10)).toEqual([{ at: 30, text: 'c' }, { at: 20, text: 'b' }]);
    const ttl = await clientOf().pttl(keys.history(thread));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // A late entry (older at, so an earlier historyUntil) never shortens the TTL the newer ones need.
    await driver.commit(commitOf({ expectedVersion: 2, history: [{ at: 25, text: 'late' }], historyBefore: 20, historyUntil: 2000, now: 1000 }));
    expect(await clientOf().pttl(keys.history(thread))).toBeGreaterThan(50_000);
    // A commit without history leaves the key alone.
    await driver.commit(commitOf({ expectedVersion: 3, historyBefore: 100 }));
    expect(await driver.readHistory(thread, NEVER, 10)).toHaveLength(3);
  });

  test(`redis (${mode}): a retire deletes the record and its due member at the expected version, never the history or the ids`, async () => {
    const keys = redisKeys(freshPrefix(on));
    const driver = redisDriver(clientOf(), keys);
    expect(await driver.commit(commitOf({ dueAt: 10, eventIds: ['e1'], history: [{ at: 10, text: 'a' }] }))).toEqual([true]);
    expect(await driver.deleteThread(thread, 2)).toBe(false);
    expect(await driver.deleteThread(thread, 1)).toBe(true);
    expect(await driver.getThread(thread)).toBeNull();
    expect(await clientOf().hget(keys.thread(thread), 'r')).toBeNull();
    expect(await clientOf().exists(keys.thread(thread))).toBe(on === 'cluster' ? 1 : 0); // cluster mode keeps the order base
    expect(await clientOf().zscore(keys.due, keys.member(thread))).toBeNull();
    expect(await driver.readHistory(thread, NEVER, 10)).toEqual([{ at: 10, text: 'a' }]);
    expect(await clientOf().exists(keys.event('e1'))).toBe(1);
  });
};

describe.skipIf(!reachable)('redis', () => {
  beforeAll(async () => {
    client = new Redis(REDIS_URL);
    await removeStaleRedisKeys('cptest', { client });
  });
  afterAll(async () => {
    for (const prefix of used.single) await deleteRedisKeys(client, redisKeys(prefix).pattern);
    await client.quit();
  });

  runStoreConformance(test, () => redisStore({ client }, { keyPrefix: freshPrefix() }), { name: 'redis', corrupt });
  modeTests('single node', () => client, 'single');

  test('redis: keys are hash-tagged per thread, ids encoded so they cannot leave their tag', async () => {
    const { keys } = await redisStore({ client }, { keyPrefix: 'cp' });
    expect(keys.thread(thread)).toBe('{cp:1001:2002}');
    expect(keys.thread({ pageId: '1}x{', psid: 'a:b' })).toBe('{cp:1%7Dx%7B:a%3Ab}');
    expect(keys.event('m:1')).toBe('{cp:m%3A1}:seen');
    expect(keys.due).toBe('{cp}:due');
    expect(keys.history(thread)).toBe('{cp:1001:2002}:h');
    expect(keys.parseMember(keys.member({ pageId: 'a:b', psid: '%' }))).toEqual({ pageId: 'a:b', psid: '%' });
    await expect(redisStore({ client }, { keyPrefix: 'a{b}' })).rejects.toBeInstanceOf(RangeError);
  });

  test('redis: documents of one kind share one hash tag, which no thread or event key can take', async () => {
    const { keys } = await redisStore({ client }, { keyPrefix: 'cp' });
    expect(keys.doc('call', '4:1234:c_1')).toBe('{cp:doc/call}:d:4:1234:c_1');
    expect(keys.doc('inbox', '}{')).toBe('{cp:doc/inbox}:d:}{');
    expect([keys.docDue('inbox'), keys.docExpiry('inbox')]).toEqual(['{cp:doc/inbox}:due', '{cp:doc/inbox}:exp']);
    expect(keys.thread({ pageId: 'doc/call', psid: 'x' })).toBe('{cp:doc%2Fcall:x}');
    expect(keys.event('doc/call')).toBe('{cp:doc%2Fcall}:seen');
  });

  test('redis: a document with an expiry gets a TTL of expiresAt - now; rewritten without one, it loses it', async () => {
    const store = await redisStore({ client }, { keyPrefix: freshPrefix() });
    const key = store.keys.doc('call', 'k');
    expect(await store.putDoc('call', 'k', 0, '{}', { now: 1_000_000, dueAt: null, expiresAt: 1_060_000 })).toEqual({ ok: true, version: 1 });
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.putDoc('call', 'k', 1, '{}', { now: 1_000_000, dueAt: null, expiresAt: null })).toEqual({ ok: true, version: 2 });
    expect(await client.pttl(key)).toBe(-1);
    expect(await client.zscore(store.keys.docExpiry('call'), 'k')).toBeNull();
  });

  test('redis: a damaged document version is reported as corrupt_doc, never a crash', async () => {
    const store = await redisStore({ client }, { keyPrefix: freshPrefix() });
    await store.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null });
    await client.hset(store.keys.doc('inbox', 'k'), 'v', 'x');
    await expect(store.getDoc('inbox', 'k')).rejects.toMatchObject({ code: 'corrupt_doc', kind: 'inbox', key: 'k' });
    expect(await store.putDoc('inbox', 'k', 1, '{}', { now: 0, dueAt: null, expiresAt: null })).toEqual({ ok: false, reason: 'conflict' });
  });

  test('redis: scripts survive SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const store = await redisStore({ client }, { keyPrefix: freshPrefix() });
    expect(await store.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
    await client.script('FLUSH');
    expect(await store.compareAndSet(thread, 1, emptyRecord())).toEqual({ ok: true, version: 2 });
    expect(await store.remember('e', 0, 1000)).toBe(true);
  });

  test('redis: a remembered id expires in Redis after until - now', async () => {
    const store = await redisStore({ client }, { keyPrefix: freshPrefix() });
    expect(await store.remember('e', 1_000_000, 1_060_000)).toBe(true);
    const ttl = await client.pttl(store.keys.event('e'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.remember('gone', 5000, 5000)).toBe(true);
    expect(await client.exists(store.keys.event('gone'))).toBe(0);
  });

  test('redis: a store opened from a URL quits its connection on close; a client passed in stays open', async () => {
    const own = await redisStore({ url: REDIS_URL }, { keyPrefix: freshPrefix() });
    expect(await own.get(thread)).toBeNull();
    await own.close();
    expect(own.client.status).toBe('end');
    const lent = await redisStore({ client }, { keyPrefix: freshPrefix() });
    await lent.close();
    expect(client.status).toBe('ready');
    await expect(lent.get(thread)).rejects.toMatchObject({ code: 'store_closed' });
  });

  test('redis: a damaged version field or due member is reported or skipped, never a crash', async () => {
    const store = await redisStore({ client }, { keyPrefix: freshPrefix() });
    await store.compareAndSet(thread, 0, { ...emptyRecord(), dueAt: 10 });
    await client.zadd(store.keys.due, 5, 'not-a-member');
    expect(await store.due(100, 10)).toEqual([thread]);
    await client.hset(store.keys.thread(thread), 'v', 'x');
    await expect(store.get(thread)).rejects.toMatchObject({ code: 'corrupt_record', thread });
  });
});

/** Every key of `node` matching `pattern` (SCAN to the end). */
const scanAll = async (node: Redis, pattern: string): Promise<string[]> => {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
};

/** Deletes every key of a store prefix on every master, one key per command (a cluster refuses keys of several slots in one). */
const deleteClusterKeys = async (c: Cluster, pattern: string): Promise<void> => {
  for (const node of c.nodes('master')) await Promise.all((await scanAll(node, pattern)).map((k) => node.unlink(k)));
};

describe.skipIf(!clusterReachable)('redis cluster (3 masters)', () => {
  beforeAll(async () => {
    cluster = new Cluster([...REDIS_CLUSTER_NODES]);
    await cluster.ping();
    await removeStaleRedisKeys('cptest', { client: cluster });
  });
  afterAll(async () => {
    for (const prefix of used.cluster) await deleteClusterKeys(cluster, redisKeys(prefix).pattern);
    await cluster.quit();
  });

  runStoreConformance(test, () => redisStore({ client: cluster }, { keyPrefix: freshPrefix('cluster') }), {
    name: 'redis cluster (due index by a second script, ids after the record)', corrupt,
  });
  modeTests('cluster', () => cluster, 'cluster');

  test('redis cluster: a store\'s threads spread over every master, and its due index lists them all', async () => {
    const store = await redisStore({ client: cluster }, { keyPrefix: freshPrefix('cluster') });
    const threads = Array.from({ length: 60 }, (_, i) => ({ pageId: '1001', psid: String(3000 + i) }));
    for (const t of threads) expect(await store.compareAndSet(t, 0, { ...emptyRecord(), dueAt: 10 })).toEqual({ ok: true, version: 1 });
    const perMaster = await Promise.all(cluster.nodes('master').map(async (node) => (await scanAll(node, store.keys.pattern)).length));
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((n) => n > 0)).toBe(true);
    expect((await store.due(10, 100)).length).toBe(60);
  });

  test('redis cluster: retire orders the due index like commits, across a new row and a crash between its steps', async () => {
    const keys = redisKeys(freshPrefix('cluster'));
    const driver = redisDriver(cluster, keys);
    const index = new RedisScript(INDEX_SCRIPT);
    await driver.commit(commitOf({ dueAt: 10 }));
    await driver.commit(commitOf({ expectedVersion: 1, dueAt: 20 }));
    expect(await driver.deleteThread(thread, 2)).toBe(true);
    expect(await cluster.hgetall(keys.thread(thread))).toEqual({ b: '2' });
    // The retired row's last index write, arriving late, cannot list it again.
    await index.run(cluster, [keys.due, keys.dueVersions], [keys.member(thread), 2, 20]);
    expect(await driver.dueThreads(100, 10)).toEqual([]);
    // A new row starts at version 1 and is indexed: its order (3) is past the retire's.
    expect(await driver.commit(commitOf({ dueAt: 30 }))).toEqual([]);
    expect(await driver.getThread(thread)).toEqual({ version: '1', record: '{}' });
    expect(await driver.dueThreads(100, 10)).toEqual([thread]);
    // The retire's second step, arriving after the new row's index write, leaves the new row listed.
    await new RedisScript(UNINDEX_SCRIPT).run(cluster, [keys.due, keys.dueVersions], [keys.member(thread), 2]);
    expect(await driver.dueThreads(100, 10)).toEqual([thread]);
    // A crash after the row step alone leaves the member listed with no row; a retire at version 0 removes it.
    expect(await new RedisScript(RETIRE_ROW_SCRIPT).run(cluster, [keys.thread(thread)], [1])).toBe(3);
    expect(await driver.getThread(thread)).toBeNull();
    expect(await driver.dueThreads(100, 10)).toEqual([thread]);
    expect(await driver.deleteThread(thread, 0)).toBe(true);
    expect(await driver.dueThreads(100, 10)).toEqual([]);
    expect(await driver.commit(commitOf({ dueAt: 40 }))).toEqual([]);
    expect(await driver.dueThreads(100, 10)).toEqual([thread]);
  });
});
