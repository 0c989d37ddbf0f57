import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { HistoryEntry } from '../store/HistoryEntry.js';
import type { Instant, Thread } from '../thread.js';
import type { DocKind, DocWrite, VersionedDoc } from './VersionedDoc.js';

/** A record with the version it was stored at (1 for the first write). */
export interface Versioned {
  readonly version: number;
  readonly record: PermissionRecord;
}

/** The outcome of a compare-and-set (or a versioned delete: `version` 0): a conflict is a value, not an exception. */
export type CasResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly reason: 'conflict' };

/**
 * One thread's write together with the ids of the events it applies: what
 * {@link PermissionStore.commitThread} commits in one step.
 */
export interface ThreadCommit {
  readonly thread: Thread;
  /** The version the record was read at (0 = no record yet). */
  readonly expectedVersion: number;
  /**
   * The record to store at `expectedVersion + 1`, or null when the events changed
   * nothing: then no version is checked and nothing is written but the ids.
   */
  readonly record: PermissionRecord | null;
  /** Event ids to remember, in order; may be empty, may repeat (a repeat is not first). */
  readonly eventIds: readonly string[];
  /** The caller's instant (epoch ms), as `remember` takes it. */
  readonly now: Instant;
  /** Until when the ids are remembered, as `remember` takes it. */
  readonly until: Instant;
  /** Consent-history entries of the transitions the record holds, appended with it (none when `record` is null). */
  readonly history?: readonly HistoryEntry[];
  /** History entries with `at` before this may be dropped (the policy's retention); default: none. */
  readonly historyBefore?: Instant;
}

/** Which entries `history` reads. */
export interface HistoryQuery {
  /** At most this many (default 100). */
  readonly limit?: number;
  /** Only entries whose `at` is before this instant (default: all): pass the oldest `at` you have for the next page. */
  readonly before?: Instant;
}

/** The outcome of {@link PermissionStore.commitThread}. */
export type CommitResult =
  /** Written (or nothing to write): `version` is the stored version now (the expected one when `record` was null); `first[i]` tells whether `eventIds[i]` was seen here for the first time. */
  | { readonly ok: true; readonly version: number; readonly first: readonly boolean[] }
  /** The stored version was not the expected one: nothing was written and no id was remembered. */
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
 * - `commitThread({ thread, expectedVersion, record, eventIds, now, until })` is
 *   `compareAndSet` and `remember` of every id as one step: the ids are
 *   remembered only if the record was written (or `record` is null), and none if
 *   the version conflicted; `first[i]` is what `remember(eventIds[i], now, until)`
 *   would have said, in order (an id twice in one call is first at most once).
 *   Memory, SQLite, single-node Redis and PostgreSQL do it atomically, so no
 *   reader sees the record without its ids; where keys may live on different
 *   nodes (Redis Cluster) the ids are remembered right after the write, never
 *   before it (a crash in between replays an idempotent event, never loses one);
 * - a stored record that no longer decodes rejects with `CorruptRecordError`.
 *
 * Side documents (call traces, the webhook inbox) live apart from thread records,
 * keyed by ({@link DocKind}, key); `due` never lists them. A key is a non-empty
 * string of well-formed Unicode without NUL; a value is JSON text the store keeps
 * as it is:
 * - `getDoc` of an absent document resolves to `null`;
 * - `putDoc(kind, key, expected, value, { now, dueAt, expiresAt })` writes only if
 *   the stored version is `expected` (0 = absent) and stores it at `expected + 1`,
 *   atomically across processes, indexing `dueAt` for `dueDocs`;
 * - `deleteDoc(kind, key, expected)` removes the document only at `expected`
 *   (`expected` 0 on an absent document succeeds too) and resolves to
 *   `{ ok: true, version: 0 }`; a later `putDoc` starts again at version 1, so a
 *   version read before a delete may match a newer document: re-read on conflict;
 * - `dueDocs(kind, before, limit)` lists keys of `kind` whose `dueAt` is at or
 *   before `before`, earliest first, at most `limit`, from an index;
 * - a document whose `expiresAt` is at or before the `now` a later `putDoc` passes
 *   may be deleted by the store (drivers prune as callers' instants move on, at
 *   most every minute or so of that time; Redis also expires the key after
 *   `expiresAt - now` ms). Until deleted it reads as usual; callers rely on
 *   neither its presence nor its absence after `expiresAt`;
 * - a document whose stored version does not decode rejects with `CorruptDocError`.
 *
 * @example
 * const store: PermissionStore = memoryStore();
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 * await store.putDoc('inbox', 'k', 0, '{"ids":[]}', { now: 0, dueAt: 30_000, expiresAt: null }); // { ok: true, version: 1 }
 * await store.dueDocs('inbox', 30_000, 10); // ['k']
 */
