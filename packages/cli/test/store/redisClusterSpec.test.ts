import { emptyRecord, type Thread } from '@callperm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/CliError.js';
import { openStore } from '../../src/store/openStore.js';
import { parseRedisClusterUrl } from '../../src/store/parseRedisClusterUrl.js';
import { describeStore, parseStoreSpec, storeSecrets } from '../../src/store/parseStoreSpec.js';
import { dropNamespace } from '../reliability/support/dropNamespace.js';
import { REDIS_CLUSTER_NODES, REDIS_CLUSTER_URL, removeStaleRedisKeys, runTag, serverReachable } from '../support/reachable.js';

describe('a Redis Cluster store spec', () => {
  it('names the cluster by some of its nodes, with the #prefix as for one server', () => {
    expect(parseStoreSpec('redis-cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002#calls', '/')).toEqual({
      kind: 'redis', url: 'redis-cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002', namespace: 'calls',
      clusterNodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }],
    });
    expect(parseStoreSpec('redis://127.0.0.1:6379', '/')).not.toHaveProperty('clusterNodes');
  });

  it('reads the user and password (percent-decoded) for every node, and TLS from rediss-cluster://', () => {
    expect(parseRedisClusterUrl('rediss-cluster://ops:p%40ss@h1:7000,h2:7000')).toEqual({
      nodes: [{ host: 'h1', port: 7000 }, { host: 'h2', port: 7000 }], username: 'ops', password: 'p@ss', tls: true,
    });
    expect(parseRedisClusterUrl('redis-cluster://:s3cret@h1:7000')).toMatchObject({ username: null, password: 's3cret', tls: false });
  });

  it('never prints the password, and scrubs it from driver errors', () => {
    const spec = parseStoreSpec('redis-cluster://ops:s3cret@h1:7000,h2:7000#calls', '/');
    expect(describeStore(spec)).toBe('redis-cluster://ops:***@h1:7000,h2:7000#calls');
    expect(storeSecrets(spec)).toEqual(['s3cret']);
  });

  it.each([
    'redis-cluster://', 'redis-cluster://h1', 'redis-cluster://h1:0', 'redis-cluster://h1:70000', 'redis-cluster://h1:7000,,h2:7000', 'redis-cluster://h1:x',
  ])('refuses %s as a usage error', (bad) => {
    let thrown: unknown = null;
    try {
      parseStoreSpec(bad, '/');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).code).toBe('usage');
  });
});

describe.runIf(await serverReachable('cluster'))('a store opened from a redis-cluster:// spec', () => {
  const prefix = `clitest_${runTag()}`;
  beforeAll(async () => {
    const { Cluster } = await import('ioredis');
    const client = new Cluster([...REDIS_CLUSTER_NODES]);
    try {
      await client.ping();
      await removeStaleRedisKeys('clitest', { client });
    } finally {
      client.disconnect();
    }
  });
  afterAll(() => dropNamespace({ kind: 'redis-cluster', nodes: REDIS_CLUSTER_NODES, prefix }));

  it('runs on the cluster: what one open writes, the next reads, threads apart', async () => {
    const threads: Thread[] = Array.from({ length: 12 }, (_, i) => ({ pageId: '9001', psid: String(100 + i) }));
    const spec = parseStoreSpec(`${REDIS_CLUSTER_URL}#${prefix}`, '/');
    const writer = await openStore(spec);
    try {
      for (const [i, t] of threads.entries()) {
        expect(await writer.store.compareAndSet(t, 0, { ...emptyRecord(), lastInboundAt: i })).toEqual({ ok: true, version: 1 });
      }
    } finally {
      await writer.close();
    }
    const reader = await openStore(spec);
    try {
      expect(reader.label).toBe(`${REDIS_CLUSTER_URL}#${prefix}`);
      for (const [i, t] of threads.entries()) expect((await reader.store.get(t))?.record.lastInboundAt).toBe(i);
      expect(await reader.store.get({ pageId: '9001', psid: '999' })).toBeNull();
    } finally {
      await reader.close();
    }
  });
});
