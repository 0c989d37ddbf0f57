import type { CasResult, DocKind, PermissionStore, VersionedDoc } from '@callperm/core';
import { docRow } from '../shared/docRow.js';
import { DELETE_DOC_SCRIPT, PUT_DOC_SCRIPT } from './luaScripts.js';
import type { RedisKeys } from './redisKeys.js';
import { RedisScript, type RedisClient } from './RedisScript.js';

/** The document half of the `PermissionStore` port. */
export type DocMethods = Pick<PermissionStore, 'getDoc' | 'putDoc' | 'deleteDoc' | 'dueDocs'>;

const putDoc = new RedisScript(PUT_DOC_SCRIPT);
const deleteDoc = new RedisScript(DELETE_DOC_SCRIPT);

/** Expired documents deleted per write at most: each write adds one, so pruning keeps up. */
const PRUNE_BATCH = 64;

/**
 * The Redis store's side documents: one hash per document, a due index and an
 * expiry index per kind, all of a kind in one slot (see `RedisKeys.doc`), so a
 * write, its indexes and the pruning of expired documents are one atomic script,
 * on a single node and on a cluster alike.
 *
 * @example
 * const docs = redisDocs(client, redisKeys('callperm'), () => undefined);
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }); // { ok: true, version: 1 }
 */
export const redisDocs = (client: RedisClient, keys: RedisKeys, open: () => void): DocMethods => {
  const scriptKeys = (kind: DocKind, key: string): string[] => [keys.doc(kind, key), keys.docDue(kind), keys.docExpiry(kind)];
  return {
    async getDoc(kind, key): Promise<VersionedDoc | null> {
      open();
      const [version, value, dueAt] = await client.hmget(keys.doc(kind, key), 'v', 'd', 't');
      if (version === null && value === null) return null;
      return docRow(kind, key, version, value, dueAt);
    },
    async putDoc(kind, key, expectedVersion, value, write): Promise<CasResult> {
      open();
      const args = [expectedVersion, value, write.dueAt ?? '', write.expiresAt ?? '', write.now, key, keys.docPrefix(kind), PRUNE_BATCH];
      const version = Number(await putDoc.run(client, scriptKeys(kind, key), args));
      return version === 0 ? { ok: false, reason: 'conflict' } : { ok: true, version };
    },
    async deleteDoc(kind, key, expectedVersion): Promise<CasResult> {
      open();
      const gone = Number(await deleteDoc.run(client, scriptKeys(kind, key), [expectedVersion, key])) === 1;
      return gone ? { ok: true, version: 0 } : { ok: false, reason: 'conflict' };
    },
    async dueDocs(kind, before, limit): Promise<string[]> {
      open();
      if (limit <= 0) return [];
      return client.zrangebyscore(keys.docDue(kind), '-inf', before, 'LIMIT', 0, Math.trunc(limit));
    },
  };
};