export interface PermissionStore {
  get(thread: Thread): Promise<Versioned | null>;
  compareAndSet(thread: Thread, expectedVersion: number, record: PermissionRecord): Promise<CasResult>;
  /** Remembers a processed event id; true the first time, false for a duplicate. */
  remember(eventId: string, now: Instant, until: Instant): Promise<boolean>;
  /** Writes a thread's record (compare-and-set) and remembers the ids of the events it applies, as one step. */
  commitThread(commit: ThreadCommit): Promise<CommitResult>;
  /** Threads whose `dueAt` is at or before `before`, earliest first, at most `limit`. */
  due(before: Instant, limit: number): Promise<Thread[]>;
  /** A side document, or null when absent. */
  getDoc(kind: DocKind, key: string): Promise<VersionedDoc | null>;
  /** Writes a side document over `expectedVersion` (0 = absent). */
  putDoc(kind: DocKind, key: string, expectedVersion: number, value: string, write: DocWrite): Promise<CasResult>;
  /** Deletes a side document at `expectedVersion`; `{ ok: true, version: 0 }` when it is gone. */
  deleteDoc(kind: DocKind, key: string, expectedVersion: number): Promise<CasResult>;
  /** Keys of `kind` whose `dueAt` is at or before `before`, earliest first, at most `limit`. */
  dueDocs(kind: DocKind, before: Instant, limit: number): Promise<string[]>;
  /** The thread's consent history, newest first (by `at`, then commit order). */
  history(thread: Thread, query?: HistoryQuery): Promise<HistoryEntry[]>;
  /**
   * Replaces the thread's row, whatever it holds, with an empty record, if it is
   * still at `version` (a `CorruptRecordError`'s `version`): how an operator
   * recovers one thread whose row no longer decodes. Appends a `RESET` entry to
   * the history, dated `now`. The next remote check rebuilds the permission.
   */
  reset(thread: Thread, version: number, now: Instant): Promise<CasResult>;
  /**
   * Deletes the thread's row (and its place in the due index) if it is still at
   * `version`: how `sweep` retires a thread that holds nothing live any more.
   * `{ ok: true, version: 0 }` when the row is gone (also when it was already
   * absent and `version` is 0); a conflict when the row moved on. The consent
   * history and remembered event ids are kept (they have their own retention).
   * A later write starts again at version 1, so, as with `deleteDoc`, a version
   * read before a retire may match a newer row: re-read on conflict.
   */
  retire(thread: Thread, version: number): Promise<CasResult>;
  close(): Promise<void>;
}

/**
 * A stored record that does not decode: the thread is named, the bad data is kept
 * for inspection. `version` is the row's stored version (null when that too is
 * unreadable): pass it to `store.reset(thread, version, now)` to replace this row
 * alone. `format` is the record format the data claimed, when it named one.
 *
 * @example
 * await store.get(thread).catch((e) => e instanceof CorruptRecordError && e.version !== null && store.reset(thread, e.version, clock.now()));
 */
export class CorruptRecordError extends Error {
  readonly code = 'corrupt_record' as const;
  readonly version: number | null;
  readonly format: number | null;
  constructor(readonly thread: Thread, readonly detail: string, options?: { cause?: unknown; version?: number | null; format?: number | null }) {
    super(`The stored record for page ${JSON.stringify(thread.pageId)}, psid ${JSON.stringify(thread.psid)} is corrupted (${detail}). `
      + `Inspect it, then replace it with store.reset(thread, ${options?.version ?? 'version'}, now); callperm rebuilds it from a remote check.`, options);
    this.name = 'CorruptRecordError';
    this.version = options?.version ?? null;
    this.format = options?.format ?? null;
  }
}

/**
 * A store was used after `close()`. Create a new store (or keep the old one open
 * until every command that uses it has finished).
 *
 * @example
 * await store.close();
 * await store.get(thread).catch((e) => e instanceof StoreClosedError); // true
 */
export class StoreClosedError extends Error {
  readonly code = 'store_closed' as const;
  constructor(readonly driver: string) {
    super(`[callperm] [${driver}] This store is closed; create a new store to keep using it.`);
    this.name = 'StoreClosedError';
  }
}
