import type { PermissionStore } from '@callperm/core';
import { storeFromDriver, type StoreOptions } from '@callperm/core/store';
import { loadPeer } from './shared/loadPeer.js';
import { redisDriver } from './redis/redisDriver.js';
import { redisKeys, type RedisKeys } from './redis/redisKeys.js';
import type { RedisClient } from './redis/RedisScript.js';

export type { RedisClient } from './redis/RedisScript.js';
export { redisKeys, type RedisKeys } from './redis/redisKeys.js';
export { redisDriver, type RedisDriverOptions } from './redis/redisDriver.js';

/** Where the Redis store connects: a URL it opens, or an ioredis client (or cluster) you opened. */
export type RedisSource =
  | { readonly url: string }
  | {
    readonly client: RedisClient;
    /** Quit `client` when the store is closed (default false: it is yours). */
    readonly closeWithStore?: boolean;
  };

export interface RedisStoreOptions extends StoreOptions {
  /** Prefix of every key (default `callperm`); give each deployment, and each test run, its own. */
  readonly keyPrefix?: string;
  /** Hears the connection errors of a client the store opened from a URL (a server restart, say); it reconnects on its own. */
  readonly onClientError?: (error: Error) => void;
  /**
   * Whether keys may live on different nodes (default: the client's `isCluster`).
   * Single node: the due index and the history change in the same script as the
   * record. Cluster: the history still does (it shares the thread's hash tag), the
   * due index (one sorted set per prefix, so in one slot) is updated by a second,
   * version-guarded script right after the record's, and `commitThread`
   * remembers its event ids only after the record was written.
   */
  readonly cluster?: boolean;
  /**
   * For a client the store opens from a URL: how long a command may wait for the
   * server's answer before it fails with `StoreUnavailableError` (default 3000 ms,
   * inside Meta's 5 s webhook timeout, so the receiver still answers 503 and Meta
   * retries). A server that hangs without closing the connection (stopped, stuck
   * on a slow disk) otherwise holds every command forever. A write that timed out
   * may still be applied later: compare-and-set and dedupe make the retry safe.
   */
  readonly commandTimeoutMs?: number;
}

/**
 * How a client opened from a URL meets an outage: it reconnects after 50 ms, then
 * backs off to every 500 ms, and a command that finds the server gone fails at
 * the next failed reconnect, within about half a second (`StoreUnavailableError`:
 * the receiver answers 503 and Meta retries; the API 503), instead of waiting in
 * the offline queue through 20 reconnects (ioredis's default). A command
 * in flight when the connection dropped is failed, not sent again: the caller
 * retries it, compare-and-set and dedupe make that safe.
 */
const OUTAGE_OPTIONS = {
  maxRetriesPerRequest: 0,
  retryStrategy: (times: number): number => Math.min(times * 50, 500),
  connectTimeout: 2000,
} as const;

/** See `RedisStoreOptions.commandTimeoutMs`. */
const DEFAULT_COMMAND_TIMEOUT_MS = 3000;

/** The Redis `PermissionStore`, with its client and key names for operators. */
export interface RedisStore extends PermissionStore {
  readonly client: RedisClient;
  readonly keys: RedisKeys;
}

/**
 * A `PermissionStore` on Redis (ioredis 5), shared by any number of host
 * instances: {@link redisDriver} wrapped by `storeFromDriver`. Compare-and-set
 * and dedupe are Lua scripts (EVALSHA, EVAL when the server lost them), atomic on
 * the server. A thread is one hash at `{prefix:pageId:psid}`, hash-tagged per
 * thread so Redis Cluster spreads threads across slots, and its consent history
 * a sorted set beside it (`{prefix:pageId:psid}:h`, same slot); a processed event
 * id is `SET NX PX (until - now)`. `commitThread` writes a record, its history and
 * its events' ids in one script on a single node; on a cluster, ids only after
 * the write succeeded. Due threads are a sorted set per prefix (one slot; see
 * `cluster`). Side documents are a hash each, with a due and an expiry index per
 * kind, all of one kind in one slot (`{prefix:doc/kind}`), written by one script.
 * A store opened from a URL auto-pipelines the commands of one event-loop turn,
 * reconnects on its own after a server restart, and meanwhile fails each command
 * within about half a second with `StoreUnavailableError` (see `OUTAGE_OPTIONS`).
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
    const commandTimeout = Math.max(1, Math.trunc(options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS));
    const opened = new Redis(source.url, { enableAutoPipelining: true, ...OUTAGE_OPTIONS, commandTimeout });
    opened.on('error', options.onClientError ?? (() => undefined)); // without a listener ioredis prints every reconnect failure
    client = opened;
    owned = true;
  }
  const driver = redisDriver(client, keys, { ...(options.cluster === undefined ? {} : { cluster: options.cluster }), closeClient: owned });
  return { ...storeFromDriver(driver, options), client, keys };
};
