import type { RedisStore } from '../../packages/adapters/src/storage/redis.js';

/**
 * Deletes every key matching `pattern` (SCAN, never KEYS), so a bench round leaves Redis as it found it.
 *
 * @example
 * await deleteRedisKeys(store.client, store.keys.pattern);
 */
export const deleteRedisKeys = async (client: RedisStore['client'], pattern: string): Promise<void> => {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
};
