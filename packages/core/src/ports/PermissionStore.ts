import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { Instant, Thread } from '../thread.js';

/** A record with the version it was stored at (1 for the first write). */
export interface Versioned {
  readonly version: number;
  readonly record: PermissionRecord;
}

/** The outcome of a compare-and-set: a conflict is a value, not an exception. */
export type CasResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly reason: 'conflict' };

/**
 * Where thread records live. Drivers (memory, SQLite, Redis, PostgreSQL) implement
 * this; every one passes `runStoreConformance` from `@callperm/testing`.
 *
 * Contract:
 * - instants are epoch ms;
 * - `get` of an unknown thread resolves to `null`;
 * - `compareAndSet(thread, expected, record)` writes only if the stored version is
 *   `expected` (0 = no record yet) and stores it at `expected + 1`, atomically,
 *   even across processes; it indexes `record.dueAt` for `due`;
 * - `remember(eventId, now, until)` is true exactly once per id while remembered;
 *   the id may be forgotten once `now` (as later callers pass it) is past `until`,
 *   so dedupe data does not grow forever (Redis uses a TTL of `until - now`);
 * - a stored record that no longer decodes rejects with `CorruptRecordError`.
 *
 * @example
 * const store: PermissionStore = memoryStore();
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 */
export interface PermissionStore {
  get(thread: Thread): Promise<Versioned | null>;
  compareAndSet(thread: Thread, expectedVersion: number, record: PermissionRecord): Promise<CasResult>;
  /** Remembers a processed event id; true the first time, false for a duplicate. */
  remember(eventId: string, now: Instant, until: Instant): Promise<boolean>;
  /** Threads whose `dueAt` is at or before `before`, earliest first, at most `limit`. */
  due(before: Instant, limit: number): Promise<Thread[]>;
  close(): Promise<void>;
}

/** A stored record that does not decode: the thread is named, the bad data is kept for inspection. */
export class CorruptRecordError extends Error {
  readonly code = 'corrupt_record' as const;
  constructor(readonly thread: Thread, readonly detail: string, options?: { cause?: unknown }) {
    super(`The stored record for page ${thread.pageId}, psid ${thread.psid} is corrupted (${detail}). `
      + 'Inspect or delete it; callperm will rebuild it from a remote check.', options);
    this.name = 'CorruptRecordError';
  }
}
