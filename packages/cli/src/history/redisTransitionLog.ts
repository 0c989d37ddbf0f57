import type { RedisStore } from '@callperm/adapters/storage/redis';
import { DEFAULT_HISTORY_LIMIT, toHistoryEntry, type HistoryEntry, type TransitionLog } from './TransitionLog.js';
import { WriteQueue } from './WriteQueue.js';

const isEntry = (v: unknown): v is HistoryEntry =>
  typeof v === 'object' && v !== null && 'at' in v && 'from' in v && 'to' in v && 'event' in v;

/**
 * A transition log beside a Redis store's records: one list per thread, in the
 * thread's own hash slot (`{prefix:page:psid}:history`), trimmed to `limit`.
 *
 * @example
 * const store = await redisStore({ url: 'redis://127.0.0.1:6379' });
 * const log = redisTransitionLog(store);
 */
export const redisTransitionLog = (store: RedisStore, limit = DEFAULT_HISTORY_LIMIT): TransitionLog => {
  const key = (t: Parameters<RedisStore['keys']['thread']>[0]): string => `${store.keys.thread(t)}:history`;
  const writes = new WriteQueue();
  return {
    append(n) {
      const k = key(n.thread);
      const json = JSON.stringify(toHistoryEntry(n));
      writes.enqueue(k, () => store.client.multi().rpush(k, json).ltrim(k, -limit, -1).exec());
    },
    async read(thread) {
      const raw = await store.client.lrange(key(thread), 0, -1);
      return raw.map((s) => JSON.parse(s) as unknown).filter(isEntry);
    },
    flush: () => writes.drain(),
  };
};
