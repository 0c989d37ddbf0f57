import type { StoreDriver } from '@callperm/core/store';
import { reportUnavailable } from '../shared/reportUnavailable.js';
import { isRedisConnectionFault } from './isRedisConnectionFault.js';
import { redisDocs } from './redisDocs.js';
import type { RedisKeys } from './redisKeys.js';
import type { RedisClient } from './RedisScript.js';
import { redisThreads } from './redisThreads.js';

/** Options of {@link redisDriver}. */
export interface RedisDriverOptions {
  /**
   * Whether keys may live on different nodes (default: the client's `isCluster`).
   * Single node: a commit is one script (record, due index, history, event ids).
   * Cluster: the record and its history (one slot) by one script, then the due
   * index (one sorted set per prefix, so in one slot) by a second, order-guarded
   * script, then the event ids, only after the record was written. A retire
   * likewise: the row, then its due member.
   */
  readonly cluster?: boolean;
  /** Quit `client` when the driver is closed (default false: it is yours). */
  readonly closeClient?: boolean;
}

/**
 * The Redis {@link StoreDriver} (records as JSON text), for `storeFromDriver`:
 * Lua scripts run by EVALSHA (EVAL when the server lost them), atomic on the
 * server. Give the client `enableAutoPipelining: true` so the commands of one
 * event-loop turn share a round trip. Prune requests are not needed and ignored:
 * event ids expire by their TTL (`until - now`), documents are pruned per write
 * of their kind and expire by their TTL, and a thread's history is trimmed by
 * `historyBefore` on every append and expires `historyUntil - now` after the last.
 * A call that fails because the server is down, restarting or loading its data
 * rejects with `StoreUnavailableError`.
 *
 * @example
 * const store = storeFromDriver(redisDriver(client, redisKeys('callperm')));
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 */
export const redisDriver = (client: RedisClient, keys: RedisKeys, options: RedisDriverOptions = {}): StoreDriver<'text'> => {
  const cluster = options.cluster ?? client.isCluster;
  return reportUnavailable<'text', StoreDriver<'text'>>({
    name: 'redis',
    recordForm: 'text',
    ...redisThreads(client, keys, cluster),
    ...redisDocs(client, keys),
    async close(): Promise<void> {
      if (options.closeClient !== true || client.status === 'end') return;
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      await client.quit().catch(() => client.disconnect());
      await ended;
    },
  }, isRedisConnectionFault);
};
