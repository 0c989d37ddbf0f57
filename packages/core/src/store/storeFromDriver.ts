import { emptyRecord, type PermissionRecord } from '../machine/PermissionRecord.js';
import { CorruptHistoryError } from '../ports/CorruptHistoryError.js';
import {
  CorruptRecordError, StoreClosedError,
  type CasResult, type CommitResult, type HistoryQuery, type PermissionStore, type ThreadCommit, type Versioned,
} from '../ports/PermissionStore.js';
import type { DocWrite } from '../ports/VersionedDoc.js';
import type { Instant, Thread } from '../thread.js';
import { storedThread, threadOfStored } from './storedThread.js';
import { historyFormat, type HistoryEntry } from './HistoryEntry.js';
import { decodeRecord, encodeRecord } from './recordFormat.js';
import { docRow, storedVersion } from './storedRow.js';
import type { PruneRequest, RawThreadRow, RecordForm, StoreDriver, StoredHistoryEntry } from './StoreDriver.js';
import { decodeJson, encodeJson, StoredFormatError } from './versionedJson.js';

/** Options of {@link storeFromDriver}. */
export interface StoreOptions {
  /** Ask the driver to delete expired ids, documents and history at most this often, in callers' instants (default 60 000 ms). */
  readonly pruneEveryMs?: number;
}

/** How many history entries `history` returns when the query names no limit. */
export const DEFAULT_HISTORY_LIMIT = 100;

const CONFLICT: CasResult = { ok: false, reason: 'conflict' };
/** A row or document that is gone: what a versioned delete resolves to. */
const GONE: CasResult = { ok: true, version: 0 };
const COMMIT_CONFLICT: CommitResult = { ok: false, reason: 'conflict' };
/** The thread a commit with no record names: drivers touch no row for it. */
const NO_THREAD: Thread = { pageId: '', psid: '' };
const NO_HISTORY: readonly StoredHistoryEntry[] = [];
const NONE: readonly string[] = [];

/** A driver's commit answer as the port's result. */
const committed = (first: readonly boolean[] | null, version: number): CommitResult =>
  (first === null ? COMMIT_CONFLICT : { ok: true, version, first });

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** A driver's `deleteThread` answer as the port's result. */
const retired = (gone: boolean): CasResult => (gone ? GONE : CONFLICT);

/** A version a row may be read at (0: no row): a whole number >= 0. */
const isRowVersion = (version: number): boolean => Number.isSafeInteger(version) && version >= 0;

/**
 * Turns a {@link StoreDriver} into the `PermissionStore` the service uses. The
 * driver does its statements; this does what every driver would repeat:
 * - closed state: after `close()` every method rejects with `StoreClosedError`
 *   (a rejected promise, never a synchronous throw), and the driver is closed once;
 * - encodings: records in the driver's form (packed bytes or JSON text) with
 *   their format version, older formats upgraded on read; history entries as
 *   versioned JSON; a row that does not read is a `CorruptRecordError` carrying
 *   its stored version (for `reset`) and the format it claimed;
 * - prune timing: at most every `pruneEveryMs` of callers' instants the next
 *   write carries a prune request (expired ids, documents and history);
 * - `compareAndSet`, `remember` and `reset` as commits, conflicts as values;
 * - `retire` as the driver's `deleteThread`, once its version is a whole
 *   number >= 0 (anything else rejects with a `RangeError`: no row is ever at it).
 *
 * @example
 * const store = storeFromDriver(memoryDriver());
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 * await store.retire({ pageId: '1', psid: '2' }, 1); // { ok: true, version: 0 }
 */
