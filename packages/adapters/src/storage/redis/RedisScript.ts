import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** An ioredis client: one node or a cluster. */
export type RedisClient = Redis | Cluster;

const isNoScript = (e: unknown): boolean => e instanceof Error && e.message.startsWith('NOSCRIPT');

/**
 * A Lua script run by its SHA1 (EVALSHA), falling back to EVAL when the server
 * does not have it cached (after a restart, a failover or on a new cluster node);
 * the EVAL also caches it there for next time.
 *
 * @example
 * const cas = new RedisScript(CAS_SCRIPT);
 * await cas.run(client, [key], [0, json, '', member]); // 1
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!isNoScript(e)) throw e;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
