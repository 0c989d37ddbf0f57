import type { PermissionStore, Thread, Versioned } from '@callperm/core';
import { loadPeer } from './shared/loadPeer.js';
import { parseVersion } from './shared/parseVersion.js';
import { decodeRecord } from './shared/recordJson.js';
import { StoreClosedError } from './shared/StoreClosedError.js';
import { redisDocs } from './redis/redisDocs.js';
import { redisKeys, type RedisKeys } from './redis/redisKeys.js';
import type { RedisClient } from './redis/RedisScript.js';
import { redisThreadWrites } from './redis/redisThreadWrites.js';

export type { RedisClient } from './redis/RedisScript.js';
export type { RedisKeys } from './redis/redisKeys.js';

/** Where the Redis store connects: a URL it opens, or an ioredis client (or cluster) you opened. */
export type RedisSource =
  | { readonly url: string }
  | {
    readonly client: RedisClient;
    /** Quit `client` when the store is closed (default false: it is yours). */
    readonly closeWithStore?: boolean;
  };

export interface RedisStoreOptions {
  /** Prefix of every key (default `callperm`); give each deployment, and each test run, its own. */
  readonly keyPrefix?: string;
  /**
   * Whether keys may live on different nodes (default: the client's `isCluster`).
   * Single node: the due index changes in the same script as the record. Cluster:
   * the due index (one sorted set per prefix, so in one slot) is updated by a
   * second, version-guarded script right after the record's, and `commitThread`
   * remembers its event ids only after the record was written.
   */
  readonly cluster?: boolean;
}

/** The Redis `PermissionStore`, with its client and key names for operators. */
export interface RedisStore extends PermissionStore {
  readonly client: RedisClient;
  readonly keys: RedisKeys;
}

/**
 * A `PermissionStore` on Redis (ioredis 5), shared by any number of host
 * instances. Compare-and-set and dedupe are Lua scripts (EVALSHA, EVAL when the
 * server lost them), atomic on the server. A thread is one hash at
 * `{prefix:pageId:psid}`, hash-tagged per thread so Redis Cluster spreads
 * threads across slots; a processed event id is `SET NX PX (until - now)`.
 * `commitThread` writes a record and remembers its events' ids in one script
 * on a single node; on a cluster, ids only after the write succeeded.
 * Due threads are a sorted set per prefix (one slot; see `cluster`). Side
 * documents are a hash each, with a due and an expiry index per kind, all of one
 * kind in one slot (`{prefix:doc/kind}`), written by one script.
 *
 * @example
 * const store = await redisStore({ url: 'redis://127.0.0.1:6379' }, { keyPrefix: 'callperm' });
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 * await store.close();
 */
export const redisStore = async (source: RedisSource, options: RedisStoreOptions = {}): Promise<RedisStore> => {
  const keys = redisKeys(options.keyPrefix ?? 'callperm');
  let client: RedisClient;
  let owned: boolean;
  if ('client' in source) {
    client = source.client;
    owned = source.closeWithStore === true;
  } else {
    const { Redis } = await loadPeer('ioredis', 'redis', () => import('ioredis'));
    // Commands issued in one event-loop turn (concurrent commands, concurrent deliveries) go out as one pipeline.
    client = new Redis(source.url, { enableAutoPipelining: true });
    owned = true;
  }
  const cluster = options.cluster ?? client.isCluster;
  let closed = false;
  const open = (): void => {
    if (closed) throw new StoreClosedError('redis');
  };
  const docs = redisDocs(client, keys, open);
  const writes = redisThreadWrites(client, keys, cluster, open);

  return {
    client,
    keys,
    async get(thread: Thread): Promise<Versioned | null> {
      open();
      const [version, record] = await client.hmget(keys.thread(thread), 'v', 'r');
      if (version === null && record === null) return null;
      return { version: parseVersion(thread, version), record: decodeRecord(thread, record) };
    },
    ...writes,
    async due(before, limit): Promise<Thread[]> {
      open();
      if (limit <= 0) return [];
      const members = await client.zrangebyscore(keys.due, '-inf', before, 'LIMIT', 0, Math.trunc(limit));
      return members.flatMap((m) => {
        const thread = keys.parseMember(m);
        return thread === null ? [] : [thread];
      });
    },
    ...docs,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (!owned || client.status === 'end') return;
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      await client.quit().catch(() => client.disconnect());
      await ended;
    },
  };
};
