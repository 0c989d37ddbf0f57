import { isRight } from 'fp-ts/lib/Either.js';
import { packedHead, packRecord, unpackRecord } from './machine/packedRecord.js';
import { PermissionRecordCodec, type PermissionRecord } from './machine/PermissionRecord.js';
import { CorruptRecordError, type CasResult, type PermissionStore, type Versioned } from './ports/PermissionStore.js';
import type { Instant, Thread } from './thread.js';

/** An unambiguous key whatever the ids contain: the page id's length, then both ids. */
const keyOf = (t: Thread): string => `${t.pageId.length}:${t.pageId}${t.psid}`;
const threadOf = (key: string): Thread => {
  const colon = key.indexOf(':');
  const start = colon + 1;
  const end = start + Number(key.slice(0, colon));
  return { pageId: key.slice(start, end), psid: key.slice(end) };
};

const settle = <T>(f: () => T): Promise<T> => {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
};

/**
 * A `PermissionStore` in this process's memory: for tests, simulations and a host
 * that runs one instance. Each thread is one short binary string (`packRecord`,
 * with the version in front): a fraction of a record object's heap, nothing for
 * the GC to trace, and every read builds a fresh copy, so callers cannot change a
 * stored record by accident.
 *
 * @example
 * const store = memoryStore();
 * await store.get({ pageId: '1', psid: '2' }); // null
 */
export const memoryStore = (): PermissionStore & { size(): number; corrupt(thread: Thread, raw: unknown): void } => {
  const rows = new Map<string, string>();
  /** Rows planted by `corrupt` (tests): kept raw, checked by the codec on read. */
  const planted = new Map<string, { version: number; raw: unknown }>();
  const remembered = new Map<string, Instant>();
  let pruneAt = 1024;
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('This memory store is closed; create a new one.');
  };
  const versionOf = (key: string): number => {
    const bad = planted.get(key);
    if (bad !== undefined) return bad.version;
    const row = rows.get(key);
    return row === undefined ? 0 : packedHead(row, 1).prefix[0] ?? 0;
  };

  return {
    get: (thread): Promise<Versioned | null> => settle(() => {
      open();
      const key = keyOf(thread);
      const bad = planted.get(key);
      if (bad !== undefined) {
        const r = PermissionRecordCodec.decode(bad.raw);
        if (isRight(r)) return { version: bad.version, record: structuredClone(r.right) };
        throw new CorruptRecordError(thread, 'the record does not match the schema');
      }
      const row = rows.get(key);
      if (row === undefined) return null;
      try {
        const { prefix, record } = unpackRecord(row, 1);
        return { version: prefix[0] ?? 0, record };
      } catch (e) {
        throw new CorruptRecordError(thread, 'the stored bytes do not unpack', { cause: e });
      }
    }),
    compareAndSet: (thread, expectedVersion, record: PermissionRecord): Promise<CasResult> => settle(() => {
      open();
      const key = keyOf(thread);
      const current = versionOf(key);
      if (current !== expectedVersion) return { ok: false, reason: 'conflict' } as const;
      const version = current + 1;
      rows.set(key, packRecord(record, [version]));
      planted.delete(key);
      return { ok: true, version } as const;
    }),
    remember(eventId, now, until): Promise<boolean> {
      open();
      const known = remembered.get(eventId);
      if (known !== undefined && known > now) return Promise.resolve(false);
      if (remembered.size >= pruneAt) {
        for (const [id, u] of remembered) if (u <= now) remembered.delete(id);
        pruneAt = Math.max(1024, remembered.size * 2);
      }
      remembered.set(eventId, until);
      return Promise.resolve(true);
    },
    due: (before, limit): Promise<Thread[]> => settle(() => {
      open();
      const hits: { key: string; dueAt: Instant }[] = [];
      for (const [key, row] of rows) {
        const { dueAt } = packedHead(row, 1);
        if (dueAt !== null && dueAt <= before) hits.push({ key, dueAt });
      }
      return hits.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit).map((h) => threadOf(h.key));
    }),
    close(): Promise<void> {
      closed = true;
      rows.clear();
      planted.clear();
      remembered.clear();
      return Promise.resolve();
    },
    size: () => rows.size + planted.size,
    corrupt(thread, raw): void {
      const key = keyOf(thread);
      planted.set(key, { version: versionOf(key) + 1, raw });
      rows.delete(key);
    },
  };
};