export const storeFromDriver = <F extends RecordForm>(driver: StoreDriver<F>, options: StoreOptions = {}): PermissionStore => {
  const form = driver.recordForm;
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  let closed = false;
  let closing: Promise<void> | undefined;
  let lastPrune = -Infinity;
  /** The retention the service last asked for (the policy's), applied by prunes. */
  let historyBefore = Number.MIN_SAFE_INTEGER;
  const refused = (): Promise<never> => Promise.reject(new StoreClosedError(driver.name));

  const pruneFor = (now: Instant): PruneRequest | null => {
    if (!(now - lastPrune >= pruneEveryMs)) return null;
    lastPrune = now;
    return { now, historyBefore };
  };

  const readRow = (thread: Thread, row: RawThreadRow | null): Versioned | null => {
    if (row === null) return null;
    const version = storedVersion(row.version);
    if (version === null) {
      throw new CorruptRecordError(thread, `the stored version ${JSON.stringify(row.version) ?? 'undefined'} is not a whole number >= 1`);
    }
    try {
      return { version, record: decodeRecord(row.record) };
    } catch (e) {
      if (e instanceof StoredFormatError) throw new CorruptRecordError(thread, e.detail, { cause: e, version, format: e.found });
      throw e;
    }
  };

  const encodeHistory = (entries: readonly HistoryEntry[] | undefined): readonly StoredHistoryEntry[] =>
    (entries === undefined || entries.length === 0 ? NO_HISTORY : entries.map((e) => ({ at: e.at, text: encodeJson(historyFormat, e) })));

  /**
   * The one way anything is written to a thread: a driver commit, carrying a prune
   * request when one is due (`mayPrune`: the commit has a caller's instant).
   * Nothing is awaited between encoding and the driver call (bytes are a scratch view).
   */
  const commitWith = (c: ThreadCommit, mayPrune: boolean): Promise<CommitResult> => {
    if (closed) return refused();
    if (c.historyBefore !== undefined) historyBefore = c.historyBefore;
    const record: PermissionRecord | null = c.record;
    let history = NO_HISTORY;
    let newest = Number.MIN_SAFE_INTEGER;
    if (record !== null && c.history !== undefined && c.history.length > 0) {
      history = encodeHistory(c.history);
      for (const h of history) if (h.at > newest) newest = h.at;
    }
    let answer;
    try {
      answer = driver.commit({
        thread: record === null ? NO_THREAD : storedThread(c.thread),
        expectedVersion: c.expectedVersion,
        record: record === null ? null : encodeRecord(form, record),
        dueAt: record === null ? null : record.dueAt,
        eventIds: c.eventIds,
        now: c.now,
        until: c.until,
        history,
        historyBefore,
        historyUntil: newest - historyBefore + c.now,
        prune: mayPrune ? pruneFor(c.now) : null,
      });
    } catch (e) {
      return Promise.reject(asError(e));
    }
    const version = record === null ? c.expectedVersion : c.expectedVersion + 1;
    return answer instanceof Promise ? answer.then((first) => committed(first, version)) : Promise.resolve(committed(answer, version));
  };

  const commit = (c: ThreadCommit): Promise<CommitResult> => commitWith(c, true);
  const written = (r: CommitResult): CasResult => (r.ok ? { ok: true, version: r.version } : CONFLICT);

  const guarded = <T>(work: () => Promise<T>): Promise<T> => {
    if (closed) return refused();
    try {
      return work();
    } catch (e) {
      return Promise.reject(asError(e));
    }
  };

  return {
    get(thread) {
      if (closed) return refused();
      try {
        const answer = driver.getThread(storedThread(thread));
        return answer instanceof Promise ? answer.then((row) => readRow(thread, row)) : Promise.resolve(readRow(thread, answer));
      } catch (e) {
        return Promise.reject(asError(e));
      }
    },
    // No caller's instant here: no prune, no ids.
    compareAndSet: (thread, expectedVersion, record) =>
      commitWith({ thread, expectedVersion, record, eventIds: NONE, now: 0, until: 0 }, false).then(written),
    remember: (eventId, now, until) =>
      commit({ thread: NO_THREAD, expectedVersion: 0, record: null, eventIds: [eventId], now, until }).then((r) => r.ok && r.first[0] === true),
    commitThread: commit,
    due: (before, limit) => guarded(() => (limit > 0 ? driver.dueThreads(before, Math.trunc(limit)).then((ts) => ts.map(threadOfStored)) : Promise.resolve([]))),
    getDoc: (kind, key) => guarded(() => driver.getDoc(kind, key).then((row) => (row === null ? null : docRow(kind, key, row.version, row.value, row.dueAt)))),
    putDoc: (kind, key, expectedVersion, value, write: DocWrite) => guarded(() =>
      driver.putDoc(kind, key, expectedVersion, value, write, pruneFor(write.now)).then((ok) => (ok ? { ok: true, version: expectedVersion + 1 } : CONFLICT))),
    deleteDoc: (kind, key, expectedVersion) => guarded(() =>
      driver.deleteDoc(kind, key, expectedVersion).then((gone) => (gone ? { ok: true, version: 0 } : CONFLICT))),
    dueDocs: (kind, before, limit) => guarded(() => (limit > 0 ? driver.dueDocs(kind, before, Math.trunc(limit)) : Promise.resolve([]))),
    history: (thread, query: HistoryQuery = {}) => guarded(async () => {
      const limit = Math.trunc(query.limit ?? DEFAULT_HISTORY_LIMIT);
      if (!(limit > 0)) return [];
      const before = Math.min(query.before ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const rows = await driver.readHistory(storedThread(thread), before, limit);
      return rows.map((row) => {
        try {
          return decodeJson(historyFormat, row.text, false);
        } catch (e) {
          if (e instanceof StoredFormatError) throw new CorruptHistoryError(thread, row.at, e.detail, { cause: e });
          throw e;
        }
      });
    }),
    reset: (thread, version, now) => {
      const entry: HistoryEntry = {
        at: now, recordedAt: now, from: null, to: 'none', event: 'RESET', source: { kind: 'operator' },
        expiresAt: null, provisional: false, reason: 'no_permission',
      };
      return commit({ thread, expectedVersion: version, record: emptyRecord(), eventIds: NONE, now, until: now, history: [entry] }).then(written);
    },
    retire(thread, version) {
      if (closed) return refused();
      if (!isRowVersion(version)) {
        return Promise.reject(new RangeError(`[callperm] [${driver.name}] retire needs the version the row was read at, a whole number >= 0; got ${String(version)}.`));
      }
      try {
        const answer = driver.deleteThread(storedThread(thread), version);
        return answer instanceof Promise ? answer.then(retired) : Promise.resolve(retired(answer));
      } catch (e) {
        return Promise.reject(asError(e));
      }
    },
    close() {
      closed = true;
      closing ??= driver.close();
      return closing;
    },
  };
};
