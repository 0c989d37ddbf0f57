import type { Cluster, Redis } from 'ioredis';
import type { RedisNode } from '../../../src/store/parseRedisClusterUrl.js';

/** Where a racing run's data lives: a Redis key prefix (one server or a cluster's masters), or a PostgreSQL schema. */
export type Namespace =
  | { readonly kind: 'redis'; readonly url: string; readonly prefix: string }
  | { readonly kind: 'redis-cluster'; readonly nodes: readonly RedisNode[]; readonly prefix: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

/** Unlinks every key of the store prefix on one node (SCAN, one key per command: a cluster refuses keys of several slots in one). */
const unlinkPrefix = async (node: Redis, prefix: string): Promise<void> => {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', `{${prefix}[:}]*`, 'COUNT', 1000);
    await Promise.all(keys.map((k) => node.unlink(k)));
    cursor = next;
  } while (cursor !== '0');
};

/**
 * Removes a run's namespace: every key of the Redis store prefix (on every master
 * of a cluster) or the PostgreSQL schema (CASCADE).
 *
 * @example
 * await dropNamespace({ kind: 'postgres', url: DATABASE_URL, schema: 'cprace_tbx7k2_9f3a01c2' });
 */
export const dropNamespace = async (ns: Namespace): Promise<void> => {
  if (ns.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: ns.url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${ns.schema.replaceAll('"', '""')}" CASCADE`);
    } finally {
      await client.end();
    }
    return;
  }
  const { Redis: RedisClient, Cluster: ClusterClient } = await import('ioredis');
  const client: Redis | Cluster = ns.kind === 'redis' ? new RedisClient(ns.url) : new ClusterClient([...ns.nodes]);
  try {
    await client.ping(); // a cluster client knows its masters once connected
    const nodes = client instanceof ClusterClient ? client.nodes('master') : [client];
    for (const node of nodes) await unlinkPrefix(node, ns.prefix);
  } finally {
    client.disconnect();
  }
};
