import type { DocKind } from '@callperm/core';
import type { StoreDriver } from '@callperm/core/store';
import { DELETE_DOC_SCRIPT, PUT_DOC_SCRIPT } from './luaScripts.js';
import type { RedisKeys } from './redisKeys.js';
import { RedisScript, type RedisClient } from './RedisScript.js';

/** The document half of the Redis driver. */
export type DocMethods = Pick<StoreDriver<'text'>, 'getDoc' | 'putDoc' | 'deleteDoc' | 'dueDocs'>;

const putDoc = new RedisScript(PUT_DOC_SCRIPT);
const deleteDoc = new RedisScript(DELETE_DOC_SCRIPT);

/** Expired documents deleted per write at most: each write adds one, so pruning keeps up. */
const PRUNE_BATCH = 64;

/**
 * The Redis driver's side documents: one hash per document, a due index and an
 * expiry index per kind, all of a kind in one slot (see `RedisKeys.doc`), so a
 * write, its indexes and the pruning of expired documents of its kind (by the
 * writer's `now`) are one atomic script, on a single node and on a cluster alike.
 * A document with an expiry also gets a TTL, so the wrapper's prune requests
 * need nothing more here.
 *
 * @example
 * const docs = redisDocs(client, redisKeys('callperm'));
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }, null); // true
 */
export const redisDocs = (client: RedisClient, keys: RedisKeys): DocMethods => {
  const scriptKeys = (kind: DocKind, key: string): string[] => [keys.doc(kind, key), keys.docDue(kind), keys.docExpiry(kind)];
  return {
    async getDoc(kind, key) {
      const [version, value, dueAt] = await client.hmget(keys.doc(kind, key), 'v', 'd', 't');
      return version === null && value === null ? null : { version, value, dueAt };
    },
    async putDoc(kind, key, expectedVersion, value, write) {
      const args = [expectedVersion, value, write.dueAt ?? '', write.expiresAt ?? '', write.now, key, keys.docPrefix(kind), PRUNE_BATCH];
      return Number(await putDoc.run(client, scriptKeys(kind, key), args)) !== 0;
    },
    async deleteDoc(kind, key, expectedVersion) {
      return Number(await deleteDoc.run(client, scriptKeys(kind, key), [expectedVersion, key])) === 1;
    },
    async dueDocs(kind, before, limit) {
      return client.zrangebyscore(keys.docDue(kind), '-inf', before, 'LIMIT', 0, limit);
    },
  };
};
