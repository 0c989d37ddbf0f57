/** The CLI's tests reach Redis (and the Redis Cluster) and PostgreSQL the same way the storage tests do: one probe, one namespace scheme for both. */
export {
  DATABASE_URL, REDIS_CLUSTER_NODES, REDIS_CLUSTER_URL, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable,
} from '../../../adapters/test/storage/servers.js';
