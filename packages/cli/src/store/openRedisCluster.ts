import type { Cluster } from 'ioredis';
import { parseRedisClusterUrl } from './parseRedisClusterUrl.js';

/**
 * An ioredis `Cluster` client for a `redis-cluster://` URL: its nodes as seeds,
 * its user and password for every node, TLS for `rediss-cluster://`, and the
 * commands of one event-loop turn pipelined (per node), as a store opened from a
 * `redis://` URL does. The Redis store then runs in cluster mode (the client's
 * `isCluster`): see `RedisStoreOptions.cluster`.
 *
 * @example
 * const store = await redisStore({ client: await openRedisCluster('redis-cluster://127.0.0.1:7001'), closeWithStore: true });
 */
export const openRedisCluster = async (url: string): Promise<Cluster> => {
  const { nodes, username, password, tls } = parseRedisClusterUrl(url);
  const { Cluster: RedisCluster } = await import('ioredis');
  return new RedisCluster(nodes.map((n) => ({ host: n.host, port: n.port })), {
    enableAutoPipelining: true,
    redisOptions: {
      // As a store opened from a redis:// URL: a node that hangs fails a command within 3 s (StoreUnavailableError).
      commandTimeout: 3000,
      ...(username === null ? {} : { username }),
      ...(password === null ? {} : { password }),
      ...(tls ? { tls: {} } : {}),
    },
  });
};
