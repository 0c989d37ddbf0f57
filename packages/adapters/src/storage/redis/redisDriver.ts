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
  /** Close `client` when the driver is closed (default false: it is yours): QUIT when ready, else disconnect. */
  readonly closeClient?: boolean;
}

/**
 * The driver's calls still waiting for the client. When `close()` drops a client
 * that is not ready, `failAll` rejects them (with ioredis's own "Connection is
 * closed.", so `StoreUnavailableError`): ioredis holds their commands in its
 * offline queue and would fail them at its next reconnect attempt, which
 * `disconnect()` cancels, so they would otherwise never settle.
 */
const pendingCalls = (): { track<T>(answer: T | Promise<T>): Promise<T>; failAll(error: Error): void } => {
  const waiting = new Set<(e: Error) => void>();
  return {
    track<T>(answer: T | Promise<T>): Promise<T> {
      let fail: (e: Error) => void = () => undefined;
      const dropped = new Promise<never>((_, reject) => {
        fail = reject;
      });
      waiting.add(fail);
      return Promise.race([Promise.resolve(answer).finally(() => waiting.delete(fail)), dropped]);
    },
    failAll(error: Error): void {
      for (const reject of waiting) reject(error);
      waiting.clear();
    },
  };
};

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
 * `close()` (with `closeClient`) QUITs a ready client and waits for its end. A
 * client that is not ready (it never connected, or waits between reconnect
 * attempts) is disconnected at once instead, its reconnect timer cancelled, and
 * the calls still waiting on it reject with `StoreUnavailableError`: a QUIT would
 * wait for a connection that may never come.
 *
 * @example
 * const store = storeFromDriver(redisDriver(client, redisKeys('callperm')));
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 */
export const redisDriver = (client: RedisClient, keys: RedisKeys, options: RedisDriverOptions = {}): StoreDriver<'text'> => {
  const cluster = options.cluster ?? client.isCluster;
  const threads = redisThreads(client, keys, cluster);
  const docs = redisDocs(client, keys);
  const calls = pendingCalls();
  return reportUnavailable<'text', StoreDriver<'text'>>({
    name: 'redis',
    recordForm: 'text',
    getThread: (thread) => calls.track(threads.getThread(thread)),
    commit: (commit) => calls.track(threads.commit(commit)),
    deleteThread: (thread, expectedVersion) => calls.track(threads.deleteThread(thread, expectedVersion)),
    dueThreads: (before, limit) => calls.track(threads.dueThreads(before, limit)),
    readHistory: (thread, before, limit) => calls.track(threads.readHistory(thread, before, limit)),
    getDoc: (kind, key) => calls.track(docs.getDoc(kind, key)),
    putDoc: (kind, key, expectedVersion, value, write, prune) => calls.track(docs.putDoc(kind, key, expectedVersion, value, write, prune)),
    deleteDoc: (kind, key, expectedVersion) => calls.track(docs.deleteDoc(kind, key, expectedVersion)),
    dueDocs: (kind, before, limit) => calls.track(docs.dueDocs(kind, before, limit)),
    async close(): Promise<void> {
      if (options.closeClient !== true || client.status === 'end') return;
      if (client.status === 'ready') {
        // QUIT: the server answers the commands already sent, then closes the connection: 'end'.
        const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
        await client.quit().catch(() => client.disconnect());
        await ended;
        return;
      }
      // Not ready (never connected, between reconnect attempts, or still handshaking):
      // nothing to flush, and a QUIT would wait in the offline queue or for an 'end'
      // ioredis never emits for a client between attempts. disconnect() cancels the
      // reconnect timer (cluster: and the slots refresh) and ends any socket now.
      client.disconnect();
      calls.failAll(new Error('Connection is closed.'));
    },
  }, isRedisConnectionFault);
};
