import type { RedisClient } from './RedisScript.js';

/**
 * Deletes every key matching `pattern` (SCAN, never KEYS): how tests and benches
 * leave Redis as they found it (`RedisKeys.pattern` matches one store's keys).
 *
 * @example
 * await deleteRedisKeys(store.client, store.keys.pattern);
 */
export const deleteRedisKeys = async (client: RedisClient, pattern: string): Promise<void> => {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
};
