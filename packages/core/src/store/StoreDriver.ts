import type { DocKind, DocWrite } from '../ports/VersionedDoc.js';
import type { Instant, Thread } from '../thread.js';

/**
 * How a driver keeps a thread's record: packed bytes (`Uint8Array`, ~50 bytes:
 * memory, SQLite) or JSON text (`string`: Redis, PostgreSQL). The wrapper
 * (`storeFromDriver`) encodes and decodes both, with their format version.
 */
export type RecordForm = 'bytes' | 'text';

/**
 * A driver's answer: a promise, or, from a driver whose work is synchronous (the
 * memory driver), the value itself, which saves the hot path a promise and a
 * turn; the wrapper answers its callers with a promise either way.
 */
export type Answer<T> = T | Promise<T>;

/** The stored value of a {@link RecordForm}. */
export type RecordData<F extends RecordForm> = F extends 'bytes' ? Uint8Array : string;

/**
 * A thread's row as the driver read it, unchecked: the wrapper validates the
 * version (a whole number >= 1) and decodes the record, so a damaged row becomes
 * a `CorruptRecordError` in one place.
 */
export interface RawThreadRow {
  readonly version: unknown;
  readonly record: unknown;
}

/** A side document's row as the driver read it, unchecked (the wrapper validates it). */
export interface RawDocRow {
  readonly version: unknown;
  readonly value: unknown;
  readonly dueAt: unknown;
}

/**
 * One consent-history entry as a driver keeps it: the event's instant (the
 * order and the `before` filter) and the encoded entry, JSON text the driver
 * never parses.
 */
export interface StoredHistoryEntry {
  readonly at: Instant;
  readonly text: string;
}

/**
 * What the wrapper asks a driver to delete, at most about once a minute of
 * callers' time: remembered event ids whose `until` is at or before `now`,
 * side documents whose `expiresAt` is at or before `now`, history entries whose
 * `at` is before `historyBefore`. Drivers whose keys expire by themselves (Redis
 * TTLs) may do less.
 */
export interface PruneRequest {
  readonly now: Instant;
  readonly historyBefore: Instant;
}

/**
 * One thread's write, its event ids and its history entries, committed as one step.
 *
 * - `record` null: nothing is written and no version is checked; only the ids
 *   are remembered (`history` is empty, and `thread` names no row to touch).
 * - otherwise the record is written at `expectedVersion + 1` only if the stored
 *   version is `expectedVersion` (0 = no row), with `dueAt` in the due index, and
 *   the `history` entries are appended in order, keyed by that new version and
 *   their index (so they sort after every earlier commit's entries).
 * - the ids are remembered only when the write happened (or `record` is null):
 *   `first[i]` tells whether `eventIds[i]` was new (not remembered with an
 *   `until` after `now`); an id twice in one call is first at most once.
 * - `prune`, when set, runs before this commit and after every call this
 *   driver accepted before it (see {@link PruneRequest}).
 */
export interface DriverCommit<F extends RecordForm> {
  readonly thread: Thread;
  readonly expectedVersion: number;
  readonly record: RecordData<F> | null;
  readonly dueAt: Instant | null;
  readonly eventIds: readonly string[];
  readonly now: Instant;
  readonly until: Instant;
  readonly history: readonly StoredHistoryEntry[];
  /** Entries of this thread older than this may be dropped now (Redis trims the thread's list with it). */
  readonly historyBefore: Instant;
  /** When this thread's whole history may be dropped if nothing is appended again (Redis: the key's TTL). */
  readonly historyUntil: Instant;
  readonly prune: PruneRequest | null;
}

/**
 * A storage driver: the small contract a database implements. `storeFromDriver`
 * turns it into the `PermissionStore` the service uses, and owns everything
 * every driver would otherwise repeat: closed state and `StoreClosedError`,
 * prune timing on callers' instants, the record encodings with their format
 * versions and upgrades, row validation and `CorruptRecordError`, conflict values.
 * A driver does its statements and its batching; it never throws synchronously
 * (return a rejected promise).
 *
 * Threads arrive as `{ pageId, psid }`: the two ids a driver keys a thread by.
 * Every call must be atomic across processes where the driver is shared
 * (compare-and-set on versions; first-time dedupe).
 *
 * @example
 * const store = storeFromDriver(memoryDriver());
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 */
export interface StoreDriver<F extends RecordForm = RecordForm> {
  /** Names the driver in errors (`sqlite`, `redis`, ...). */
  readonly name: string;
  readonly recordForm: F;
  /** The thread's row, or null when it has none. */
  getThread(thread: Thread): Answer<RawThreadRow | null>;
  /** See {@link DriverCommit}: the `first` flags, or null on a version conflict (then nothing was written or remembered). */
  commit(commit: DriverCommit<F>): Answer<readonly boolean[] | null>;
  /**
   * Deletes the thread's row and its due-index entry only if its stored version is
   * `expectedVersion` (0: true when there is no row); true when the row is gone.
   * History and remembered ids are untouched. Atomic across processes, and ordered
   * after every call this driver accepted before it (a pending group commit first).
   */
  deleteThread(thread: Thread, expectedVersion: number): Answer<boolean>;
  /** Threads whose `dueAt` is at or before `before`, earliest first, at most `limit` (> 0). */
  dueThreads(before: Instant, limit: number): Promise<Thread[]>;
  getDoc(kind: DocKind, key: string): Promise<RawDocRow | null>;
  /** Writes over `expectedVersion` (0 = absent) at `expectedVersion + 1`; true when written. `write.now` is the caller's instant. */
  putDoc(kind: DocKind, key: string, expectedVersion: number, value: string, write: DocWrite, prune: PruneRequest | null): Promise<boolean>;
  /** Deletes at `expectedVersion` (0: true when absent); true when the document is gone. */
  deleteDoc(kind: DocKind, key: string, expectedVersion: number): Promise<boolean>;
  /** Keys of `kind` whose `dueAt` is at or before `before`, earliest first, at most `limit` (> 0). */
  dueDocs(kind: DocKind, before: Instant, limit: number): Promise<string[]>;
  /** The thread's history entries with `at` before `before`, newest first (by `at`, then commit order), at most `limit` (> 0). */
  readHistory(thread: Thread, before: Instant, limit: number): Promise<StoredHistoryEntry[]>;
  /** Releases connections; called once by the wrapper's `close()`. */
  close(): Promise<void>;
}
