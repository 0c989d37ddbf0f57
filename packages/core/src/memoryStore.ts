import { PermissionRecordCodec, type PermissionRecord } from './machine/PermissionRecord.js';
import { CorruptRecordError, type CasResult, type PermissionStore, type Versioned } from './ports/PermissionStore.js';
import { threadKey, type Instant, type Thread } from './thread.js';
import { isRight } from 'fp-ts/lib/Either.js';

interface Row {
  readonly thread: Thread;
  readonly version: number;
  readonly record: PermissionRecord;
}

/**
 * A `PermissionStore` in this process's memory: for tests, simulations and a host
 * that runs one instance. Records are copied in and out, so callers cannot change
 * a stored record by accident.
 *
 * @example
 * const store = memoryStore();
 * await store.get({ pageId: '1', psid: '2' }); // null
 */
export const memoryStore = (): PermissionStore & { size(): number; corrupt(thread: Thread, raw: unknown): void } => {
  const rows = new Map<string, Row>();
  const remembered = new Map<string, Instant>();
  let pruneAt = 1024;
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('This memory store is closed; create a new one.');
  };
  const decode = (thread: Thread, raw: unknown): PermissionRecord => {
    const r = PermissionRecordCodec.decode(raw);
    if (isRight(r)) return r.right;
    throw new CorruptRecordError(thread, 'the record does not match the schema');
  };

  return {
    get(thread): Promise<Versioned | null> {
      open();
      const row = rows.get(threadKey(thread));
      if (!row) return Promise.resolve(null);
      try {
        return Promise.resolve({ version: row.version, record: decode(thread, structuredClone(row.record)) });
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
    compareAndSet(thread, expectedVersion, record): Promise<CasResult> {
      open();
      const key = threadKey(thread);
      const current = rows.get(key)?.version ?? 0;
      if (current !== expectedVersion) return Promise.resolve({ ok: false, reason: 'conflict' });
      const version = current + 1;
      rows.set(key, { thread: { pageId: thread.pageId, psid: thread.psid }, version, record: structuredClone(record) });
      return Promise.resolve({ ok: true, version });
    },
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
    due(before, limit): Promise<Thread[]> {
      open();
      const hits = [...rows.values()]
        .filter((r) => r.record.dueAt !== null && r.record.dueAt <= before)
        .sort((a, b) => (a.record.dueAt ?? 0) - (b.record.dueAt ?? 0))
        .slice(0, limit)
        .map((r) => ({ pageId: r.thread.pageId, psid: r.thread.psid }));
      return Promise.resolve(hits);
    },
    close(): Promise<void> {
      closed = true;
      rows.clear();
      remembered.clear();
      return Promise.resolve();
    },
    size: () => rows.size,
    corrupt(thread, raw): void {
      const key = threadKey(thread);
      rows.set(key, { thread, version: (rows.get(key)?.version ?? 0) + 1, record: raw as PermissionRecord });
    },
  };
};
